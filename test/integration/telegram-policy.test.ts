import { BrokenCircuitError } from 'cockatiel';
import { Telegram, TelegramError } from 'telegraf';
import { createBotApiServer, type BotApiServer } from '../../tools/botapi/server';
import type { BotInfo } from '../../tools/botapi/sim-types';
import { applyTelegramPolicy, breakerOnly, createTelegramPolicy, RETRY_BASE_MS } from '../../infra/telegram-policy';
import { createRedis } from '../../infra/redis';
import { chatNotBeforeKey, RAISE_NOT_BEFORE } from '../../jobs/flood-marks';
import { bullPrefix } from '../../jobs/queues';
import { NotifyKeys } from '../../workers/notifications/keys';
import { Pacer } from '../../workers/notifications/pacer';
import { DEFAULT_LIMITS } from '../../workers/notifications/types';

let server: BotApiServer;
let url: string;
let bot: BotInfo;

beforeAll(async () => {
  server = createBotApiServer();
  url = await server.listen();
  bot = server.sim.createBot({ username: 'policy_bot', first_name: 'Policy' });
});
afterAll(async () => server.close());
afterEach(() => server.sim.faults.clear());

const getMeCalls = () => server.sim.apiCalls({ method: 'getMe' }).length;
function client(opts: Parameters<typeof createTelegramPolicy>[0]) {
  const policy = createTelegramPolicy(opts);
  return { policy, tg: applyTelegramPolicy(new Telegram(bot.token, { apiRoot: url }), policy) };
}

test('issue 15: during a Bot API outage the circuit opens, and further calls fail at once without reaching the API', async () => {
  const { tg, policy } = client({ breakAfter: 3, halfOpenAfterMs: 1000 });
  server.sim.faults.set({ status: 502 });
  const before = getMeCalls();
  // The first call is retried (5xx) until the breaker opens after 3 consecutive failures.
  await expect(tg.getMe()).rejects.toMatchObject({ code: 502 });
  expect(getMeCalls() - before).toBe(3);
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => tg.getMe()));
  expect(results.every((r) => r.status === 'rejected' && r.reason instanceof BrokenCircuitError)).toBe(true);
  // Nothing piled up at the API: still the 3 calls.
  expect(getMeCalls() - before).toBe(3);
  // The API comes back: after halfOpenAfter one trial call closes the circuit again.
  server.sim.faults.clear();
  await new Promise((r) => setTimeout(r, 1100));
  await expect(tg.getMe()).resolves.toMatchObject({ username: 'policy_bot' });
  expect(policy.breaker.state).toBe(0 /* CircuitState.Closed */);
});

test('issue 15: a 429 is retried after its retry_after, and 4xx never open the circuit', async () => {
  const { tg } = client({ breakAfter: 2 });
  server.sim.faults.set({ status: 429, retryAfter: 1, count: 1 });
  const at = Date.now();
  await expect(tg.getMe()).resolves.toMatchObject({ username: 'policy_bot' });
  expect(Date.now() - at).toBeGreaterThanOrEqual(1000);
  server.sim.faults.set({ status: 400, description: 'Bad Request: chat not found', count: 5 });
  for (let i = 0; i < 5; i++) await expect(tg.getMe()).rejects.toBeInstanceOf(TelegramError);
  await expect(tg.getMe()).resolves.toMatchObject({ username: 'policy_bot' });
});

test('issue 15: 5xx are retried with exponential backoff; the pump\'s breaker-only client is not retried', async () => {
  const { tg, policy } = client({});
  server.sim.faults.set({ status: 500, count: 2 });
  const at = Date.now();
  await expect(tg.getMe()).resolves.toMatchObject({ username: 'policy_bot' });
  expect(Date.now() - at).toBeGreaterThanOrEqual(RETRY_BASE_MS * 3);
  const pump = applyTelegramPolicy(new Telegram(bot.token, { apiRoot: url }), breakerOnly(policy));
  server.sim.faults.set({ status: 500, count: 1 });
  const before = getMeCalls();
  await expect(pump.getMe()).rejects.toMatchObject({ code: 500 });
  expect(getMeCalls() - before).toBe(1);
});

test('a 429 of a call about one chat is told to the flood-wait hook, which holds that chat in the notifications pacer', async () => {
  const user = server.sim.createUser({ first_name: 'Flood' });
  server.sim.sendText({ userId: user.id, text: '/start' });
  const told: [number, number][] = [];
  const tg = applyTelegramPolicy(new Telegram(bot.token, { apiRoot: url }), breakerOnly(createTelegramPolicy()), (chatId, sec) => told.push([chatId, sec]));
  server.sim.faults.set({ status: 429, retryAfter: 2, count: 1 });
  await expect(tg.sendMessage(user.id, 'hello')).rejects.toMatchObject({ code: 429 });
  await expect(tg.getMe()).resolves.toMatchObject({ username: 'policy_bot' });
  expect(told).toEqual([[user.id, 2]]);

  // The bot's hook writes the pipeline's "not before" key: the pacer then holds the chat.
  const prefix = `flood-${Date.now()}`;
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    await redis.eval(RAISE_NOT_BEFORE, 1, chatNotBeforeKey(bullPrefix(prefix), user.id), '2000');
    const pacer = new Pacer(redis, new NotifyKeys(bullPrefix(prefix)), DEFAULT_LIMITS);
    const slot = await pacer.acquire(user.id);
    expect(slot.reserved ? slot.sleepMs : slot.retryInMs).toBeGreaterThan(1500);
    expect(await pacer.acquire(user.id + 1)).toMatchObject({ reserved: true });
  } finally {
    for (const k of await redis.keys(`{${prefix}}*`)) await redis.del(k);
    await redis.quit();
  }
});
