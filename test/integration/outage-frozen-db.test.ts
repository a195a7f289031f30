import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { CommandResult, PlaceOrderCommand } from '../../domain/services/commands';
import { dropDatabase, openDataSource } from '../../infra/db';
import { Queues } from '../../jobs/queues';
import { PrivatePostgres } from '../helpers/private-pg';
import { openMarket, userWithMoney } from '../helpers/world';

/**
 * A command the database cannot record is refused with `unavailable` after OUTAGE_RETRY_MS, never
 * silence (docs/RELIABILITY.md) — also when the server stops answering without cutting the
 * connection (a frozen host, a black-holed network: here the private cluster's processes are
 * SIGSTOPped). Each recording attempt is capped at what is left of the budget
 * (jobs/command-log.ts MIN_ATTEMPT_MS); before, the INSERT never returned and the submit stayed
 * silent far past the budget.
 */
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let pg: PrivatePostgres;
let url: string;
let ds: DataSource;

/** The private cluster's server processes (postmaster and its children). */
function clusterPids(): number[] {
  const dataDir = (pg as unknown as { dataDir: string }).dataDir;
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('pgrep', ['-P', String(postmaster)]).toString().trim().split('\n').filter(Boolean).map(Number);
  return [postmaster, ...children];
}
function signal(sig: 'SIGSTOP' | 'SIGCONT'): void {
  for (const pid of clusterPids()) process.kill(pid, sig);
}

beforeAll(async () => {
  pg = await PrivatePostgres.start();
  url = `${pg.server}/pravda_frozen_${randomBytes(3).toString('hex')}`;
  ds = await openDataSource(url, { migrate: true });
}, 60_000);
afterAll(async () => {
  try { signal('SIGCONT'); } catch { /* not running */ }
  if (ds?.isInitialized) await ds.destroy();
  await dropDatabase(url).catch(() => undefined);
  await pg?.destroy();
});

test('a database that stops answering (no connection reset): the submit is refused `unavailable` after OUTAGE_RETRY_MS', async () => {
  const userId = await userWithMoney(ds, 100, 'hang');
  const marketId = await openMarket(ds, 'Frozen database?');
  const queues = new Queues(ds, REDIS, `frozen-db-${randomBytes(4).toString('hex')}`, { outageRetryMs: 4_000 });
  const cmd: PlaceOrderCommand = { type: 'place', idempotencyKey: 'hang-1', marketId, userId, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 40, qty: 25 };
  let delayed = 0;
  signal('SIGSTOP');
  const t0 = Date.now();
  let answer: CommandResult | 'still silent after 12 s';
  const submitted = queues.submit(cmd, 3_000, { onDelayed: () => delayed++ });
  try {
    answer = await Promise.race([
      submitted,
      new Promise<'still silent after 12 s'>((r) => setTimeout(() => r('still silent after 12 s'), 12_000)),
    ]);
  } finally {
    signal('SIGCONT');
  }
  const took = Date.now() - t0;
  await submitted.catch(() => undefined);
  await queues.close();
  // "Delayed" once (at 2.5 s), then `unavailable` within the 4 s budget plus one attempt's floor.
  expect(delayed).toBe(1);
  expect({ answer, refusedInTime: took < 4_000 + 1_500 }).toEqual({ answer: { ok: false, code: 'unavailable', vars: undefined }, refusedInTime: true });
}, 60_000);
