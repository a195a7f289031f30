import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ensureUserAccounts, post, systemAccountId } from '../domain/ledger/ledger';
import { kop } from '../domain/money';
import { runAudit } from '../domain/read/audit';
import type { PlaceOrderCommand } from '../domain/services/commands';
import { upsertUser } from '../domain/services/users';
import { dropDatabase, ensureDatabase, openDataSource } from '../infra/db';
import { mulberry32 } from '../infra/prng';
import { createRedis } from '../infra/redis';
import { Queues } from '../jobs/queues';
import { freePort, killRedis, startRedis } from '../test/helpers/private-redis';
import { seedOpenMarkets } from '../test/helpers/world';
import { createBotApiServer } from '../tools/botapi/server';
import { startWorkersProcess, stopAppProcess } from './lib/app-process';

/**
 * `markets` (issue 13, "Many markets"): the same number of orders (BENCH_MARKETS_ORDERS, default
 * 5 000) spread over 10, 1 000 and 10 000 open markets (BENCH_MARKETS_SIZES), each size on a fresh
 * database, submitted with `Queues.submit` (as the Confirm button does) and drained by a real
 * workers process (`start.js workers`). Measured at each size: orders/s from the first submit
 * until every submitter has its result, and the Redis clients of the workers process (`CLIENT
 * LIST` on a private redis-server of this benchmark, minus this process's own clients; the most
 * seen while draining, sampled every 200 ms). Every size runs BENCH_MARKETS_ROUNDS times (default
 * 2), interleaved, and its best orders/s counts. `ours` is the orders/s at the largest size,
 * `baseline` at the smallest, `ratio` ours ÷ baseline (goal ≥ 0.7); `connectionsConstant` whether
 * the workers' client count was the same in every run. The ledger is audited after each size.
 */
const SERVER = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const ORDERS = Number(process.env.BENCH_MARKETS_ORDERS ?? 5000);
const SIZES = (process.env.BENCH_MARKETS_SIZES ?? '10,1000,10000').split(',').map(Number);
const USERS = Number(process.env.BENCH_MARKETS_USERS ?? 200);
/** Runs of every size (BENCH_MARKETS_ROUNDS), interleaved; the best orders/s of each size counts. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_MARKETS_ROUNDS ?? 2));

/** Users funded through the ledger from the outside deposits account, as a Telegram payment does. */
async function seedUsers(ds: DataSource): Promise<number[]> {
  const deposits = await systemAccountId(ds.manager, 'external:telegram:deposits');
  const users: number[] = [];
  for (let i = 0; i < USERS; i++) {
    const { user } = await upsertUser(ds, { id: 910_000 + i, first_name: `m${i}` });
    const acc = await ensureUserAccounts(ds.manager, user.id);
    await ds.transaction((m) => post(m, [{ from: deposits, to: acc.available, amount: kop(100_000_000), kind: 'deposit', refType: 'bench' }]));
    users.push(user.id);
  }
  return users;
}

function orders(markets: number[], users: number[], tag: string): PlaceOrderCommand[] {
  const rnd = mulberry32(42);
  const intents = ['BUY_YES', 'BUY_NO'] as const;
  return Array.from({ length: ORDERS }, (_, i) => ({
    type: 'place', idempotencyKey: `${tag}-${i}`, marketId: markets[i % markets.length]!, userId: users[Math.floor(rnd() * users.length)]!,
    intent: intents[Math.floor(rnd() * 2)]!, kind: 'limit', tif: 'GTC', price: 45 + Math.floor(rnd() * 11), qty: 30 + Math.floor(rnd() * 70),
  }));
}

interface SizeResult {
  markets: number;
  perSec: number;
  /** Most Redis clients of the workers process seen while draining. */
  clients: number;
  /** The same, idle after the run. */
  clientsAfter: number;
  /** Commits of the database during the run ÷ orders (pg_stat_database). */
  commitsPerOrder: number;
  /** Transactions that applied the orders. */
  drainTransactions: number;
  ok: boolean;
}

