import type { DataSource } from 'typeorm';
import { faultPoint } from '../../infra/faults';
import { post } from '../ledger/ledger';
import { kop, type Kop } from '../money';
import { returnMakerFunds, type MakerSettlement } from './liquidity';

/** A position paid by settlement. */
export interface Payout {
  userId: number;
  outcome: 'YES' | 'NO';
  shares: number;
  payoutKop: Kop;
}

export interface SettleProgress {
  total: number;
  paid: number;
}

export interface SettleResult {
  status: 'settled' | 'not_resolved';
  positions: number;
  paidKop: Kop;
  /**
   * The market's house maker (DESIGN §9): what it returned to its funder and its profit (> 0) or
   * loss (< 0), kop, for the settlement report; null when the market has none or is not resolved.
   */
  maker: MakerSettlement | null;
}

/** Thrown when a market's escrow is not exactly used up: a broken invariant, never retried blindly. */
export class SettlementInvariantError extends Error {}

/** Positions paid per transaction by default: large enough that 100 000 positions take ~50 commits. */
export const SETTLE_BATCH = 2000;

/**
 * Pays every position of a resolved market exactly once (DESIGN §4): YES shares get `yes_payout`
 * kop each, NO shares 100 − that, out of the market escrow.
 *
 * Crash-safe and parallel-safe by construction: positions are paid in small transactions, each
 * taking unpaid rows with `FOR UPDATE SKIP LOCKED`, paying them and marking them `settled_at` in
 * the same commit; the posting's idempotency key `settle:<market>:<user>:<outcome>` is unique, so
 * even a bug could not pay a position twice. Running it again, in parallel, or after `kill -9` at
 * any point resumes where the last commit left off. The payout per share is frozen in the
 * `settlements` row by the first run, so every run pays the same. The last step checks the escrow
 * is 0 and marks the market settled; the same commit returns what the market's maker holds to its
 * funder (liquidity.returnMakerFunds, once by its idempotency key).
 *
 * @param opts.batchSize positions per transaction (default {@link SETTLE_BATCH})
 * @param opts.onProgress called after each committed batch with positions paid so far (all runs)
 * @returns `not_resolved` (nothing paid) unless the market is resolved or settled
 * @throws SettlementInvariantError if the escrow is not 0 once every position is paid
 */
