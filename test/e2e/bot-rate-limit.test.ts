import en from '../../locales/en.json';
import { startEnv, startedUser, WAIT_MS, type Env } from './harness';

let env: Env;
// 3 updates per 60 s per user: /start plus two more, then the limit.
beforeAll(async () => {
  env = await startEnv('ratelimit', { env: { RATE_LIMIT_POINTS: '3', RATE_LIMIT_WINDOW: '60s' } });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

const SLOW = en.ops.slow_down;
const settle = () => new Promise((r) => setTimeout(r, 2500));

test('issue 15: a burst of messages from one user: the ones over the limit do nothing, and "slow down" is said once', async () => {
  const u = await startedUser(env, 'Burst', 'en');
  const before = env.sim.messages(u.id).filter((m) => m.fromBot).length;
  for (let i = 0; i < 6; i++) env.sim.sendText({ userId: u.id, text: '/balance' });
  await env.sim.waitForBotMessage(u.id, { textIncludes: SLOW }, WAIT_MS);
  await settle();
  const replies = env.sim.messages(u.id).filter((m) => m.fromBot).slice(before);
  // Two /balance answers (points 2 and 3), one "slow down", and nothing for the other three.
  expect(replies.filter((m) => m.text === SLOW)).toHaveLength(1);
  expect(replies.filter((m) => m.text !== SLOW)).toHaveLength(2);
  // Another user is not affected.
  const other = await startedUser(env, 'Calm', 'en');
  env.sim.sendText({ userId: other.id, text: '/balance' });
  await settle();
  expect(env.sim.messages(other.id).filter((m) => m.fromBot && m.text === SLOW)).toHaveLength(0);
});

test('issue 15: a button pressed over the limit is answered "slow down" in its callback answer and changes nothing', async () => {
  const u = await startedUser(env, 'Tapper', 'en');
  const home = env.sim.lastBotMessage(u.id)!;
  env.sim.sendText({ userId: u.id, text: '/balance' });
  env.sim.sendText({ userId: u.id, text: '/balance' });
  await settle();
  const botMessages = env.sim.messages(u.id).filter((m) => m.fromBot).length;
  const press = env.sim.pressButton({ userId: u.id, messageId: home.messageId, text: (home.replyMarkup as { inline_keyboard: { text: string }[][] }).inline_keyboard[0]![0]!.text });
  const answer = await env.sim.waitForCallbackAnswer(press.callbackQueryId, WAIT_MS);
  expect(answer.text).toBe(SLOW);
  await settle();
  expect(env.sim.messages(u.id).filter((m) => m.fromBot)).toHaveLength(botMessages);
  expect(env.sim.messages(u.id).find((m) => m.messageId === home.messageId)?.editDate).toBe(home.editDate);
});
