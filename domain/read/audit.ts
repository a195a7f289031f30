import type { EntityManager } from 'typeorm';
import { int } from './rows';

/** One invariant's verdict: `violations` lists offending ids with what was found. */
export interface InvariantReport {
  ok: boolean;
  checked: number;
  violations: Record<string, unknown>[];
}

export interface AuditReport {
  ok: boolean;
  invariants: Record<string, InvariantReport>;
}

const LIMIT = 50;

function report(checked: number, violations: Record<string, unknown>[]): InvariantReport {
  return { ok: violations.length === 0, checked, violations: violations.slice(0, LIMIT) };
}

/**
 * Checks DESIGN §3 invariants 1–5 (and the at-most-once part of 6 that the data can show) on a
 * live database, read-only, in one REPEATABLE READ snapshot so concurrent trading cannot make a
 * consistent state look broken. Balances are recomputed from postings: they are the truth.
 */
export async function runAudit(m: EntityManager): Promise<AuditReport> {
  return m.transaction('REPEATABLE READ', async (tx) => {
    await tx.query(`
      CREATE TEMP TABLE audit_bal ON COMMIT DROP AS
      SELECT a.id, a.code, a.kind, a.user_id, a.market_id, a.balance AS cached, a.may_go_negative,
             COALESCE(i.s, 0) - COALESCE(o.s, 0) AS derived
        FROM accounts a
        LEFT JOIN (SELECT to_account_id AS id, sum(amount) s FROM postings GROUP BY 1) i ON i.id = a.id
        LEFT JOIN (SELECT from_account_id AS id, sum(amount) s FROM postings GROUP BY 1) o ON o.id = a.id`);
    const inv: Record<string, InvariantReport> = {};

    const [sum] = await tx.query(`SELECT count(*) n, COALESCE(sum(derived), 0) total FROM audit_bal`);
    const cacheDrift = await tx.query(
      `SELECT id, code, cached::text, derived::text FROM audit_bal WHERE NOT may_go_negative AND cached <> derived`);
    inv['1_ledger_sums_to_zero'] = report(int(sum.n), [
      ...(Number(sum.total) !== 0 ? [{ total: String(sum.total) }] : []),
      ...cacheDrift.map((r: Record<string, unknown>) => ({ ...r, problem: 'cached balance differs from postings' })),
    ]);

    const negative = await tx.query(
      `SELECT id, code, derived::text AS balance FROM audit_bal WHERE NOT may_go_negative AND derived < 0`);
    const [nUser] = await tx.query(`SELECT count(*) n FROM audit_bal WHERE NOT may_go_negative`);
    inv['2_no_negative_user_accounts'] = report(int(nUser.n), negative);

    const escrow = await tx.query(`
      SELECT mk.id AS market_id, mk.status, b.derived::text AS escrow,
             (100 * COALESCE(sum(p.shares) FILTER (WHERE p.outcome = 'YES' AND p.settled_at IS NULL), 0))::text AS yes_backing,
             (100 * COALESCE(sum(p.shares) FILTER (WHERE p.outcome = 'NO' AND p.settled_at IS NULL), 0))::text AS no_backing
        FROM markets mk
        JOIN audit_bal b ON b.kind = 'escrow' AND b.market_id = mk.id
        LEFT JOIN positions p ON p.market_id = mk.id
       WHERE mk.status <> 'settled'
       GROUP BY mk.id, mk.status, b.derived`);
    inv['3_escrow_backs_outstanding_pairs'] = report(escrow.length, escrow.filter(
      (r: { escrow: string; yes_backing: string; no_backing: string }) => r.escrow !== r.yes_backing || r.escrow !== r.no_backing));

    const reservedKop = await tx.query(`
      SELECT b.user_id, b.derived::text AS reserved, COALESCE(o.need, 0)::text AS open_orders_need
        FROM audit_bal b
        LEFT JOIN (SELECT user_id, sum(CASE WHEN intent = 'BUY_YES' THEN price ELSE 100 - price END * remaining) need
                     FROM orders WHERE status = 'open' AND intent IN ('BUY_YES', 'BUY_NO') GROUP BY user_id) o
          ON o.user_id = b.user_id
       WHERE b.kind = 'reserved' AND b.derived <> COALESCE(o.need, 0)`);
    const reservedShares = await tx.query(`
      SELECT p.user_id, p.market_id, p.outcome, p.reserved, COALESCE(o.need, 0) AS open_orders_need
        FROM positions p
        LEFT JOIN (SELECT user_id, market_id, CASE WHEN intent = 'SELL_YES' THEN 'YES' ELSE 'NO' END AS outcome, sum(remaining) need
                     FROM orders WHERE status = 'open' AND intent IN ('SELL_YES', 'SELL_NO') GROUP BY 1, 2, 3) o
          ON o.user_id = p.user_id AND o.market_id = p.market_id AND o.outcome = p.outcome
       WHERE p.reserved <> COALESCE(o.need, 0)`);
    const [nRes] = await tx.query(`SELECT (SELECT count(*) FROM audit_bal WHERE kind = 'reserved') + (SELECT count(*) FROM positions) n`);
    inv['4_reserves_match_open_orders'] = report(int(nRes.n), [...reservedKop, ...reservedShares]);

    const settled = await tx.query(`
      SELECT mk.id AS market_id, b.derived::text AS escrow,
             count(p.*) FILTER (WHERE p.shares > 0 AND p.settled_at IS NULL) AS unpaid_positions,
             count(p.*) FILTER (WHERE p.payout_kop IS DISTINCT FROM
               p.shares * CASE WHEN p.outcome = 'YES' THEN mk.yes_payout ELSE 100 - mk.yes_payout END) AS wrong_payouts
        FROM markets mk
        JOIN audit_bal b ON b.kind = 'escrow' AND b.market_id = mk.id
        LEFT JOIN positions p ON p.market_id = mk.id
       WHERE mk.status = 'settled'
       GROUP BY mk.id, b.derived`);
    const twice = await tx.query(`
      SELECT ref_id AS market_id, idempotency_key, count(*) n FROM postings
       WHERE kind = 'settlement' GROUP BY ref_id, idempotency_key HAVING count(*) > 1`);
    inv['5_settled_markets_paid_once'] = report(settled.length, [
      ...settled.filter((r: { escrow: string; unpaid_positions: string; wrong_payouts: string }) =>
        r.escrow !== '0' || int(r.unpaid_positions) > 0 || int(r.wrong_payouts) > 0),
      ...twice,
    ]);

    const dupPayments = await tx.query(`
      SELECT ref_id AS payment_id, count(*) n FROM postings WHERE ref_type = 'payment' GROUP BY ref_id HAVING count(*) > 1`);
    const [nPay] = await tx.query(`SELECT count(*) n FROM payments`);
    inv['6_outside_events_once'] = report(int(nPay.n), dupPayments);

    Object.assign(inv, await withdrawalInvariants(tx));
    Object.assign(inv, await promoInvariants(tx));
    return { ok: Object.values(inv).every((r) => r.ok), invariants: inv };
  });
}

