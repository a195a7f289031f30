import type { DataSource } from 'typeorm';
import type { SeededMarket } from '../../bench/lib/positions';
import { runAudit } from '../../domain/read/audit';

/**
 * Checks that every position of seeded markets was paid exactly once (DESIGN §3 invariant 5):
 * each market settled with its escrow at 0; each position marked paid with shares × payout; one
 * settlement posting per paid position and none twice; and, since seeded holders start with
 * nothing, each holder's balance is exactly their payout. Then the whole-ledger audit.
 */
export async function expectPaidExactlyOnce(ds: DataSource, markets: readonly SeededMarket[]): Promise<void> {
  const ids = markets.map((m) => m.marketId);
  const states = await ds.query(
    `SELECT m.id, m.status, s.status AS job, s.positions_total, s.positions_paid, a.balance AS escrow
       FROM markets m JOIN settlements s ON s.market_id = m.id JOIN accounts a ON a.code = 'market:' || m.id || ':escrow'
      WHERE m.id = ANY($1::bigint[])`, [ids]);
  expect(states).toHaveLength(markets.length);
  for (const s of states) {
    expect({ id: s.id, status: s.status, job: s.job, paid: s.positions_paid, escrow: s.escrow })
      .toEqual({ id: s.id, status: 'settled', job: 'done', paid: s.positions_total, escrow: '0' });
  }
  const [wrong] = await ds.query(
    `SELECT count(*)::int AS unpaid_or_wrong FROM positions p JOIN markets m ON m.id = p.market_id
      WHERE p.market_id = ANY($1::bigint[])
        AND (p.settled_at IS NULL OR p.payout_kop IS DISTINCT FROM p.shares * CASE WHEN p.outcome = 'YES' THEN m.yes_payout ELSE 100 - m.yes_payout END)`,
    [ids]);
  expect(wrong.unpaid_or_wrong).toBe(0);
  const [postings] = await ds.query(
    `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys,
            (SELECT count(*)::int FROM positions WHERE market_id = ANY($1::bigint[]) AND payout_kop > 0) AS paid_positions,
            count(*) FILTER (WHERE pos.payout_kop IS DISTINCT FROM p.amount)::int AS amount_mismatch
       FROM postings p
       LEFT JOIN positions pos ON p.idempotency_key = 'settle:' || pos.market_id || ':' || pos.user_id || ':' || pos.outcome
      WHERE p.kind = 'settlement' AND p.ref_id = ANY($1::bigint[])`, [ids]);
  expect(postings).toEqual({ n: postings.paid_positions, keys: postings.paid_positions, paid_positions: postings.paid_positions, amount_mismatch: 0 });
  const [balances] = await ds.query(
    `SELECT count(*)::int AS wrong FROM (
       SELECT p.user_id, sum(p.payout_kop) AS payout, a.balance FROM positions p
         JOIN accounts a ON a.code = 'user:' || p.user_id || ':available'
        WHERE p.market_id = ANY($1::bigint[]) GROUP BY p.user_id, a.balance) x
      WHERE x.payout <> x.balance`, [ids]);
  expect(balances.wrong).toBe(0);
  const audit = await runAudit(ds.manager);
  expect(audit.ok ? 'ok' : JSON.stringify(audit.invariants)).toBe('ok');
}
