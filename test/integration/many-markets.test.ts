import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type IORedis from 'ioredis';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { runAudit } from '../../domain/read/audit';
import type { MatchingCommand, PlaceOrderCommand } from '../../domain/services/commands';
import { mulberry32 } from '../../infra/prng';
import { createRedis } from '../../infra/redis';
import { bullPrefix, Queues } from '../../jobs/queues';
import { MatchingSupervisor } from '../../workers/matching';
import { Notifier } from '../../workers/notifications/producer';
import { freshDatabase } from '../helpers/db';
import { freePort, killRedis, startRedis, until } from '../helpers/private-redis';
import { openMarket, seedOpenMarkets, userWithMoney } from '../helpers/world';
import { BookCache, loadBook } from '../../domain/services/book-cache';
import { recordCommands } from '../../domain/services/command-log';
import { drainMarkets } from '../../domain/services/matching';

/**
 * Issue 13, many markets: a matching worker serves thousands of open markets with the same Redis
 * connections as ten (one queue for all markets, no per-market worker), keeps a bounded number of
 * books in memory, and a market whose trading stopped releases what it held. Redis is a private
 * redis-server of this file, so `CLIENT LIST` counts only this file's clients.
 */
const silent = pino({ level: 'silent' });
const MARKETS = 2_500;
const BOOKS_MAX = 300;

let ds: DataSource;
let drop: () => Promise<void>;
let redis: ChildProcess;
let redisUrl: string;
let probe: IORedis;
let users: number[];
let markets: number[];
let notifier: Notifier;
let supervisor: MatchingSupervisor;
let queues: Queues;
let prefix: string;

/** Clients connected to the private Redis now, this file's probe left out. */
async function clients(): Promise<number> {
  const list = (await probe.call('CLIENT', 'LIST')) as string;
  return list.split('\n').filter((l) => l.trim() !== '').length - 1;
}

/**
 * Keys of the matching queue in the private Redis (jobs, their locks, the queue's lists): what
 * could be left per market. (Notices wait per chat for a notifications worker, not run here.)
 */
async function keys(): Promise<number> {
  return ((await probe.keys(`{${prefix}}:matching:*`)) as string[]).length;
}

/**
 * Submits `cmds` all at once, sampling the client count every 100 ms until every result is in;
 * returns the most clients seen.
 */
async function submitAll(cmds: readonly MatchingCommand[]): Promise<number> {
  let most = await clients();
  const timer = setInterval(() => void clients().then((n) => (most = Math.max(most, n)), () => undefined), 100);
  try {
    const results = await Promise.all(cmds.map((c) => queues.submit(c, 120_000)));
    expect(results.filter((r) => !r.ok && r.code === 'order_queued')).toEqual([]);
  } finally {
    clearInterval(timer);
  }
  return Math.max(most, await clients());
}

/** One limit order on each of `on`, around 50 so that about half of a market's pairs cross. */
function orders(tag: string, on: readonly number[], perMarket: number): PlaceOrderCommand[] {
  const rnd = mulberry32(on.length * 31 + perMarket);
  const out: PlaceOrderCommand[] = [];
  for (let k = 0; k < perMarket; k++) {
    on.forEach((marketId, i) => out.push({
      type: 'place', idempotencyKey: `${tag}-${k}-${i}`, marketId, userId: users[Math.floor(rnd() * users.length)]!,
      intent: rnd() < 0.5 ? 'BUY_YES' : 'BUY_NO', kind: 'limit', tif: 'GTC', price: 46 + Math.floor(rnd() * 9), qty: 10 + Math.floor(rnd() * 20),
    }));
  }
  return out;
}

