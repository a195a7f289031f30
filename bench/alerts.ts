import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { ensureUserAccounts, post, systemAccountId } from '../domain/ledger/ledger';
import { kop } from '../domain/money';
import type { PlaceOrderCommand } from '../domain/services/commands';
import { createMarket } from '../domain/services/markets';
import { upsertUser } from '../domain/services/users';
import { dropDatabase, ensureDatabase, openDataSource } from '../infra/db';
import { createRedis } from '../infra/redis';
import { mulberry32 } from '../infra/prng';
import { appliedResults } from '../domain/services/command-log';
import { bullPrefix, Queues } from '../jobs/queues';
import { MatchingSupervisor } from '../workers/matching';
import { Notifier } from '../workers/notifications/producer';

/**
 * `alerts` (issue 11): matching throughput of ONE market through the real path (BullMQ queue →
 * matching worker, batches of up to 100 → Postgres commit) with 10 000 armed price alerts and
 * 1 000 stop-loss / take-profit triggers on that market, divided by the same order stream without
 * them (goal ≥ 0.8). The stream trades between 45 and 55; 500 of the alerts sit inside that band
 * (they fire and re-arm as the price moves, so the write path is measured too), the rest and the
 * triggers sit outside it, as most alerts do.
 */
const SERVER = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ORDERS = Number(process.env.BENCH_ORDERS ?? 4000);
const ALERTS = 10_000;
const HOT_ALERTS = 500;
const TRIGGERS = 1_000;
const USERS = 40;
const ALERT_USERS = 200;

async function world(ds: DataSource, withWatch: boolean): Promise<{ market: number; users: number[] }> {
  const r = await createMarket(ds, { title: 'Bench alerts market', category: 'other', deadline: new Date(Date.now() + 86_400_000), createdBy: null });
  if (!r.ok) throw new Error(r.code);
  const market = r.market.id;
  const users: number[] = [];
  const deposits = await systemAccountId(ds.manager, 'external:telegram:deposits');
  for (let i = 0; i < USERS; i++) {
    const { user } = await upsertUser(ds, { id: 910_000 + i, first_name: `b${i}` });
    const acc = await ensureUserAccounts(ds.manager, user.id);
    await ds.transaction((m) => post(m, [{ from: deposits, to: acc.available, amount: kop(100_000_000), kind: 'deposit', refType: 'bench' }]));
    users.push(user.id);
  }
  if (withWatch) {
    const watchers: number[] = [];
    for (let i = 0; i < ALERT_USERS; i++) watchers.push((await upsertUser(ds, { id: 920_000 + i, first_name: `w${i}` })).user.id);
    const rnd = mulberry32(7);
    const rows: [number, string, number][] = [];
    for (let i = 0; i < ALERTS; i++) {
      const hot = i < HOT_ALERTS;
      const kind = i % 2 === 0 ? 'above' : 'below';
      // Cold alerts: above 60..99 or below 1..40; hot ones: inside the traded band.
      const level = hot ? 46 + Math.floor(rnd() * 9) : kind === 'above' ? 60 + Math.floor(rnd() * 40) : 1 + Math.floor(rnd() * 40);
      rows.push([watchers[i % ALERT_USERS]!, kind, level]);
    }
    await ds.query(
      `INSERT INTO price_alerts (user_id, market_id, kind, level, armed)
       SELECT u, $1, k, l, true FROM unnest($2::bigint[], $3::text[], $4::smallint[]) AS r(u, k, l)`,
      [market, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])]);
    const t = Array.from({ length: TRIGGERS }, (_, i) => i);
    // Stops of YES holders far below, take-profits far above: armed all along.
    await ds.query(
      `INSERT INTO price_triggers (user_id, market_id, side, kind, level, yes_level, direction, worst_price)
       SELECT u, $1, 'YES', CASE WHEN i % 2 = 0 THEN 'stop' ELSE 'take' END, l, l, CASE WHEN i % 2 = 0 THEN 'below' ELSE 'above' END, GREATEST(1, l - 10)
         FROM unnest($2::bigint[], $3::int[], $4::smallint[]) AS r(u, i, l)`,
      [market, t.map((i) => watchers[i % ALERT_USERS]!), t, t.map((i) => (i % 2 === 0 ? 5 + (i % 30) : 70 + (i % 29)))]);
  }
  return { market, users };
}

function orders(market: number, users: number[], tag: string): PlaceOrderCommand[] {
  const rnd = mulberry32(42);
  const intents = ['BUY_YES', 'BUY_NO'] as const;
  return Array.from({ length: ORDERS }, (_, i) => {
    const intent = intents[Math.floor(rnd() * 2)]!;
    return {
      type: 'place', idempotencyKey: `${tag}-${i}`, marketId: market, userId: users[Math.floor(rnd() * users.length)]!,
      intent, kind: 'limit', tif: 'GTC', price: 45 + Math.floor(rnd() * 11), qty: 30 + Math.floor(rnd() * 70),
    };
  });
}

/** Orders/s of the stream, from the first enqueue until its last result is stored; and how many alerts fired. */
async function run(withWatch: boolean): Promise<{ perSec: number; fires: number }> {
  const url = `${SERVER}/pravda_bench_alerts_${randomBytes(3).toString('hex')}`;
  await ensureDatabase(url);
  const ds = await openDataSource(url, { migrate: true });
  const prefix = `bench-alerts-${randomBytes(4).toString('hex')}`;
  const logger = pino({ level: 'warn' });
  const notifier = new Notifier(REDIS, bullPrefix(prefix));
  const supervisor = new MatchingSupervisor({ ds, redisUrl: REDIS, prefix, notifier, logger, batchMax: 100 });
  const queues = new Queues(ds, REDIS, prefix);
  const redis = createRedis(REDIS);
  try {
    const { market, users } = await world(ds, withWatch);
    await ds.query('ANALYZE');
    await supervisor.start();
    const cmds = orders(market, users, withWatch ? 'w' : 'n');
    const t0 = process.hrtime.bigint();
    await Promise.all(cmds.map((c) => queues.enqueue(c)));
    const last = cmds[cmds.length - 1]!.idempotencyKey;
    while ((await appliedResults(ds, [last])).size === 0) await new Promise((r) => setTimeout(r, 10));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM alert_fires`);
    return { perSec: ORDERS / seconds, fires: n };
  } finally {
    await supervisor.close();
    await queues.close();
    await notifier.close();
    // The bench's notifications were never meant to be sent: drop its keys.
    for await (const keys of redis.scanStream({ match: `{${prefix}}:*`, count: 500 })) if ((keys as string[]).length) await redis.del(...(keys as string[]));
    redis.disconnect();
    await ds.destroy();
    await dropDatabase(url);
  }
}

async function main(): Promise<void> {
  // Alternating runs, best of two each: the machine is shared, so one slow run must not decide.
  const without = [await run(false)];
  const withW = [await run(true)];
  without.push(await run(false));
  withW.push(await run(true));
  const best = (xs: { perSec: number }[]) => Math.max(...xs.map((x) => x.perSec));
  const r2 = (x: number) => Math.round(x * 100) / 100;
  process.stdout.write(JSON.stringify({
    name: 'alerts', ours: r2(best(withW)), baseline: r2(best(without)), ratio: r2(best(withW) / best(without)), unit: 'orders/s',
    goal: 0.8, orders: ORDERS, alerts: ALERTS, triggers: TRIGGERS, alertsFired: withW[0]!.fires,
  }) + '\n');
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
