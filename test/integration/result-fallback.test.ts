import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { BookCache } from '../../domain/services/book-cache';
import type { CommandResult, PlaceOrderCommand } from '../../domain/services/commands';
import { drainMarket } from '../../domain/services/matching';
import { bullPrefix, Queues, resultChannel, type ResultMessage } from '../../jobs/queues';
import { MatchingSupervisor } from '../../workers/matching';
import { Notifier } from '../../workers/notifications/producer';
import { freshDatabase } from '../helpers/db';
import { dropKeys } from '../helpers/redis-keys';
import { openMarket, userWithMoney } from '../helpers/world';

/**
 * The fallback of lost result announcements (jobs/queues.ts): a waiting `Queues.submit` whose
 * result is never published on `resultChannel` still gets it, from `commands.result`.
 * - Subscriber healthy, announcement lost: the lazy poll answers, not before POLL_MS.
 * - The subscriber's connection killed by Redis (ioredis reconnects): every waiter is polled at
 *   once, well before its next lazy poll was due.
 * - An announcement (ours, and a real MatchingSupervisor's) still wakes the waiter at once, with
 *   no poll at all.
 * - 300 waiters whose announcements are lost all get their own results, from a handful of polls.
 * Commands are applied "silently" with the domain drain (domain/services/matching.ts drainMarket),
 * which publishes nothing; a spy subscriber on each result channel checks that nothing was said.
 */
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** jobs/queues.ts POLL_MS (not exported): a waiter's first lazy poll, then doubling up to 8 000 ms. */
const POLL_MS = 2_000;
/** jobs/queues.ts POLL_TICK_MS: a poll reads the waiters due within the coming tick, so up to this much early. */
const POLL_TICK_MS = 250;
/** The earliest a waiter's first lazy poll can run after its submit started. */
const FIRST_POLL_MS = POLL_MS - POLL_TICK_MS;
const silent = pino({ level: 'silent' });
const RUN = `rfb-${randomBytes(4).toString('hex')}`;

let ds: DataSource;
let drop: () => Promise<void>;
let users: number[];
let markets: number[];
let admin: IORedis;
let spy: IORedis;
const prefixes: string[] = [];
/** Messages the spy heard, per channel. */
const heard = new Map<string, string[]>();
/** The poll queries of jobs/queues.ts (appliedResults on the Queues' DataSource): when, and which keys. */
const polls: { at: number; keys: string[] }[] = [];

beforeAll(async () => {
  ({ ds, drop } = await freshDatabase('rfb'));
  users = [];
  for (let i = 0; i < 10; i++) users.push(await userWithMoney(ds, 5_000, `rfb${i}`));
  markets = [await openMarket(ds, 'Fallback one?'), await openMarket(ds, 'Fallback two?')];
  // Count the waiters' polls: appliedResults runs `ds.query` on the DataSource given to Queues.
  const query = ds.query.bind(ds);
  ds.query = ((sql: string, params?: unknown[], runner?: never) => {
    if (/idempotency_key = ANY\(\$1::text\[\]\) AND applied_at IS NOT NULL/.test(sql)) {
      polls.push({ at: Date.now(), keys: [...((params?.[0] as string[] | undefined) ?? [])] });
    }
    return query(sql, params, runner);
  }) as DataSource['query'];
  admin = new IORedis(REDIS, { maxRetriesPerRequest: null });
  spy = new IORedis(REDIS, { maxRetriesPerRequest: null });
  spy.on('message', (channel: string, message: string) => heard.set(channel, [...(heard.get(channel) ?? []), message]));
});
afterAll(async () => {
  spy.disconnect();
  await admin.quit();
  for (const p of prefixes) await dropKeys(REDIS, p);
  await drop();
});

/** A Queues of a fresh prefix whose Redis connections are named `name` (ioredis takes the URL's query as options). */
async function openQueues(tag: string): Promise<{ queues: Queues; prefix: string; name: string }> {
  const prefix = `${RUN}-${tag}`;
  prefixes.push(prefix);
  const url = new URL(REDIS);
  url.searchParams.set('connectionName', prefix);
  await spy.subscribe(resultChannel(prefix));
  return { queues: new Queues(ds, url.toString(), prefix), prefix, name: prefix };
}

let n = 0;
function order(tag: string, i = n++): PlaceOrderCommand {
  return {
    type: 'place', idempotencyKey: `${RUN}-${tag}-${i}`, marketId: markets[i % markets.length]!, userId: users[i % users.length]!,
    intent: i % 2 === 0 ? 'BUY_YES' : 'BUY_NO', kind: 'limit', tif: 'GTC', price: 40 + (i % 21), qty: 25 + 5 * (i % 7),
  };
}

