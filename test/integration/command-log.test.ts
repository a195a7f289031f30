import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { runAudit } from '../../domain/read/audit';
import type { MatchingCommand, PlaceOrderCommand } from '../../domain/services/commands';
import { mulberry32 } from '../../infra/prng';
import { bullPrefix, Queues } from '../../jobs/queues';
import { createBotApiServer } from '../../tools/botapi/server';
import { startWorkers } from '../../workers';
import { pruneCommands } from '../../domain/services/command-log';
import { startMaintenance } from '../../workers/maintenance';
import { BATCH_MAX, MatchingSupervisor } from '../../workers/matching';
import { Notifier } from '../../workers/notifications/producer';
import { freshDatabase } from '../helpers/db';
import { freePort, killRedis, startRedis, until } from '../helpers/private-redis';
import { startNode } from '../helpers/processes';
import { openMarket, userWithMoney } from '../helpers/world';

/**
 * Issue 13, the durable command path: commands are recorded in Postgres (group commit) before
 * anyone is answered, Redis only signals, and whatever dies — Redis, the matching worker mid-batch
 * — every recorded command is applied exactly once, in order, by itself.
 */
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent = pino({ level: 'silent' });

let ds: DataSource;
let url: string;
let drop: () => Promise<void>;
let botapi: ReturnType<typeof createBotApiServer>;
let apiRoot: string;
let token: string;
let users: number[];

beforeAll(async () => {
  ({ ds, url, drop } = await freshDatabase('cmdlog'));
  botapi = createBotApiServer({ limits: false });
  apiRoot = await botapi.listen();
  ({ token } = botapi.sim.createBot({ username: 'cmdlog_bot', first_name: 'Log' }));
  users = [];
  for (let i = 0; i < 12; i++) users.push(await userWithMoney(ds, 5_000, `l${i}`));
});
afterAll(async () => {
  await botapi.close();
  await drop();
});

/** `n` limit orders over `markets`, half of them crossing (BUY_YES vs BUY_NO around 50). */
function orders(tag: string, markets: number[], n: number): PlaceOrderCommand[] {
  const rnd = mulberry32(n);
  return Array.from({ length: n }, (_, i) => ({
    type: 'place', idempotencyKey: `${tag}-${i}`, marketId: markets[i % markets.length]!, userId: users[Math.floor(rnd() * users.length)]!,
    intent: rnd() < 0.5 ? 'BUY_YES' : 'BUY_NO', kind: 'limit', tif: 'GTC', price: 44 + Math.floor(rnd() * 13), qty: 25 + Math.floor(rnd() * 40),
  }));
}

/**
 * Every command of `keys` recorded once and applied once: no row left unapplied, each successful
 * place made exactly one order (its key is unique in `orders`) with the id its result names, no
 * fill twice, and the ledger audit holds.
 */
