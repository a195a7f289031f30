import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import type { PlaceOrderCommand } from '../../domain/services/commands';
import { dropDatabase, openDataSource } from '../../infra/db';
import { Queues } from '../../jobs/queues';
import { submitWithNotice } from '../../bot/features/bet/submit';
import type { BotRuntime } from '../../bot/runtime';
import { LATE_REDELIVER_MS, MatchingSupervisor } from '../../workers/matching';
import type { Notifier } from '../../workers/notifications/producer';
import type { NotificationJob } from '../../messages/outgoing';
import { PrivatePostgres } from '../helpers/private-pg';
import { until } from '../helpers/private-redis';
import { openMarket, userWithMoney } from '../helpers/world';

/**
 * A user told "queued … we'll tell you the result" gets the result (docs/RELIABILITY.md: "Past the
 * bot's own wait it says 'queued' and the result follows as a message"), also when the database
 * goes away between recording the command and marking it late: marking is retried through the
 * outage (bot/features/bet/submit.ts), and only once it is durable is "we'll tell you" said. When
 * the database stays away past that, the user is not promised a message (`order_queued_untold`:
 * "check /portfolio"). Before, the failed mark was swallowed, "we'll tell you" was said, and no
 * one ever told the result.
 */
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent = pino({ level: 'silent' });

let pg: PrivatePostgres;
let url: string;
let ds: DataSource;

beforeAll(async () => {
  pg = await PrivatePostgres.start();
  url = `${pg.server}/pravda_late_outage_${randomBytes(3).toString('hex')}`;
  ds = await openDataSource(url, { migrate: true });
}, 60_000);
afterAll(async () => {
  if (ds?.isInitialized) await ds.destroy();
  await dropDatabase(url).catch(() => undefined);
  await pg?.destroy();
});

test('told "queued" during an outage of a few seconds: marked late when the database is back, the result told later, once', async () => {
  const userId = await userWithMoney(ds, 1_000, 'late-outage');
  const marketId = await openMarket(ds, 'Late through an outage?');
  const [{ telegram_id: chatId }] = await ds.query(`SELECT telegram_id::float8 AS telegram_id FROM users WHERE id = $1`, [userId]);
  const prefix = `late-outage-${randomBytes(4).toString('hex')}`;
  const queues = new Queues(ds, REDIS, prefix, { outageRetryMs: 30_000 });
  const rt = { queues, logger: silent } as unknown as BotRuntime;
  const cmd: PlaceOrderCommand = {
    type: 'place', idempotencyKey: `bet:late-outage-${randomBytes(4).toString('hex')}`, marketId, userId,
    intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 40, qty: 10,
  };
  const sent: NotificationJob[] = [];
  const notifier = { notify: async (j: NotificationJob) => { sent.push(j); return 'queued'; } } as unknown as Notifier;
  let supervisor: MatchingSupervisor | undefined;
  try {
    // No matching worker yet: the command is recorded and waits.
    const answer = submitWithNotice(rt, cmd, 3_000, { delayed: async () => undefined, replyChatId: chatId });
    await until(async () => (await ds.query(`SELECT 1 FROM commands WHERE idempotency_key = $1`, [cmd.idempotencyKey])).length === 1,
      'the command is recorded', 10_000);
    await pg.stopServer('immediate');
    // The bot's 3 s wait ends during the outage; marking the command late fails and is retried.
    await new Promise((r) => setTimeout(r, 5_000));
    await pg.startServer();
    const result = await answer;
    // Marked once the database was back: the bot says "queued for execution. We'll tell you the result."
    expect(result).toMatchObject({ ok: false, code: 'order_queued' });
    await until(async () => ds.query('SELECT 1').then(() => true, () => false), 'the database answers', 10_000);

    supervisor = new MatchingSupervisor({ ds, redisUrl: REDIS, prefix, notifier, logger: silent });
    await supervisor.start();
    await until(async () => (await ds.query(`SELECT 1 FROM commands WHERE idempotency_key = $1 AND applied_at IS NOT NULL`, [cmd.idempotencyKey])).length === 1,
      'the command applies', 20_000);
    // Give the after-commit step and the late-redelivery sweep their chance.
    await new Promise((r) => setTimeout(r, LATE_REDELIVER_MS + 5_000));
    const [row] = await ds.query(`SELECT late_at, reply_chat_id FROM commands WHERE idempotency_key = $1`, [cmd.idempotencyKey]);
    const told = sent.filter((j) => j.chatId === chatId && String(j.dedupeKey ?? '').startsWith('late-'));
    expect({ lateMarked: row.late_at !== null, toldInChat: told.length }).toEqual({ lateMarked: true, toldInChat: 1 });
  } finally {
    await supervisor?.close();
    await queues.close();
  }
}, 90_000);