/** Every command of `keys` applied once; each market's in `seq` order; the ledger audit holds. */
async function expectAppliedOnceInOrder(cmdKeys: string[]): Promise<void> {
  const [c] = await ds.query(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE applied_at IS NULL)::int AS pending FROM commands WHERE idempotency_key = ANY($1)`, [cmdKeys]);
  expect(c).toEqual({ n: cmdKeys.length, pending: 0 });
  const [dup] = await ds.query(
    `SELECT count(*)::int AS n FROM (SELECT idempotency_key FROM orders WHERE idempotency_key = ANY($1) GROUP BY 1 HAVING count(*) > 1) d`, [cmdKeys]);
  expect(dup.n).toBe(0);
  // Within a market, a later command never applied in an earlier transaction than one before it.
  const [disorder] = await ds.query(
    `SELECT count(*)::int AS n FROM (
       SELECT applied_at < lag(applied_at) OVER (PARTITION BY market_id ORDER BY seq) AS back
         FROM commands WHERE idempotency_key = ANY($1)) s WHERE back`, [cmdKeys]);
  expect(disorder.n).toBe(0);
  const [fills] = await ds.query(`SELECT count(*)::int AS n, count(DISTINCT (maker_order_id, taker_order_id))::int AS d FROM fills`);
  expect(fills.d).toBe(fills.n);
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
}

beforeAll(async () => {
  ({ ds, drop } = await freshDatabase('many'));
  const port = await freePort();
  redis = await startRedis(port);
  redisUrl = `redis://127.0.0.1:${port}`;
  probe = createRedis(redisUrl);
  users = [];
  for (let i = 0; i < 30; i++) users.push(await userWithMoney(ds, 100_000, `mm${i}`));
  markets = await seedOpenMarkets(ds, MARKETS);
  prefix = `many-${randomBytes(4).toString('hex')}`;
  notifier = new Notifier(redisUrl, bullPrefix(prefix));
  supervisor = new MatchingSupervisor({ ds, redisUrl, prefix, notifier, logger: silent, bookCacheMax: BOOKS_MAX });
  await supervisor.start();
  queues = new Queues(ds, redisUrl, prefix);
}, 120_000);

afterAll(async () => {
  await queues?.close();
  await supervisor?.close();
  await notifier?.close();
  probe?.disconnect();
  if (redis) await killRedis(redis);
  await drop();
});