async function expectAppliedExactlyOnce(keys: string[]): Promise<void> {
  const [c] = await ds.query(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE applied_at IS NULL)::int AS pending FROM commands WHERE idempotency_key = ANY($1)`, [keys]);
  expect(c).toEqual({ n: keys.length, pending: 0 });
  const rows: { k: string; ok: boolean; order_id: string | null; orders: { id: string }[] }[] = await ds.query(
    `SELECT c.idempotency_key AS k, (c.result->>'ok')::boolean AS ok, c.result->'outcome'->>'orderId' AS order_id,
            COALESCE((SELECT json_agg(json_build_object('id', o.id::text)) FROM orders o WHERE o.idempotency_key = c.idempotency_key), '[]') AS orders
       FROM commands c WHERE c.idempotency_key = ANY($1) AND c.payload->>'type' = 'place'`, [keys]);
  const wrong = rows.filter((r) => r.orders.length > 1 || (r.ok && (r.orders.length !== 1 || r.orders[0]!.id !== r.order_id)));
  expect(wrong).toEqual([]);
  expect(rows.filter((r) => r.ok).length).toBeGreaterThan(keys.length / 2);
  const [fills] = await ds.query(`SELECT count(*)::int AS n, count(DISTINCT (maker_order_id, taker_order_id))::int AS d FROM fills`);
  expect(fills.d).toBe(fills.n);
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
}

/** Commands of one market are applied in the order they were recorded (`seq`), batch by batch. */
async function expectSeqOrder(marketId: number): Promise<void> {
  const rows: { seq: string; applied_at: Date }[] = await ds.query(
    `SELECT seq, applied_at FROM commands WHERE market_id = $1 ORDER BY seq`, [marketId]);
  const out = rows.filter((r, i) => i > 0 && r.applied_at < rows[i - 1]!.applied_at);
  expect(out).toEqual([]);
}

describe('in one process', () => {
  let prefix: string;
  let notifier: Notifier;
  let supervisor: MatchingSupervisor;
  let queues: Queues;
  let markets: number[];

  beforeAll(async () => {
    prefix = `cmdlog-${randomBytes(4).toString('hex')}`;
    notifier = new Notifier(REDIS, bullPrefix(prefix));
    supervisor = new MatchingSupervisor({ ds, redisUrl: REDIS, prefix, notifier, logger: silent });
    await supervisor.start();
    queues = new Queues(ds, REDIS, prefix);
    markets = [await openMarket(ds, 'Group commit one?'), await openMarket(ds, 'Group commit two?')];
  });
  afterAll(async () => {
    await queues.close();
    await supervisor.close();
    await notifier.close();
  });

  test('group commit: 60 concurrent submits are recorded by fewer transactions, all apply, a repeated key once', async () => {
    const cmds = orders('gc', markets, 60);
    const before = queues.recorder.transactions;
    const results = await Promise.all([...cmds, cmds[7]!].map((c) => queues.submit(c, 30_000)));
    const used = queues.recorder.transactions - before;
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThanOrEqual(3);
    expect(results.filter((r) => !r.ok && r.code === 'order_queued')).toEqual([]);
    // The double tap got the same answer as the first.
    expect(results[60]).toEqual(results[7]);
    await expectAppliedExactlyOnce(cmds.map((c) => c.idempotencyKey));
    for (const m of markets) await expectSeqOrder(m);
  }, 60_000);

  test('retention: the maintenance tick deletes applied commands past COMMANDS_RETENTION (at most a limit per run); unapplied ones stay', async () => {
    const cmds = orders('ret', markets, 12);
    await Promise.all(cmds.map((c) => queues.submit(c, 30_000)));
    const keys = cmds.map((c) => c.idempotencyKey);
    // Six applied three days ago, one applied just within the retention, one recorded long ago but never applied.
    await ds.query(`UPDATE commands SET applied_at = now() - interval '3 days' WHERE idempotency_key = ANY($1::text[])`, [keys.slice(0, 6)]);
    await ds.query(`UPDATE commands SET applied_at = now() - interval '23 hours' WHERE idempotency_key = $1`, [keys[6]]);
    await ds.query(`INSERT INTO commands (market_id, idempotency_key, payload, created_at) VALUES ($1, 'ret-stuck', '{}', now() - interval '9 days')`, [markets[0]]);
    // At most `limit` per run.
    expect(await pruneCommands(ds, new Date(Date.now() - 86_400_000), 4)).toBe(4);
    const maintenance = await startMaintenance({ ds, redisUrl: REDIS, prefix, queues, logger: silent, commandsRetentionMs: 86_400_000 });
    try {
      await until(async () => (await ds.query(`SELECT count(*)::int AS n FROM commands WHERE idempotency_key = ANY($1::text[])`, [keys.slice(0, 6)]))[0].n === 0,
        'the expired commands are deleted by the tick', 15_000);
    } finally {
      await maintenance.close();
    }
    const left: { k: string }[] = await ds.query(`SELECT idempotency_key AS k FROM commands WHERE idempotency_key LIKE 'ret-%' ORDER BY seq`);
    expect(left.map((r) => r.k)).toEqual([...keys.slice(6), 'ret-stuck']);
    await ds.query(`DELETE FROM commands WHERE idempotency_key = 'ret-stuck'`);
  }, 60_000);

  test('one malformed command in a group commit fails alone; the others are recorded and apply', async () => {
    const cmds = orders('bad', markets, 10);
    const bad = { ...cmds[3]!, idempotencyKey: 'bad-nan', marketId: Number.NaN };
    const settled = await Promise.allSettled([...cmds, bad].map((c) => queues.submit(c, 30_000)));
    expect(settled.map((s) => s.status)).toEqual([...cmds.map(() => 'fulfilled'), 'rejected']);
    expect(settled.filter((s) => s.status === 'fulfilled' && !s.value.ok && s.value.code === 'order_queued')).toEqual([]);
    await expectAppliedExactlyOnce(cmds.map((c) => c.idempotencyKey));
    expect(await ds.query(`SELECT seq FROM commands WHERE idempotency_key = 'bad-nan'`)).toEqual([]);
  });

  test('a cancel_all submitted again with the same key after its result was published has no second effect', async () => {
    const [marketId] = markets;
    const userId = await userWithMoney(ds, 1_000, 'ca');
    const rest = (k: string): MatchingCommand => ({ type: 'place', idempotencyKey: k, marketId: marketId!, userId, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 20, qty: 100 });
    const placed = await queues.submit(rest('ca-order-1'));
    expect(placed).toMatchObject({ ok: true });
    const cancelAll: MatchingCommand = { type: 'cancel_all', idempotencyKey: 'ca-once', marketId: marketId!, userId };
    const first = await queues.submit(cancelAll);
    expect(first).toMatchObject({ ok: true, cancelled: 1 });
    expect(await queues.submit(rest('ca-order-2'))).toMatchObject({ ok: true });
    // The redelivery: answered at once from the command log, and order 2 stays open.
    const t0 = Date.now();
    expect(await queues.submit(cancelAll)).toEqual(first);
    expect(Date.now() - t0).toBeLessThan(200);
    const open = await ds.query(`SELECT idempotency_key AS k, status FROM orders WHERE user_id = $1 ORDER BY id`, [userId]);
    expect(open).toEqual([{ k: 'ca-order-1', status: 'cancelled' }, { k: 'ca-order-2', status: 'open' }]);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM commands WHERE idempotency_key = 'ca-once'`);
    expect(n).toBe(1);
  });
});