async function run(count: number, redisUrl: string): Promise<SizeResult> {
  const url = `${SERVER}/pravda_bench_markets_${randomBytes(3).toString('hex')}`;
  await ensureDatabase(url);
  const ds = await openDataSource(url, { migrate: true });
  const prefix = `bm-${randomBytes(4).toString('hex')}`;
  const botapi = createBotApiServer({ limits: false });
  const apiRoot = await botapi.listen();
  const { token } = botapi.sim.createBot({ username: 'markets_bench_bot', first_name: 'Bench' });
  const probe = createRedis(redisUrl);
  const clients = async () => (await probe.call('CLIENT', 'LIST') as string).split('\n').filter((l) => l.trim() !== '').length;
  const queues = new Queues(ds, redisUrl, prefix);
  let workers: ChildProcess | null = null;
  let sampler: NodeJS.Timeout | undefined;
  try {
    // No house maker, so every size does the same work per order.
    const markets = await seedOpenMarkets(ds, count);
    const users = await seedUsers(ds);
    await ds.query('ANALYZE');
    await new Promise((r) => setTimeout(r, 300));
    const own = await clients();
    const commits = async () => Number((await ds.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`))[0].xact_commit);
    const commits0 = await commits();
    workers = await startWorkersProcess({ databaseUrl: url, redisUrl, prefix, apiRoot, token });
    const cmds = orders(markets, users, `m${count}`);
    let most = 0;
    sampler = setInterval(() => void clients().then((n) => (most = Math.max(most, n - own)), () => undefined), 200);
    const t0 = process.hrtime.bigint();
    const results = await Promise.all(cmds.map((c) => queues.submit(c, 600_000)));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    most = Math.max(most, (await clients()) - own);
    await new Promise((r) => setTimeout(r, 2_500)); // a sweep or two later
    const after = (await clients()) - own;
    // Every commit of the database meanwhile (the workers' batches, the recorder's, sweeps and reads): per order.
    const commitsPerOrder = ((await commits()) - commits0) / ORDERS;
    const audit = await runAudit(ds.manager);
    // applied_at is now() of the applying transaction: distinct values ≈ drain transactions.
    const [{ n, txs }] = await ds.query(`SELECT count(*)::int AS n, count(DISTINCT applied_at)::int AS txs FROM commands WHERE applied_at IS NOT NULL`);
    const answered = results.filter((r) => r.ok || r.code !== 'order_queued').length;
    return { markets: count, perSec: ORDERS / seconds, clients: most, clientsAfter: after, commitsPerOrder, drainTransactions: txs, ok: audit.ok && n === ORDERS && answered === ORDERS };
  } finally {
    clearInterval(sampler);
    await stopAppProcess(workers);
    await queues.close();
    probe.disconnect();
    await botapi.close();
    await ds.destroy();
    await dropDatabase(url);
  }
}

async function main(): Promise<void> {
  const port = await freePort();
  const redis = await startRedis(port);
  try {
    // Rounds over all sizes, interleaved, each size's best orders/s kept: the machine is shared,
    // and a burst of someone else's load during one size would otherwise decide the ratio.
    const runs: SizeResult[] = [];
    for (let r = 0; r < ROUNDS; r++) for (const n of SIZES) runs.push(await run(n, `redis://127.0.0.1:${port}`));
    const sizes = SIZES.map((n) => {
      const of = runs.filter((x) => x.markets === n);
      const best = of.reduce((a, b) => (b.perSec > a.perSec ? b : a));
      return { ...best, clients: Math.max(...of.map((x) => x.clients)), clientsAfter: Math.max(...of.map((x) => x.clientsAfter)), ok: of.every((x) => x.ok) };
    });
    const connectionsConstant = runs.every((x) => x.clients === runs[0]!.clients && x.clientsAfter === runs[0]!.clientsAfter);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const first = sizes[0]!;
    const last = sizes[sizes.length - 1]!;
    process.stdout.write(JSON.stringify({
      name: 'markets', ours: r2(last.perSec), baseline: r2(first.perSec), ratio: r2(last.perSec / first.perSec), unit: 'orders/s',
      orders: ORDERS,
      sizes: sizes.map((s) => ({ markets: s.markets, ordersPerSec: r2(s.perSec), redisClients: s.clients, redisClientsIdle: s.clientsAfter, commitsPerOrder: r2(s.commitsPerOrder), drainTransactions: s.drainTransactions })),
      rounds: ROUNDS, connectionsConstant,
      auditOk: sizes.every((s) => s.ok),
    }) + '\n');
  } finally {
    await killRedis(redis);
  }
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