/** A promise's value and when it settled (Date.now). */
function timed<T>(p: Promise<T>): Promise<{ value: T; at: number }> {
  return p.then((value) => ({ value, at: Date.now() }));
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until all `keys` are recorded: from then on their submits wait (their record answered "new, unapplied"). */
async function recorded(keys: string[]): Promise<void> {
  await waitFor(async () => {
    const [row] = await ds.query(`SELECT count(*)::int AS n FROM commands WHERE idempotency_key = ANY($1)`, [keys]);
    return row.n === keys.length;
  }, `${keys.length} commands are recorded`);
}

/** Applies every recorded command of our markets with the domain drain: nothing is announced. Results by key. */
async function drainSilently(): Promise<Map<string, CommandResult>> {
  const out = new Map<string, CommandResult>();
  const cache = new BookCache();
  for (const m of markets) {
    for (let o = await drainMarket(ds, cache, m, { max: 500 }); o; o = await drainMarket(ds, cache, m, { max: 500 })) {
      o.cmds.forEach((p, i) => out.set(p.cmd.idempotencyKey, o.results[i]!));
    }
  }
  return out;
}

async function stored(keys: string[]): Promise<Map<string, CommandResult>> {
  const rows: { k: string; result: CommandResult }[] = await ds.query(
    `SELECT idempotency_key AS k, result FROM commands WHERE idempotency_key = ANY($1) AND applied_at IS NOT NULL`, [keys]);
  return new Map(rows.map((r) => [r.k, r.result]));
}

const pollsOf = (key: string) => polls.filter((p) => p.keys.includes(key));

/** Redis' view of the clients named `name` that are subscribed (the Queues' subscriber). */
async function subscribers(name: string): Promise<string[]> {
  const list = (await admin.client('LIST')) as string;
  return list.split('\n').filter((l) => l.includes(` name=${name} `) && / sub=[1-9]/.test(l)).map((l) => /^id=(\d+)/.exec(l)![1]!);
}

test('a lost announcement with the subscriber healthy: the lazy poll answers with the stored result, after POLL_MS', async () => {
  const { queues, prefix } = await openQueues('lost');
  try {
    const cmd = order('lost');
    const t0 = Date.now();
    const submitted = timed(queues.submit(cmd, 30_000));
    await recorded([cmd.idempotencyKey]);
    const applied = (await drainSilently()).get(cmd.idempotencyKey)!;
    const drainedAt = Date.now();
    expect(applied).toMatchObject({ ok: true, outcome: { orderId: expect.any(Number) } });

    const { value, at } = await submitted;
    expect(value).toEqual((await stored([cmd.idempotencyKey])).get(cmd.idempotencyKey));
    expect(value).toEqual(applied);
    // From the poll: nothing was announced, and it came no sooner than the first lazy poll can run
    // (the waiter is due POLL_MS after its submit started), but well within the wait.
    expect(heard.get(resultChannel(prefix)) ?? []).toEqual([]);
    expect(at - t0).toBeGreaterThanOrEqual(FIRST_POLL_MS);
    expect(at - t0).toBeLessThan(10_000);
    expect(at).toBeGreaterThan(drainedAt);
    const mine = pollsOf(cmd.idempotencyKey);
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine[0]!.at - t0).toBeGreaterThanOrEqual(FIRST_POLL_MS);
  } finally {
    await queues.close();
  }
});

