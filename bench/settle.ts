import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { runAudit } from '../domain/read/audit';
import { SETTLE_BATCH, settleMarket } from '../domain/services/settlement';
import { dropDatabase, openDataSource } from '../infra/db';
import { seedResolvedMarket } from './lib/positions';

/**
 * `settle`: seconds to pay a market of 100 000 positions with `settleMarket` (crash-safe,
 * parallel-safe batches of SETTLE_BATCH positions, each its own transaction) against ONE set-based
 * SQL statement paying the same rows (postings, balances, positions, market) on an identical copy
 * of the database (CREATE DATABASE ... TEMPLATE). Both results are audited.
 */
const SERVER = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const HOLDERS = Number(process.env.BENCH_SETTLE_HOLDERS ?? 50_000);
const YES_PAYOUT = 37;

/** The baseline: the whole settlement as one statement (no batches, no resumability). */
const ONE_STATEMENT = `
  WITH pos AS (
    SELECT p.user_id, p.outcome, a.id AS account_id,
           p.shares * CASE WHEN p.outcome = 'YES' THEN m.yes_payout ELSE 100 - m.yes_payout END AS payout
      FROM positions p JOIN markets m ON m.id = p.market_id
      JOIN accounts a ON a.code = 'user:' || p.user_id || ':available'
     WHERE p.market_id = $1 AND p.settled_at IS NULL FOR UPDATE OF p),
  esc AS (SELECT id FROM accounts WHERE code = 'market:' || $1::text || ':escrow'),
  ins AS (
    INSERT INTO postings (from_account_id, to_account_id, amount, kind, ref_type, ref_id, idempotency_key)
    SELECT esc.id, pos.account_id, pos.payout, 'settlement', 'market', $1, 'settle:' || $1::text || ':' || pos.user_id || ':' || pos.outcome
      FROM pos, esc WHERE pos.payout > 0 RETURNING 1),
  paid AS (
    UPDATE positions p SET settled_at = now(), payout_kop = pos.payout FROM pos
     WHERE p.market_id = $1 AND p.user_id = pos.user_id AND p.outcome = pos.outcome RETURNING 1),
  credit AS (UPDATE accounts a SET balance = a.balance + pos.payout FROM pos WHERE a.id = pos.account_id AND pos.payout > 0 RETURNING 1),
  debit AS (UPDATE accounts a SET balance = a.balance - (SELECT sum(payout) FROM pos) FROM esc WHERE a.id = esc.id RETURNING 1),
  done AS (UPDATE markets SET status = 'settled', settled_at = now() WHERE id = $1 RETURNING 1)
  SELECT (SELECT count(*) FROM paid) AS paid, (SELECT count(*) FROM ins) AS postings, (SELECT count(*) FROM done) AS markets`;

async function seconds<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = process.hrtime.bigint();
  const r = await f();
  return [Number(process.hrtime.bigint() - t0) / 1e9, r];
}

async function paidTotal(ds: DataSource, marketId: number): Promise<number> {
  const [r] = await ds.query(`SELECT sum(payout_kop)::bigint AS s FROM positions WHERE market_id = $1`, [marketId]);
  return Number(r.s);
}

async function main(): Promise<void> {
  const tag = randomBytes(3).toString('hex');
  const oursUrl = `${SERVER}/pravda_bench_settle_${tag}`;
  const baseUrl = `${SERVER}/pravda_bench_settle_${tag}_copy`;
  let ds = await openDataSource(oursUrl, { migrate: true });
  let copy: DataSource | null = null;
  try {
    const seeded = await seedResolvedMarket(ds, HOLDERS, YES_PAYOUT);
    await ds.query('VACUUM ANALYZE');
    await ds.destroy();
    const admin = new Client({ connectionString: `${SERVER}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${new URL(baseUrl).pathname.slice(1)}" TEMPLATE "${new URL(oursUrl).pathname.slice(1)}"`);
    await admin.end();
    ds = await openDataSource(oursUrl);
    copy = await openDataSource(baseUrl);

    const [ours, result] = await seconds(() => settleMarket(ds, seeded.marketId));
    const [baseline, [row]] = await seconds(() => copy!.query(ONE_STATEMENT, [seeded.marketId]));
    const audits = await Promise.all([runAudit(ds.manager), runAudit(copy.manager)]);
    const same = (await paidTotal(ds, seeded.marketId)) === (await paidTotal(copy, seeded.marketId));
    if (result.positions !== seeded.positions || Number(row.paid) !== seeded.positions || !same) {
      throw new Error(`runs disagree: ours ${JSON.stringify(result)}, baseline ${JSON.stringify(row)}`);
    }
    process.stdout.write(`${JSON.stringify({
      name: 'settle', ours: Number(ours.toFixed(3)), baseline: Number(baseline.toFixed(3)), ratio: Number((ours / baseline).toFixed(2)), unit: 's',
      positions: seeded.positions, batchSize: SETTLE_BATCH, paidKop: result.paidKop, auditOk: audits.every((a) => a.ok),
    })}\n`);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    if (copy?.isInitialized) await copy.destroy();
    await dropDatabase(oursUrl);
    await dropDatabase(baseUrl);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