/**
 * Withdrawal invariants (issue 9): each user's `withdrawal_pending` account equals the sum of their
 * open (pending or approved) requests; every paid request has exactly one payout posting (and at
 * most one fee posting, equal to its fee); no request is both paid and released.
 * Runs inside {@link runAudit}'s snapshot, after `audit_bal` is built.
 */
async function withdrawalInvariants(tx: EntityManager): Promise<Record<string, InvariantReport>> {
  const pending = await tx.query(`
    SELECT COALESCE(b.user_id, o.user_id) AS user_id, COALESCE(b.derived, 0)::text AS pending_account, COALESCE(o.s, 0)::text AS open_requests
      FROM (SELECT user_id, derived FROM audit_bal WHERE kind = 'withdrawal_pending') b
      FULL JOIN (SELECT user_id, sum(amount_kop) s FROM withdrawals WHERE status IN ('pending', 'approved') GROUP BY user_id) o
        ON o.user_id = b.user_id
     WHERE COALESCE(b.derived, 0) <> COALESCE(o.s, 0)`);
  const [nPending] = await tx.query(`SELECT count(*) n FROM audit_bal WHERE kind = 'withdrawal_pending'`);
  const paid = await tx.query(`
    SELECT w.id AS withdrawal_id, w.status,
           count(p.*) FILTER (WHERE p.kind = 'withdrawal_payout') AS payouts,
           COALESCE(sum(p.amount) FILTER (WHERE p.kind = 'withdrawal_payout'), 0)::text AS paid_out,
           COALESCE(sum(p.amount) FILTER (WHERE p.kind = 'withdrawal_fee'), 0)::text AS fee_posted,
           (w.amount_kop - w.fee_kop)::text AS net, w.fee_kop::text AS fee
      FROM withdrawals w
      LEFT JOIN postings p ON p.ref_type = 'withdrawal' AND p.ref_id = w.id
     GROUP BY w.id
    HAVING (w.status = 'paid' AND (count(p.*) FILTER (WHERE p.kind = 'withdrawal_payout') <> 1
              OR COALESCE(sum(p.amount) FILTER (WHERE p.kind = 'withdrawal_payout'), 0) <> w.amount_kop - w.fee_kop
              OR COALESCE(sum(p.amount) FILTER (WHERE p.kind = 'withdrawal_fee'), 0) <> w.fee_kop))
        OR (w.status <> 'paid' AND count(p.*) FILTER (WHERE p.kind IN ('withdrawal_payout', 'withdrawal_fee')) > 0)`);
  const both = await tx.query(`
    SELECT w.id AS withdrawal_id, w.status,
           count(*) FILTER (WHERE p.kind = 'withdrawal_release') AS releases,
           count(*) FILTER (WHERE p.kind = 'withdrawal_payout') AS payouts
      FROM withdrawals w JOIN postings p ON p.ref_type = 'withdrawal' AND p.ref_id = w.id
     GROUP BY w.id
    HAVING (count(*) FILTER (WHERE p.kind = 'withdrawal_release') > 0 AND count(*) FILTER (WHERE p.kind = 'withdrawal_payout') > 0)
        OR count(*) FILTER (WHERE p.kind = 'withdrawal_release') > 1
        OR (w.status IN ('rejected', 'cancelled')) <> (count(*) FILTER (WHERE p.kind = 'withdrawal_release') = 1)`);
  const [nW] = await tx.query(`SELECT count(*) n, count(*) FILTER (WHERE status = 'paid') paid FROM withdrawals`);
  return {
    '7_withdrawal_pending_matches_requests': report(Number(nPending.n), pending),
    '8_paid_withdrawals_paid_once': report(Number(nW.paid), paid),
    '9_withdrawal_paid_or_released_not_both': report(Number(nW.n), both),
  };
}