test('the subscriber reconnects: the waiter is polled at once, long before its next lazy poll', async () => {
  const { queues, prefix, name } = await openQueues('reconnect');
  try {
    const cmd = order('reconnect');
    const t0 = Date.now();
    const submitted = timed(queues.submit(cmd, 30_000));
    await recorded([cmd.idempotencyKey]);
    // Let the first lazy poll (at POLL_MS) find nothing: the next is due 2 × POLL_MS after it, so the
    // drain and the reconnect have seconds of room before it, however loaded the machine.
    await waitFor(() => pollsOf(cmd.idempotencyKey).length === 1, 'the first lazy poll ran');
    const firstPoll = pollsOf(cmd.idempotencyKey)[0]!.at;
    expect(firstPoll - t0).toBeGreaterThanOrEqual(FIRST_POLL_MS);
    const nextLazyPoll = firstPoll + 2 * POLL_MS - POLL_TICK_MS;

    const applied = (await drainSilently()).get(cmd.idempotencyKey)!;
    expect(applied).toMatchObject({ ok: true });
    const [subId] = await subscribers(name);
    expect(await subscribers(name)).toEqual([subId]);
    const killedAt = Date.now();
    await admin.client('KILL', 'ID', subId!);

    const { value, at } = await submitted;
    expect(value).toEqual((await stored([cmd.idempotencyKey])).get(cmd.idempotencyKey));
    expect(value).toEqual(applied);
    expect(heard.get(resultChannel(prefix)) ?? []).toEqual([]);
    // A poll after the kill answered it, before the lazy schedule would have (margin for the poll's clock read).
    const afterKill = pollsOf(cmd.idempotencyKey).filter((p) => p.at >= killedAt);
    expect(afterKill).toHaveLength(1);
    expect(afterKill[0]!.at).toBeLessThan(nextLazyPoll - 50);
    expect(at).toBeLessThan(nextLazyPoll - 50);
    // And it did reconnect (and resubscribe) by itself.
    await waitFor(async () => (await subscribers(name)).length === 1, 'the subscriber is back');
    expect(await subscribers(name)).not.toEqual([subId]);
  } finally {
    await queues.close();
  }
});

test('an announcement still wakes the waiter at once, without a poll', async () => {
  const { queues, prefix } = await openQueues('told');
  try {
    const cmd = order('told');
    const t0 = Date.now();
    const submitted = timed(queues.submit(cmd, 30_000));
    await recorded([cmd.idempotencyKey]);
    const applied = (await drainSilently()).get(cmd.idempotencyKey)!;
    const message: ResultMessage = [[`${RUN}-unknown-key`, applied], [cmd.idempotencyKey, applied]];
    await admin.publish(resultChannel(prefix), JSON.stringify(message));
    const { value, at } = await submitted;
    expect(value).toEqual(applied);
    expect(pollsOf(cmd.idempotencyKey)).toEqual([]);
    expect(at - t0).toBeLessThan(POLL_MS);
  } finally {
    await queues.close();
  }
});

test('a real matching worker announces: the waiter wakes at once, without a poll', async () => {
  const { queues, prefix } = await openQueues('worker');
  const notifier = new Notifier(REDIS, bullPrefix(prefix));
  const supervisor = new MatchingSupervisor({ ds, redisUrl: REDIS, prefix, notifier, logger: silent });
  await supervisor.start();
  try {
    const cmd = order('worker');
    const t0 = Date.now();
    const { value, at } = await timed(queues.submit(cmd, 30_000));
    expect(value).toMatchObject({ ok: true });
    expect(value).toEqual((await stored([cmd.idempotencyKey])).get(cmd.idempotencyKey));
    expect(pollsOf(cmd.idempotencyKey)).toEqual([]);
    expect(at - t0).toBeLessThan(POLL_MS);
    await waitFor(() => (heard.get(resultChannel(prefix)) ?? []).some((m) => m.includes(cmd.idempotencyKey)), 'the spy heard it');
  } finally {
    await queues.close();
    await supervisor.close();
    await notifier.close();
  }
});

test('300 waiters whose announcements are lost all get their own stored results, from a few polls', async () => {
  const { queues, prefix } = await openQueues('many');
  try {
    const cmds = Array.from({ length: 300 }, (_, i) => order('many', i));
    const keys = cmds.map((c) => c.idempotencyKey);
    const t0 = Date.now();
    const submitted = cmds.map((c) => timed(queues.submit(c, 30_000)));
    await recorded(keys);
    const applied = await drainSilently();
    expect(keys.filter((k) => !applied.has(k))).toEqual([]);

    const answers = await Promise.all(submitted);
    const inDb = await stored(keys);
    expect(keys.filter((k, i) => JSON.stringify(answers[i]!.value) !== JSON.stringify(inDb.get(k)))).toEqual([]);
    answers.forEach((a, i) => expect(a.value).toEqual(applied.get(keys[i]!)));
    const ids = answers.map((a) => (a.value.ok ? a.value.outcome?.orderId ?? null : null));
    expect(ids.filter((id) => id === null)).toEqual([]);
    expect(new Set(ids).size).toBe(300);
    expect(Math.min(...answers.map((a) => a.at - t0))).toBeGreaterThanOrEqual(FIRST_POLL_MS);
    expect(heard.get(resultChannel(prefix)) ?? []).toEqual([]);
    // A poll reads every due waiter in one query: a handful of queries, not one per waiter.
    const mine = polls.filter((p) => p.keys.some((k) => k.startsWith(`${RUN}-many-`)));
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine.length).toBeLessThanOrEqual(5);
  } finally {
    await queues.close();
  }
});
