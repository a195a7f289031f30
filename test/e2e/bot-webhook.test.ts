import { createServer } from 'node:net';
import { kop } from '../../domain/money';
import { createInvoice } from '../../domain/services/payments';
import { balancesOf } from '../../domain/services/users';
import { accountOf, startEnv, waitFor, type Env } from './harness';

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

test('a payment the database cannot record yet is answered 500 (Telegram sends it again), then credited once', async () => {
  const u = env.sim.createUser({ first_name: 'Payer', language_code: 'en' });
  env.sim.sendText({ userId: u.id, text: '/start' });
  expect((await post(env.sim.updates(env.botInfo.id).at(-1)!, secret)).status).toBe(200);
  await waitFor(env, u, { textIncludes: 'Hi, Payer!' });
  const userId = await accountOf(env, u);
  const inv = await createInvoice(env.ds, userId, kop(20_000));
  if (!inv.ok) throw new Error(inv.code);
  const update = {
    update_id: 9_000_001,
    message: {
      message_id: 9_000_001, date: Math.floor(Date.now() / 1000), chat: { id: u.id, type: 'private', first_name: 'Payer' },
      from: { id: u.id, is_bot: false, first_name: 'Payer', language_code: 'en' },
      successful_payment: { currency: 'RUB', total_amount: 20_000, invoice_payload: inv.invoice.payload, telegram_payment_charge_id: 'wh-charge-1', provider_payment_charge_id: 'wh-prov-1' },
    },
  };
  await env.ds.query(`CREATE FUNCTION wh_outage() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN RAISE EXCEPTION 'simulated outage' USING ERRCODE = '08006'; END $$`);
  await env.ds.query(`CREATE TRIGGER wh_outage BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION wh_outage()`);
  try {
    expect((await post(update, secret)).status).toBe(500);
    await waitFor(env, u, { textIncludes: 'crediting is delayed' });
  } finally {
    await env.ds.query(`DROP TRIGGER wh_outage ON payments`);
  }
  expect((await post(update, secret)).status).toBe(200);
  await waitFor(env, u, { textIncludes: 'Credited ₽200.00' });
  expect((await post(update, secret)).status).toBe(200);
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 20_000, reserved: 0 });
  expect(env.errors.every((e) => /simulated outage|payment not recorded/.test(e))).toBe(true);
  env.errors.length = 0;
});