describe('many open markets', () => {
  test(`${MARKETS} markets are served with the Redis clients of 10, a bounded book cache, every command applied once in order`, async () => {
    const few = orders('few', markets.slice(0, 10), 20);
    const withFew = await submitAll(few);
    const keysWithFew = await keys();
    const many = orders('many', markets, 2);
    const withMany = await submitAll(many);
    // The same connections whatever the number of markets (formerly a blocking worker connection per market).
    expect(withMany).toBe(withFew);
    expect(withMany).toBeLessThan(20);
    // No Redis key per market once its commands are applied (drain and sweep jobs are removed when done).
    await until(async () => supervisor.activeDrains === 0 && (await keys()) - keysWithFew < 10, 'no key left per market', 30_000);
    // Books: at most the bound, however many markets traded.
    expect(supervisor.books.size).toBeLessThanOrEqual(BOOKS_MAX);
    expect(supervisor.books.size).toBeGreaterThan(0);
    // Several markets' commands shared transactions: fewer transactions than markets.
    const [tx] = await ds.query(
      `SELECT count(DISTINCT applied_at)::int AS n FROM commands WHERE idempotency_key = ANY($1)`, [many.map((c) => c.idempotencyKey)]);
    expect(tx.n).toBeLessThan(MARKETS);
    await expectAppliedOnceInOrder([...few, ...many].map((c) => c.idempotencyKey));
  }, 240_000);

  test('a market whose trading stopped releases its book and holds nothing in the worker or in Redis', async () => {
    const before = await clients();
    // The most recently traded markets: their books are in memory.
    const held = markets.filter((id) => supervisor.books.has(id)).slice(0, 40);
    expect(held.length).toBe(40);
    const [{ open }] = await ds.query(`SELECT count(*)::int AS open FROM orders WHERE market_id = ANY($1) AND status = 'open'`, [held]);
    expect(open).toBeGreaterThan(0);
    const closes: MatchingCommand[] = held.map((marketId) => ({ type: 'close', idempotencyKey: `close-${marketId}`, marketId }));
    await submitAll(closes);
    for (const id of held) expect(supervisor.books.has(id)).toBe(false);
    const [after] = await ds.query(
      `SELECT count(*) FILTER (WHERE status <> 'closed')::int AS still_open,
              (SELECT count(*)::int FROM orders WHERE market_id = ANY($1) AND status = 'open') AS orders
         FROM markets WHERE id = ANY($1)`, [held]);
    expect(after).toEqual({ still_open: 0, orders: 0 });
    await until(async () => supervisor.activeDrains === 0, 'every drain ended', 20_000);
    expect(await clients()).toBe(before);
    // Orders sent to a closed market are refused and make no book again.
    const late = orders('late', held.slice(0, 5), 1);
    const results = await Promise.all(late.map((c) => queues.submit(c, 60_000)));
    expect(results.every((r) => !r.ok)).toBe(true);
    for (const id of held) expect(supervisor.books.has(id)).toBe(false);
    expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
  }, 120_000);

  test('one transaction of several markets: one user\'s money is shared by them, house makers trade, books match a rebuild', async () => {
    // Recorded without a signal, then drained directly: this test decides what one transaction takes.
    const poor = await userWithMoney(ds, 100); // 10 000 kop: three resting orders of 3 000 kop, not four
    const rich = await userWithMoney(ds, 10_000);
    const plain = await seedOpenMarkets(ds, 5);
    const made = [await openMarket(ds, 'Maker one?', 48, 50_000), await openMarket(ds, 'Maker two?', 48, 50_000)];
    const cmds: MatchingCommand[] = [
      ...plain.map((marketId, i): PlaceOrderCommand => ({
        type: 'place', idempotencyKey: `poor-${i}`, marketId, userId: poor, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 50, qty: 60,
      })),
      // Orders that cross the house makers' quotes (around 50).
      ...made.map((marketId, i): PlaceOrderCommand => ({
        type: 'place', idempotencyKey: `rich-${i}`, marketId, userId: rich, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 80, qty: 20,
      })),
    ];
    await recordCommands(ds, cmds.map((cmd) => ({ cmd, reqId: cmd.idempotencyKey })));
    const cache = new BookCache();
    const outs = await drainMarkets(ds, cache, plain[0]!, { max: 500, maxMarkets: 64, claim: (c, most) => c.slice(0, most) });
    expect(outs.map((o) => o.marketId).sort()).toEqual([...plain, ...made].sort());
    const keys = cmds.map((c) => c.idempotencyKey);
    const [tx] = await ds.query(`SELECT count(DISTINCT applied_at)::int AS n FROM commands WHERE idempotency_key = ANY($1)`, [keys]);
    expect(tx.n).toBe(1);
    const poorResults = outs.filter((o) => plain.includes(o.marketId)).sort((a, b) => a.marketId - b.marketId).map((o) => o.results[0]!);
    expect(poorResults.filter((r) => r.ok)).toHaveLength(3);
    expect(poorResults.filter((r) => !r.ok).map((r) => !r.ok && r.code)).toEqual(['insufficient_funds', 'insufficient_funds']);
    const [bal] = await ds.query(`SELECT balance::int AS b FROM accounts WHERE user_id = $1 AND kind = 'available'`, [poor]);
    expect(bal.b).toBe(1_000);
    for (const o of outs.filter((x) => made.includes(x.marketId))) {
      expect(o.results[0]).toMatchObject({ ok: true });
      expect((o.results[0] as { outcome: { filled: number } }).outcome.filled).toBe(20);
    }
    for (const id of [...plain, ...made]) {
      const [row] = await ds.query(`SELECT book_version FROM markets WHERE id = $1`, [id]);
      expect((await cache.get(ds.manager, id, Number(row.book_version))).hash()).toBe((await loadBook(ds.manager, id)).hash());
    }
    expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
  }, 60_000);
});