export async function settleMarket(
  ds: DataSource, marketId: number, opts: { batchSize?: number; onProgress?: (p: SettleProgress) => Promise<void> | void } = {},
): Promise<SettleResult> {
  const batchSize = opts.batchSize ?? SETTLE_BATCH;
  const start = await ds.transaction(async (m) => {
    const [mk] = await m.query(`SELECT status, yes_payout FROM markets WHERE id = $1 FOR UPDATE`, [marketId]);
    if (!mk || (mk.status !== 'resolved' && mk.status !== 'settled')) return null;
    await m.query(
      `INSERT INTO settlements (market_id, yes_payout, positions_total)
       SELECT $1, $2, count(*) FROM positions WHERE market_id = $1 ON CONFLICT (market_id) DO NOTHING`,
      [marketId, mk.yes_payout]);
    const [s] = await m.query(
      `SELECT s.yes_payout, s.positions_total, a.id AS escrow_id
         FROM settlements s JOIN accounts a ON a.code = 'market:' || s.market_id::text || ':escrow'
        WHERE s.market_id = $1`, [marketId]);
    if (Number(s.yes_payout) !== Number(mk.yes_payout)) {
      throw new SettlementInvariantError(`market ${marketId}: settling at ${s.yes_payout} but resolved at ${mk.yes_payout}`);
    }
    return { yesPayout: Number(s.yes_payout), total: Number(s.positions_total), escrowId: Number(s.escrow_id) };
  });
  if (!start) return { status: 'not_resolved', positions: 0, paidKop: kop(0), maker: null };
  faultPoint('settle-after-start');

  // Parallel runs split the rows with SKIP LOCKED; when none is free, one blocking pass waits for
  // rows another run holds: paid if it commits, still unpaid (and so paid here) if it died. Both
  // passes lock in (user, outcome) order, so two blocking passes cannot deadlock.
  const payBatch = (skipLocked: boolean) => ds.transaction(async (m) => {
    const rows: { user_id: string; outcome: 'YES' | 'NO'; shares: number; account_id: string }[] = await m.query(
      `SELECT p.user_id, p.outcome, p.shares, a.id AS account_id
         FROM positions p JOIN accounts a ON a.code = 'user:' || p.user_id::text || ':available'
        WHERE p.market_id = $1 AND p.settled_at IS NULL
        ORDER BY p.user_id, p.outcome LIMIT $2 FOR UPDATE OF p ${skipLocked ? 'SKIP LOCKED' : ''}`,
      [marketId, batchSize]);
    if (rows.length === 0) return null;
    const payouts = rows.map((r) => ({
      userId: Number(r.user_id),
      outcome: r.outcome,
      accountId: Number(r.account_id),
      payoutKop: kop(r.shares * (r.outcome === 'YES' ? start.yesPayout : 100 - start.yesPayout)),
    }));
    await post(m, payouts.map((p) => ({
      from: start.escrowId,
      to: p.accountId,
      amount: p.payoutKop,
      kind: 'settlement',
      refType: 'market',
      refId: marketId,
      idempotencyKey: `settle:${marketId}:${p.userId}:${p.outcome}`,
    })));
    faultPoint('settle-after-post');
    const sum = payouts.reduce((s, p) => s + p.payoutKop, 0);
    // One round trip; a top-level SELECT, because TypeORM returns [rows, count] for an UPDATE.
    const [s] = await m.query(
      `WITH paid AS (
         UPDATE positions p SET settled_at = now(), payout_kop = v.payout
           FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS v(user_id, outcome, payout)
          WHERE p.market_id = $1 AND p.user_id = v.user_id AND p.outcome = v.outcome AND p.settled_at IS NULL
         RETURNING 1),
       progress AS (
         UPDATE settlements SET positions_paid = positions_paid + (SELECT count(*) FROM paid), paid_kop = paid_kop + $5
          WHERE market_id = $1 RETURNING positions_paid)
       SELECT progress.positions_paid, (SELECT count(*) FROM paid) AS marked FROM progress`,
      [marketId, payouts.map((p) => p.userId), payouts.map((p) => p.outcome), payouts.map((p) => p.payoutKop), sum]);
    // The rows are locked by this transaction, so each must be marked now; anything else is a bug
    // that must roll the payments back rather than leave a paid position looking unpaid.
    if (Number(s.marked) !== payouts.length) throw new SettlementInvariantError(`market ${marketId}: marked ${s.marked} of ${payouts.length} paid positions`);
    faultPoint('settle-before-commit');
    return Number(s.positions_paid);
  });
  for (;;) {
    const paid = (await payBatch(true)) ?? (await payBatch(false));
    faultPoint('settle-after-commit');
    if (paid === null) break;
    await opts.onProgress?.({ total: start.total, paid });
  }

  return ds.transaction(async (m) => {
    const [mk] = await m.query(`SELECT status FROM markets WHERE id = $1 FOR UPDATE`, [marketId]);
    const [left] = await m.query(`SELECT count(*) n FROM positions WHERE market_id = $1 AND settled_at IS NULL`, [marketId]);
    if (Number(left.n) > 0) throw new Error(`market ${marketId}: positions still unpaid (another run holds them)`);
    const [esc] = await m.query(`SELECT balance FROM accounts WHERE id = $1`, [start.escrowId]);
    if (Number(esc.balance) !== 0) throw new SettlementInvariantError(`market ${marketId}: escrow ${esc.balance} kop left after settlement`);
    if (mk.status !== 'settled') {
      await m.query(`UPDATE markets SET status = 'settled', settled_at = now() WHERE id = $1`, [marketId]);
      await m.query(`UPDATE settlements SET status = 'done', finished_at = now() WHERE market_id = $1`, [marketId]);
      await m.query(`INSERT INTO market_events (market_id, kind, data) VALUES ($1, 'settled', '{}')`, [marketId]);
      faultPoint('settle-before-finish');
    }
    // Every position is paid, the maker's included: what it holds now goes back to its funder.
    const maker = await returnMakerFunds(m, marketId);
    const [s] = await m.query(`SELECT positions_total, paid_kop FROM settlements WHERE market_id = $1`, [marketId]);
    return { status: 'settled' as const, positions: Number(s.positions_total), paidKop: kop(Number(s.paid_kop)), maker };
  });
}

/** Every position of a settled market with its payout (for the holders' notifications). */
export async function payoutsOf(ds: DataSource, marketId: number): Promise<Payout[]> {
  const rows = await ds.query(
    `SELECT user_id, outcome, shares, payout_kop FROM positions WHERE market_id = $1 AND settled_at IS NOT NULL AND shares > 0`,
    [marketId]);
  return rows.map((r: { user_id: string; outcome: 'YES' | 'NO'; shares: number; payout_kop: string }) => ({
    userId: Number(r.user_id), outcome: r.outcome, shares: r.shares, payoutKop: kop(Number(r.payout_kop)),
  }));
}
