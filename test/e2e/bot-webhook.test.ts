import { createServer } from 'node:net';
import { startEnv, waitFor, type Env } from './harness';

let env: Env;
let port: number;
const secret = 'e2e-webhook-secret';

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

beforeAll(async () => {
  port = await freePort();
  env = await startEnv('webhook', { webhook: { url: `https://bot.example.org/tg/hook`, secret, port } });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

function post(update: unknown, token: string) {
  return fetch(`http://127.0.0.1:${port}/tg/hook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': token },
    body: JSON.stringify(update),
  });
}

test('with WEBHOOK_URL the webhook is set with the secret token, and only requests carrying it are handled', async () => {
  const calls = env.sim.apiCalls({ method: 'setWebhook' });
  expect(calls).toHaveLength(1);
  expect(calls[0].params).toMatchObject({ url: 'https://bot.example.org/tg/hook', secret_token: secret });

  const u = env.sim.createUser({ first_name: 'Hooked', language_code: 'en' });
  env.sim.sendText({ userId: u.id, text: '/start' });
  const update = env.sim.updates(env.botInfo.id).at(-1)!;

  const forged = await post(update, 'wrong');
  expect(forged.status).toBe(403);
  const real = await post(update, secret);
  expect(real.status).toBe(200);
  await waitFor(env, u, { textIncludes: 'Hi, Hooked!' });
});

test('issue 15: webhook mode with HTTP_PORT serves the webhook, /health and /metrics from one server on that port', async () => {
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  const report = (await health.json()) as { checks: Record<string, string> };
  // Database and Redis are up; this env runs its workers in process, so their heartbeat is fresh too.
  expect(report.checks).toEqual({ database: 'ok', redis: 'ok', workers: 'ok' });
  expect(health.status).toBe(200);
  const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toMatch(/^pravda_update_duration_seconds_count\{type="message"\} [1-9]/m);
});
