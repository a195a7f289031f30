/**
 * issue 15: operations on a live process. The real `node dist/bin/start.js all` (built by `npx tsc`)
 * runs against the local Bot API, a fresh database and a private redis-server that this test
 * starts and kills (never the shared one): /metrics and /health are scraped over HTTP, an audit
 * violation written straight into the ledger reaches ALERT_CHAT_ID once, and /health turns 503
 * naming Redis when Redis dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createBotApiServer, type BotApiServer } from '../../tools/botapi/server';
import type { BotInfo, SimUser } from '../../tools/botapi/sim-types';
import { ensureUserAccounts, systemAccountId } from '../../domain/ledger/ledger';
import { upsertUser } from '../../domain/services/users';
import { paymentFailuresKey } from '../../infra/ops-keys';
import { createRedis } from '../../infra/redis';
import { freshDatabase } from '../helpers/db';

const ROOT = join(__dirname, '..', '..');
const WAIT_MS = 20_000;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let db: Awaited<ReturnType<typeof freshDatabase>>;
let botapi: BotApiServer;
let bot: BotInfo;
let admin: SimUser;
let redis: ChildProcess;
let app: ChildProcess;
let httpPort: number;
let stderr = '';
let redisUrl: string;
let prefix: string;

beforeAll(async () => {
  db = await freshDatabase('opslive');
  botapi = createBotApiServer();
  const apiUrl = await botapi.listen();
  bot = botapi.sim.createBot({ username: 'pravda_ops_bot', first_name: 'Pravda Market' });
  admin = botapi.sim.createUser({ first_name: 'Admin', username: 'admin', language_code: 'ru' });
  const redisPort = await freePort();
  redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  httpPort = await freePort();
  redisUrl = `redis://127.0.0.1:${redisPort}`;
  prefix = `ops-${randomBytes(3).toString('hex')}`;
  app = spawn(process.execPath, [join(ROOT, 'dist/bin/start.js'), 'all'], {
    cwd: ROOT,
    env: {
      ...process.env, BOT_TOKEN: bot.token, TELEGRAM_API_ROOT: apiUrl, DATABASE_URL: db.url, REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix, HTTP_PORT: String(httpPort), ADMIN_IDS: String(admin.id),
      ALERT_CHAT_ID: String(admin.id), MONITOR_EVERY: '1s', LOG_LEVEL: 'warn', PAYMENT_PROVIDER_TOKEN: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  app.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await until('a healthy process', async () => ((await fetch(`http://127.0.0.1:${httpPort}/health`)).status === 200 ? true : undefined));
  botapi.sim.sendText({ userId: admin.id, text: '/start' });
  await botapi.sim.waitForBotMessage(admin.id, { hasKeyboard: true }, WAIT_MS);
}, 90_000);

afterAll(async () => {
  app?.kill('SIGKILL');
  redis?.kill('SIGKILL');
  await botapi?.close();
  await db?.drop();
});

test('issue 15: /metrics of the live process has the business figures', async () => {
  // The /start update is observed when its handler returns, a moment after its reply arrived.
  const text = await until('the /start update in the metrics', async () => {
    const t = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    return /^pravda_update_duration_seconds_count\{type="message"\} [1-9]/m.test(t) ? t : undefined;
  });
  for (const series of [
    /^pravda_update_duration_seconds_count\{type="message"\} [1-9]/m,
    /^pravda_telegram_request_duration_seconds_count\{method="getMe",outcome="ok"\} 1$/m,
    /^pravda_queue_depth\{queue="settle"\} 0$/m,
    /^pravda_queue_oldest_job_age_seconds\{queue="notifications"\} /m,
    /^pravda_settlement_positions\{state="pending"\} 0$/m,
    /^pravda_active_users\{window="24h"\} 0$/m,
    /^# TYPE pravda_orders_total counter$/m,
    /^# TYPE pravda_notifications_total counter$/m,
    /^# TYPE pravda_telegram_errors_total counter$/m,
  ]) expect(text).toMatch(series);
});

test('issue 15: an audit violation written straight into the ledger is alerted to ALERT_CHAT_ID once, with the details', async () => {
  // A posting that bypasses the ledger service: the cached balance no longer matches the postings.
  const { user } = await upsertUser(db.ds, { id: admin.id, first_name: admin.first_name, language_code: 'ru' });
  const acc = await ensureUserAccounts(db.ds.manager, user.id);
  const from = await systemAccountId(db.ds.manager, 'external:telegram:deposits');
  await db.ds.query(`INSERT INTO postings (from_account_id, to_account_id, amount, kind, ref_type) VALUES ($1, $2, 1, 'deposit', 'test')`, [from, acc.available]);
  const alert = await botapi.sim.waitForBotMessage(admin.id, { textIncludes: '1_ledger_sums_to_zero' }, WAIT_MS);
  expect(alert.text).toContain('cached balance differs from postings');
  // Several more monitor runs (MONITOR_EVERY 1s) see the same incident and stay quiet.
  await new Promise((r) => setTimeout(r, 4000));
  const alerts = botapi.sim.messages(admin.id).filter((m) => m.text?.includes('1_ledger_sums_to_zero'));
  expect(alerts).toHaveLength(1);
  const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  expect(metrics).toMatch(/^pravda_alerts_total\{kind="audit"\} 1$/m);
});

test('issue 15: a burst of failed payments is alerted once', async () => {
  // What bot/payment-failures.ts records for refused pre-checkout queries and uncredited charges.
  const r = createRedis(redisUrl);
  try {
    const now = Date.now();
    await r.zadd(paymentFailuresKey(prefix), now, 'pcq-1', now, 'pcq-2', now, 'charge-3');
  } finally {
    await r.quit();
  }
  await botapi.sim.waitForBotMessage(admin.id, { textIncludes: 'Неудачных платежей' }, WAIT_MS);
  await new Promise((res) => setTimeout(res, 2500));
  expect(botapi.sim.messages(admin.id).filter((m) => m.text?.includes('Неудачных платежей'))).toHaveLength(1);
});

test('issue 15: /health answers 503 naming Redis when Redis is down', async () => {
  redis.kill('SIGKILL');
  const report = await until('a red health check', async () => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/health`);
    return res.status === 503 ? ((await res.json()) as { ok: boolean; failing: string[]; checks: Record<string, string> }) : undefined;
  });
  expect(report.ok).toBe(false);
  expect(report.failing).toEqual(['redis', 'workers']);
  expect(report.checks.database).toBe('ok');
  // Metrics still answer (without the queue gauges) while Redis is down.
  const metrics = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toMatch(/^pravda_active_users\{window="24h"\} 0$/m);
  expect(stderr).not.toMatch(/"level":(50|60).*start failed/);
});
