import { buttons, market, startEnv, startedUser, waitFor, type Env } from './harness';

/** Issue 10: without MINIAPP_URL nothing about the Mini App appears in the bot. */
let env: Env;
beforeAll(async () => {
  env = await startEnv('minioff');
});
afterAll(async () => env.close());

test('issue 10: without MINIAPP_URL a private market card has no web_app button', async () => {
  const id = await market(env, 'Will the app stay hidden?');
  const u = await startedUser(env, 'Dan');
  env.sim.sendText({ userId: u.id, text: `/start m${id}` });
  const card = await waitFor(env, u, { hasPhoto: true });
  const rows = (card.replyMarkup as unknown as { inline_keyboard: Record<string, unknown>[][] }).inline_keyboard;
  expect(buttons(card).length).toBeGreaterThan(2);
  expect(rows.flat().filter((b) => 'web_app' in b)).toEqual([]);
  expect(buttons(card)).not.toContain('📱 Открыть в приложении');
  expect(env.errors).toEqual([]);
});

test('issue 10: without MINIAPP_URL the menu button stays the command list', () => {
  expect(env.sim.apiCalls({ method: 'setChatMenuButton' })).toEqual([]);
});
