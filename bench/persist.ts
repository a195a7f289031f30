import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ensureUserAccounts, post, systemAccountId } from '../domain/ledger/ledger';
import { kop } from '../domain/money';
import { runAudit } from '../domain/read/audit';
import type { PlaceOrderCommand } from '../domain/services/commands';
import { createMarket } from '../domain/services/markets';
import { upsertUser } from '../domain/services/users';
import { dropDatabase, ensureDatabase, openDataSource } from '../infra/db';
import { BATCH_MAX } from '../workers/matching';
import { Queues } from '../jobs/queues';
import { createBotApiServer } from '../tools/botapi/server';
import { mulberry32 } from '../infra/prng';
import { startWorkersProcess, stopAppProcess } from './lib/app-process';

/**
 * `persist`: durable orders per second through the real path (issue 13) — `Queues.submit`, the call
 * the Confirm button makes: the command recorded in Postgres (group commit), the market signalled
 * on the one BullMQ matching queue, drained in batches by a real workers process (`start.js
 * workers`, as deployed: the submitting bot and the workers are separate processes), each batch one
 * commit that also marks its commands applied (synchronous_commit on), the results announced and
 * every submitter answered — against pgbench TPC-B (scale 10, 8 clients) measured right before it
 * on the same machine. Run with batching (up to BENCH_BATCH commands of a market per transaction,
 * default the workers' BATCH_MAX) and with one transaction per order (MATCHING_BATCH_MAX=1). `recordTransactions`: the group commits that
 * recorded the batched run's orders.
 */
const SERVER = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Orders of the batched run: enough for several full batches per market (a steady state, not the first batch's warm-up). */
const ORDERS = Number(process.env.BENCH_ORDERS ?? 48_000);
/** Orders of the one-transaction-per-order run. */
const SINGLE_ORDERS = Number(process.env.BENCH_SINGLE_ORDERS ?? 1500);
const MARKETS = 4;
/** Most commands of a market per transaction in the batched run (default: the workers' own). */
const BATCH = Number(process.env.BENCH_BATCH ?? BATCH_MAX);
const USERS = 40;

function pgbenchTps(): number {
  const db = `pravda_bench_pgbench_${randomBytes(3).toString('hex')}`;
  const url = new URL(SERVER);
  const conn = ['-h', url.hostname, '-p', url.port || '5432', '-U', url.username || 'postgres'];
  execFileSync('createdb', [...conn, db]);
  try {
    execFileSync('pgbench', [...conn, '-i', '-q', '-s', '10', db], { stdio: 'ignore' });
    const out = execFileSync('pgbench', [...conn, '-c', '8', '-j', '2', '-T', '15', '-n', db]).toString();
    const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(out) ?? /tps = ([\d.]+)/.exec(out);
    if (!m) throw new Error(`cannot read pgbench output: ${out}`);
    return Number(m[1]);
  } finally {
    execFileSync('dropdb', [...conn, '--force', db]);
  }
}

async function world(ds: DataSource): Promise<{ markets: number[]; users: number[] }> {
  const markets: number[] = [];
  for (let i = 0; i < MARKETS; i++) {
    const r = await createMarket(ds, { title: `Bench market ${i}`, category: 'other', deadline: new Date(Date.now() + 86_400_000), createdBy: null });
    if (!r.ok) throw new Error(r.code);
    markets.push(r.market.id);
  }
  const users: number[] = [];
  const deposits = await systemAccountId(ds.manager, 'external:telegram:deposits');
  for (let i = 0; i < USERS; i++) {
    const { user } = await upsertUser(ds, { id: 900_000 + i, first_name: `b${i}` });
    const acc = await ensureUserAccounts(ds.manager, user.id);
    await ds.transaction((m) => post(m, [{ from: deposits, to: acc.available, amount: kop(100_000_000), kind: 'deposit', refType: 'bench' }]));
    users.push(user.id);
  }
  return { markets, users };
}

function orders(markets: number[], users: number[], tag: string, count: number): PlaceOrderCommand[] {
  const rnd = mulberry32(42);
  const intents = ['BUY_YES', 'BUY_NO'] as const;
  return Array.from({ length: count }, (_, i) => {
    const intent = intents[Math.floor(rnd() * 2)]!;
    return {
      type: 'place', idempotencyKey: `${tag}-${i}`, marketId: markets[i % markets.length]!, userId: users[Math.floor(rnd() * users.length)]!,
      intent, kind: 'limit', tif: 'GTC', price: 45 + Math.floor(rnd() * 11), qty: 30 + Math.floor(rnd() * 70),
    };
  });
}

/**
 * Orders/s from the first submit until every submitter has its result (every command applied):
 * this process submits as the bot does, a separate workers process drains.
 */
async function run(batchMax: number, count: number): Promise<{ perSec: number; auditOk: boolean; inserts: number }> {
  const url = `${SERVER}/pravda_bench_persist_${randomBytes(3).toString('hex')}`;
  await ensureDatabase(url);
  const ds = await openDataSource(url, { migrate: true });
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  // The workers' Telegram (fill notices go out through it).
  const botapi = createBotApiServer({ limits: false });
  const apiRoot = await botapi.listen();
  const { token } = botapi.sim.createBot({ username: 'persist_bench_bot', first_name: 'Bench' });
  const queues = new Queues(ds, REDIS, prefix);
  let workers: ChildProcess | null = null;
  try {
    const { markets, users } = await world(ds);
    workers = await startWorkersProcess({ databaseUrl: url, redisUrl: REDIS, prefix, apiRoot, token, env: { MATCHING_BATCH_MAX: String(batchMax) } });
    const cmds = orders(markets, users, `b${batchMax}`, count);
    const t0 = process.hrtime.bigint();
    const results = await Promise.all(cmds.map((c) => queues.submit(c, 600_000)));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const audit = await runAudit(ds.manager);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM commands WHERE applied_at IS NOT NULL`);
    const answered = results.filter((r) => r.ok || r.code !== 'order_queued').length;
    return { perSec: count / seconds, auditOk: audit.ok && n === count && answered === count, inserts: queues.recorder.transactions };
  } finally {
    await stopAppProcess(workers);
    await queues.close();
    await botapi.close();
    await ds.destroy();
    await dropDatabase(url);
  }
}

async function main(): Promise<void> {
  const baseline = pgbenchTps();
  const batched = await run(BATCH, ORDERS);
  // A rate, so fewer orders suffice: one commit each is slow.
  const single = await run(1, SINGLE_ORDERS);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  process.stdout.write(JSON.stringify({
    name: 'persist', ours: r2(batched.perSec), baseline: r2(baseline), ratio: r2(batched.perSec / baseline), unit: 'orders/s',
    oneTxPerOrder: r2(single.perSec), oneTxPerOrderRatio: r2(single.perSec / baseline), orders: ORDERS, oneTxOrders: SINGLE_ORDERS, batchMax: BATCH,
    auditOk: batched.auditOk && single.auditOk, recordTransactions: batched.inserts,
  }) + '\n');
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