test('the database stays away past the marking retries: no promise to tell, the user is sent to /portfolio', async () => {
  const userId = await userWithMoney(ds, 1_000, 'late-untold');
  const marketId = await openMarket(ds, 'Untold through a long outage?');
  const queues = new Queues(ds, REDIS, `late-untold-${randomBytes(4).toString('hex')}`, { outageRetryMs: 30_000 });
  const rt = { queues, logger: silent } as unknown as BotRuntime;
  const cmd: PlaceOrderCommand = {
    type: 'place', idempotencyKey: `bet:late-untold-${randomBytes(4).toString('hex')}`, marketId, userId,
    intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 40, qty: 10,
  };
  try {
    const answer = submitWithNotice(rt, cmd, 1_000, { delayed: async () => undefined, replyChatId: 1 });
    await until(async () => (await ds.query(`SELECT 1 FROM commands WHERE idempotency_key = $1`, [cmd.idempotencyKey])).length === 1,
      'the command is recorded', 10_000);
    await pg.stopServer('immediate');
    let result;
    try {
      result = await answer;
    } finally {
      await pg.startServer();
    }
    expect(result).toMatchObject({ ok: false, code: 'order_queued_untold' });
    await until(async () => ds.query('SELECT 1').then(() => true, () => false), 'the database answers', 10_000);
    // Still recorded (it applies when a worker drains it), never marked late: nobody was promised a message.
    const [row] = await ds.query(`SELECT late_at FROM commands WHERE idempotency_key = $1`, [cmd.idempotencyKey]);
    expect(row.late_at).toBeNull();
  } finally {
    await queues.close();
  }
}, 90_000);

test('control: told "queued" without an outage, the result is told later, once (the harness above works)', async () => {
  const userId = await userWithMoney(ds, 1_000, 'late-control');
  const marketId = await openMarket(ds, 'Late without an outage?');
  const [{ telegram_id: chatId }] = await ds.query(`SELECT telegram_id::float8 AS telegram_id FROM users WHERE id = $1`, [userId]);
  const prefix = `late-control-${randomBytes(4).toString('hex')}`;
  const queues = new Queues(ds, REDIS, prefix, { outageRetryMs: 30_000 });
  const rt = { queues, logger: silent } as unknown as BotRuntime;
  const cmd: PlaceOrderCommand = {
    type: 'place', idempotencyKey: `bet:late-control-${randomBytes(4).toString('hex')}`, marketId, userId,
    intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 40, qty: 10,
  };
  const sent: NotificationJob[] = [];
  const notifier = { notify: async (j: NotificationJob) => { sent.push(j); return 'queued'; } } as unknown as Notifier;
  let supervisor: MatchingSupervisor | undefined;
  try {
    const result = await submitWithNotice(rt, cmd, 1_000, { delayed: async () => undefined, replyChatId: chatId });
    expect(result).toMatchObject({ ok: false, code: 'order_queued' });
    supervisor = new MatchingSupervisor({ ds, redisUrl: REDIS, prefix, notifier, logger: silent });
    await supervisor.start();
    await until(async () => sent.some((j) => j.chatId === chatId), 'the late result is told', 20_000);
    const [row] = await ds.query(`SELECT late_at FROM commands WHERE idempotency_key = $1`, [cmd.idempotencyKey]);
    expect(row.late_at).not.toBeNull();
    expect(sent.filter((j) => j.chatId === chatId && String(j.dedupeKey ?? '').startsWith('late-'))).toHaveLength(1);
  } finally {
    await supervisor?.close();
    await queues.close();
  }
}, 60_000);