/**
 * `house:promo` invariants (issue 12): the promo account pays only referral rewards and league prizes, each invitee's
 * rewards were posted exactly as the `referrals` row records them (and none before it was marked
 * rewarded), so no reward is paid twice or without its record. Runs inside {@link runAudit}'s snapshot.
 */
async function promoInvariants(tx: EntityManager): Promise<Record<string, InvariantReport>> {
  const unexplained = await tx.query(`
    SELECT p.id AS posting_id, p.kind, p.ref_type, p.idempotency_key
      FROM postings p JOIN accounts h ON h.id = p.from_account_id AND h.code = 'house:promo'
     WHERE NOT (p.kind = 'referral_reward' AND p.ref_type = 'referral') AND NOT (p.kind = 'league_prize' AND p.ref_type = 'league')`);
  const [nPromo] = await tx.query(`
    SELECT count(*) n FROM postings p JOIN accounts h ON h.id = p.from_account_id AND h.code = 'house:promo'`);
  const referrals = await tx.query(`
    SELECT r.invitee_id, r.rewarded_at IS NOT NULL AS rewarded,
           COALESCE(r.inviter_reward_kop, 0)::text AS inviter_recorded, COALESCE(r.invitee_reward_kop, 0)::text AS invitee_recorded,
           COALESCE(sum(p.amount) FILTER (WHERE p.idempotency_key = 'referral:' || r.invitee_id || ':inviter'), 0)::text AS inviter_paid,
           COALESCE(sum(p.amount) FILTER (WHERE p.idempotency_key = 'referral:' || r.invitee_id || ':invitee'), 0)::text AS invitee_paid,
           count(p.*) AS postings
      FROM referrals r
      LEFT JOIN postings p ON p.ref_type = 'referral' AND p.ref_id = r.invitee_id AND p.kind = 'referral_reward'
     GROUP BY r.invitee_id
    HAVING COALESCE(r.inviter_reward_kop, 0) <> COALESCE(sum(p.amount) FILTER (WHERE p.idempotency_key = 'referral:' || r.invitee_id || ':inviter'), 0)
        OR COALESCE(r.invitee_reward_kop, 0) <> COALESCE(sum(p.amount) FILTER (WHERE p.idempotency_key = 'referral:' || r.invitee_id || ':invitee'), 0)
        OR count(p.*) FILTER (WHERE p.idempotency_key NOT IN ('referral:' || r.invitee_id || ':inviter', 'referral:' || r.invitee_id || ':invitee')) > 0`);
  const orphans = await tx.query(`
    SELECT p.id AS posting_id, p.ref_id AS invitee_id FROM postings p
     WHERE p.kind = 'referral_reward' AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.invitee_id = p.ref_id AND r.rewarded_at IS NOT NULL)`);
  const [nRef] = await tx.query(`SELECT count(*) n FROM referrals`);
  // League prizes: each result's prize posted once under its key, and no prize without a result.
  const prizes = await tx.query(`
    SELECT COALESCE(r.season, split_part(p.idempotency_key, ':', 2)) AS season, COALESCE(r.user_id, p.ref_id) AS user_id,
           COALESCE(r.prize_kop, 0)::text AS recorded, COALESCE(p.amount, 0)::text AS paid
      FROM (SELECT * FROM league_results WHERE prize_kop > 0) r
      FULL JOIN (SELECT * FROM postings WHERE kind = 'league_prize') p
        ON p.idempotency_key = 'league:' || r.season || ':' || r.user_id
     WHERE COALESCE(r.prize_kop, 0) <> COALESCE(p.amount, 0)`);
  const [nPrize] = await tx.query(`SELECT count(*) n FROM league_results WHERE prize_kop > 0`);
  return {
    '10_promo_pays_only_known_rewards': report(Number(nPromo.n), [...unexplained, ...orphans]),
    '11_referral_rewarded_as_recorded': report(Number(nRef.n), referrals),
    '12_league_prizes_paid_once': report(Number(nPrize.n), prizes),
  };
}