test('Redis killed with a backlog of recorded commands and restarted empty: every command applies exactly once, a market past its deadline closes', async () => {
  const port = await freePort();
  const redisUrl = `redis://127.0.0.1:${port}`;
  let redis = await startRedis(port);
  const prefix = `cmdlog-r-${randomBytes(4).toString('hex')}`;
  const markets = [await openMarket(ds, 'Backlog one?'), await openMarket(ds, 'Backlog two?')];
  const closing = await openMarket(ds, 'Closes while Redis is away?', 48);
  const workers = await startWorkers({ ds, redisUrl, prefix, botToken: token, apiRoot, logger: silent });
  const queues = new Queues(ds, redisUrl, prefix);
  try {
    const before = orders('rb', markets, 300);
    await Promise.all(before.map((c) => queues.enqueue(c)));
    await killRedis(redis);
    const [{ left }] = await ds.query(`SELECT count(*)::int AS left FROM commands WHERE idempotency_key LIKE 'rb-%' AND applied_at IS NULL`);
    expect(left).toBeGreaterThan(0);
    // While Redis is away commands are still recorded (only the signal is lost) and the deadline passes.
    const during = orders('rd', markets, 100);
    await Promise.all(during.map((c) => queues.enqueue(c)));
    await ds.query(`UPDATE markets SET deadline = now() + interval '1 second' WHERE id = $1`, [closing]);
    await new Promise((r) => setTimeout(r, 2_000));
    redis = await startRedis(port);

    const keys = [...before, ...during].map((c) => c.idempotencyKey);
    await until(async () => (await ds.query(`SELECT count(*)::int AS n FROM commands WHERE applied_at IS NULL`))[0].n === 0,
      'every recorded command is applied', 30_000);
    await expectAppliedExactlyOnce(keys);
    for (const m of markets) await expectSeqOrder(m);
    await until(async () => (await ds.query(`SELECT status FROM markets WHERE id = $1`, [closing]))[0].status === 'closed',
      'the market past its deadline is closed', 30_000);
  } finally {
    await queues.close();
    await workers.close();
    await killRedis(redis);
  }
}, 120_000);

test('the matching worker process SIGKILLed twice on the same batch (and once after a commit): nothing lost, nothing doubled, resumes within 5 s', async () => {
  const marketId = await openMarket(ds, 'Killed mid-batch?');
  const prefix = `cmdlog-k-${randomBytes(4).toString('hex')}`;
  const env = { DATABASE_URL: url, REDIS_URL: REDIS, QUEUE_PREFIX: prefix, BOT_TOKEN: token, TELEGRAM_API_ROOT: apiRoot };
  const queues = new Queues(ds, REDIS, prefix);
  const applied = async () => (await ds.query(`SELECT count(*)::int AS n FROM commands WHERE market_id = $1 AND applied_at IS NOT NULL`, [marketId]))[0].n as number;
  try {
    // More than one batch (BATCH_MAX), so the kill after a commit leaves some unapplied.
    const cmds = orders('kill', [marketId], BATCH_MAX * 2 + 200);
    await Promise.all(cmds.map((c) => queues.enqueue(c)));
    for (let kill = 1; kill <= 2; kill++) {
      const child = startNode('bin/start.js', ['workers'], { ...env, PRAVDA_FAULTS: 'matching-before-commit', PRAVDA_FAULT_RATE: '1' });
      await child.exited;
      expect([kill, child.proc.signalCode]).toEqual([kill, 'SIGKILL']);
      // Killed inside the batch's transaction: rolled back, nothing applied, everything still recorded.
      expect(await applied()).toBe(0);
    }
    const third = startNode('bin/start.js', ['workers'], { ...env, PRAVDA_FAULTS: 'matching-after-commit', PRAVDA_FAULT_RATE: '1' });
    await third.exited;
    expect(third.proc.signalCode).toBe('SIGKILL');
    const afterThird = await applied();
    expect(afterThird).toBeGreaterThan(0);
    expect(afterThird).toBeLessThan(cmds.length);

    const restart = Date.now();
    const child = startNode('bin/start.js', ['workers'], env);
    try {
      await until(async () => (await applied()) === cmds.length, 'every command is applied', 60_000);
      const [{ first }] = await ds.query(
        `SELECT extract(epoch FROM min(applied_at)) * 1000 AS first FROM commands WHERE market_id = $1 AND applied_at > to_timestamp($2 / 1000.0)`,
        [marketId, restart]);
      expect(Number(first) - restart).toBeLessThan(5_000);
    } finally {
      await child.kill();
    }
    await expectAppliedExactlyOnce(cmds.map((c) => c.idempotencyKey));
    await expectSeqOrder(marketId);
  } finally {
    await queues.close();
  }
}, 180_000);
