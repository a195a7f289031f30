/**
 * Withdrawals (issue 9), write side. Every state change is one transaction holding the request
 * row's lock; every movement of money is a posting keyed by the request, so however often a
 * button is tapped (or a process dies and the tap is repeated) each posting happens at most once:
 *
 *   request:  user:available → user:withdrawal_pending        (withdrawal:<id>:hold)
 *   cancel / reject:  withdrawal_pending → user:available     (withdrawal:<id>:release)
 *   paid:     withdrawal_pending → external:withdrawals:<m>  amount − fee (withdrawal:<id>:payout)
 *             withdrawal_pending → house:fees                 fee          (withdrawal:<id>:fee)
 */
import type { DataSource, EntityManager } from 'typeorm';
import { ensureUserAccounts, post, systemAccountId } from '../ledger/ledger';
import { kop, type Kop } from '../money';
import { getWithdrawal, toWithdrawal, WITHDRAWAL_COLUMNS, type WithdrawalRow } from '../read/withdrawals';
import { manualPayout, payoutMethod, type PayoutMethod } from './payout-methods';
import { fail, type Result } from './result';
import { moscowPeriods, quoteWithdrawal, type Destination, type WithdrawalQuote, type WithdrawPolicy, type WithdrawState } from './withdrawal-rules';

const FEES_ACCOUNT = 'house:fees';
/** Longest rejection reason kept, characters. */
export const REJECT_REASON_MAX = 300;

/** Creates (if missing) and returns the user's `withdrawal_pending` account id. */
export async function ensurePendingAccount(m: EntityManager, userId: number): Promise<number> {
  await m.query(
    `INSERT INTO accounts (code, kind, user_id) VALUES ('user:' || $1::text || ':withdrawal_pending', 'withdrawal_pending', $1::bigint)
     ON CONFLICT (code) DO NOTHING`, [userId]);
  const [r] = await m.query(`SELECT id FROM accounts WHERE code = 'user:' || $1::text || ':withdrawal_pending'`, [userId]);
  return Number(r.id);
}

/**
 * The user's available balance, requests placed today and requested this month (not rejected or
 * cancelled), at `now`; and all they received from `house:promo` and deposited (the promo rule).
 */
export async function withdrawState(m: EntityManager, userId: number, now: Date): Promise<WithdrawState> {
  const acc = await ensureUserAccounts(m, userId);
  const { dayStart, monthStart } = moscowPeriods(now);
  const [r] = await m.query(
    `SELECT (SELECT balance FROM accounts WHERE id = $1) AS available,
            (SELECT count(*) FROM withdrawals WHERE user_id = $2 AND created_at >= $3) AS today,
            (SELECT COALESCE(sum(amount_kop), 0) FROM withdrawals WHERE user_id = $2 AND created_at >= $4
                AND status NOT IN ('rejected', 'cancelled')) AS month,
            (SELECT COALESCE(sum(p.amount), 0) FROM postings p JOIN accounts h ON h.id = p.from_account_id
              WHERE p.to_account_id = $1 AND h.code = 'house:promo') AS promo,
            (SELECT COALESCE(sum(p.amount), 0) FROM postings p JOIN accounts h ON h.id = p.from_account_id
              WHERE p.to_account_id = $1 AND h.code = 'external:telegram:deposits') AS deposited`,
    [acc.available, userId, dayStart, monthStart]);
  return {
    available: kop(Number(r.available)), requestsToday: Number(r.today), withdrawnThisMonth: kop(Number(r.month)),
    promoKop: kop(Number(r.promo)), depositedKop: kop(Number(r.deposited)),
  };
}

/** The preview: the same checks and fee as {@link requestWithdrawal}, read now. */
export async function previewWithdrawal(m: EntityManager, policy: WithdrawPolicy, userId: number, amount: Kop, now = new Date()): Promise<Result<WithdrawalQuote>> {
  return quoteWithdrawal(policy, amount, await withdrawState(m, userId, now));
}

export interface WithdrawalRequest {
  userId: number;
  amount: Kop;
  destination: Destination;
  /** Born at the user's Confirm tap (the draft id in the button): a second tap finds the first request. */
  idempotencyKey: string;
  method?: PayoutMethod;
}

/**
 * Places a request and holds its amount, in one transaction. The user's available account row is
 * locked first, so two requests of one user (two bots, two taps) are checked one after the other.
 * A key already used returns that request with `created: false` and changes nothing.
 * Failures: those of {@link quoteWithdrawal}.
 */
export async function requestWithdrawal(ds: DataSource, policy: WithdrawPolicy, req: WithdrawalRequest, now = new Date()): Promise<Result<{ withdrawal: WithdrawalRow; created: boolean }>> {
  const method = req.method ?? manualPayout;
  const out = await ds.transaction(async (m): Promise<Result<{ id: number; created: boolean }>> => {
    const acc = await ensureUserAccounts(m, req.userId);
    const pending = await ensurePendingAccount(m, req.userId);
    await m.query(`SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, [acc.available]);
    const [seen] = await m.query(`SELECT id FROM withdrawals WHERE idempotency_key = $1`, [req.idempotencyKey]);
    if (seen) return { ok: true, id: Number(seen.id), created: false };
    const q = quoteWithdrawal(policy, req.amount, await withdrawState(m, req.userId, now));
    if (!q.ok) return q;
    const [row] = await m.query(
      `INSERT INTO withdrawals (user_id, amount_kop, fee_kop, method, destination_kind, destination, idempotency_key, approvals_needed, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [req.userId, q.amount, q.fee, method.id, req.destination.kind, JSON.stringify(req.destination), req.idempotencyKey, q.approvalsNeeded, now]);
    const id = Number(row.id);
    await post(m, [{ from: acc.available, to: pending, amount: q.amount, kind: 'withdrawal_hold', refType: 'withdrawal', refId: id, idempotencyKey: `withdrawal:${id}:hold` }]);
    return { ok: true, id, created: true };
  });
  if (!out.ok) return out;
  return { ok: true, withdrawal: (await getWithdrawal(ds.manager, out.id))!, created: out.created };
}

async function lockWithdrawal(m: EntityManager, id: number): Promise<WithdrawalRow | null> {
  const [r] = await m.query(
    `SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals w JOIN users u ON u.id = w.user_id WHERE w.id = $1 FOR UPDATE OF w`, [id]);
  return r ? toWithdrawal(r) : null;
}

async function release(m: EntityManager, w: WithdrawalRow): Promise<void> {
  const acc = await ensureUserAccounts(m, w.userId);
  const pending = await ensurePendingAccount(m, w.userId);
  await post(m, [{ from: pending, to: acc.available, amount: w.amountKop, kind: 'withdrawal_release', refType: 'withdrawal', refId: w.id, idempotencyKey: `withdrawal:${w.id}:release` }]);
}

/** The failure for a request that is no longer in a state the action needs. */
function wrongState(w: WithdrawalRow) {
  return fail(`withdraw_already_${w.status}`, { id: w.id });
}

/** A step's outcome: the request after it, and whether this call changed it (false: a repeated tap). */
export type StepResult = Result<{ withdrawal: WithdrawalRow; changed: boolean }>;

async function step(ds: DataSource, id: number, body: (m: EntityManager, w: WithdrawalRow) => Promise<StepResult>): Promise<StepResult> {
  const r = await ds.transaction(async (m) => {
    const w = await lockWithdrawal(m, id);
    if (!w) return fail('withdraw_not_found', { id });
    return body(m, w);
  });
  if (!r.ok) return r;
  return { ok: true, withdrawal: (await getWithdrawal(ds.manager, id))!, changed: r.changed };
}

/** The owner cancels a pending (not yet approved) request; the hold is released. Failures: withdraw_not_found, withdraw_already_<status>. */
export function cancelWithdrawal(ds: DataSource, userId: number, id: number): Promise<StepResult> {
  return step(ds, id, async (m, w) => {
    if (w.userId !== userId) return fail('withdraw_not_found', { id });
    if (w.status === 'cancelled') return { ok: true, withdrawal: w, changed: false };
    if (w.status !== 'pending') return wrongState(w);
    await release(m, w);
    await m.query(`UPDATE withdrawals SET status = 'cancelled', closed_at = now() WHERE id = $1`, [id]);
    return { ok: true, withdrawal: w, changed: true };
  });
}

/**
 * An admin (users.id) approves. The request is approved once `approvals_needed` distinct admins
 * did; the same admin tapping again changes nothing. An admin never approves their own request
 * (four eyes, as for resolutions: another admin must). Failures: withdraw_own, withdraw_not_found,
 * withdraw_already_<status> (paid, rejected, cancelled).
 */
export function approveWithdrawal(ds: DataSource, adminUserId: number, id: number): Promise<StepResult> {
  return step(ds, id, async (m, w) => {
    if (w.status === 'approved' || (w.status === 'pending' && w.approvals.includes(adminUserId))) return { ok: true, withdrawal: w, changed: false };
    if (w.status !== 'pending') return wrongState(w);
    if (w.userId === adminUserId) return fail('withdraw_own', { id });
    const approvals = [...w.approvals, adminUserId];
    const done = approvals.length >= w.approvalsNeeded;
    await m.query(
      `UPDATE withdrawals SET approvals = $2::bigint[], status = $3, approved_at = CASE WHEN $3 = 'approved' THEN now() END WHERE id = $1`,
      [id, approvals, done ? 'approved' : 'pending']);
    return { ok: true, withdrawal: w, changed: true };
  });
}

/**
 * An admin rejects a pending or approved (not yet paid) request with a reason; the hold goes back
 * to the user's available balance. Failures: withdraw_reason_required, withdraw_reason_too_long
 * {max}, withdraw_not_found, withdraw_already_<status>.
 */
export function rejectWithdrawal(ds: DataSource, adminUserId: number, id: number, reason: string): Promise<StepResult> {
  const text = reason.trim();
  if (text.length === 0) return Promise.resolve(fail('withdraw_reason_required'));
  if (text.length > REJECT_REASON_MAX) return Promise.resolve(fail('withdraw_reason_too_long', { max: REJECT_REASON_MAX }));
  return step(ds, id, async (m, w) => {
    if (w.status === 'rejected') return { ok: true, withdrawal: w, changed: false };
    if (w.status !== 'pending' && w.status !== 'approved') return wrongState(w);
    await release(m, w);
    await m.query(`UPDATE withdrawals SET status = 'rejected', reject_reason = $2, rejected_by = $3, closed_at = now() WHERE id = $1`, [id, text, adminUserId]);
    return { ok: true, withdrawal: w, changed: true };
  });
}

/**
 * An admin records that an approved request was paid outside the bot, with the payout reference.
 * Posts the payout (amount − fee) to the method's outside account and the fee to house:fees, once.
 * Failures: withdraw_reference_invalid, withdraw_not_approved, withdraw_not_found, withdraw_already_<status>.
 */
export function markWithdrawalPaid(ds: DataSource, adminUserId: number, id: number, reference: string): Promise<StepResult> {
  return step(ds, id, async (m, w) => {
    if (w.status === 'paid') return { ok: true, withdrawal: w, changed: false };
    if (w.status === 'pending') return fail('withdraw_not_approved', { id });
    if (w.status !== 'approved') return wrongState(w);
    const method = payoutMethod(w.method);
    const ref = method.normalizeReference(reference);
    if (ref === null) return fail('withdraw_reference_invalid');
    const pending = await ensurePendingAccount(m, w.userId);
    await post(m, [
      { from: pending, to: await systemAccountId(m, method.account), amount: kop(w.amountKop - w.feeKop), kind: 'withdrawal_payout', refType: 'withdrawal', refId: id, idempotencyKey: `withdrawal:${id}:payout` },
      { from: pending, to: await systemAccountId(m, FEES_ACCOUNT), amount: w.feeKop, kind: 'withdrawal_fee', refType: 'withdrawal', refId: id, idempotencyKey: `withdrawal:${id}:fee` },
    ]);
    await m.query(`UPDATE withdrawals SET status = 'paid', payout_ref = $2, paid_by = $3, paid_at = now(), closed_at = now() WHERE id = $1`, [id, ref, adminUserId]);
    return { ok: true, withdrawal: w, changed: true };
  });
}

/** Marks an overdue request as flagged (the SLA reminder goes out once); false if another tick did it first. */
export async function flagOverdue(m: EntityManager, id: number): Promise<boolean> {
  // Wrapped in a SELECT: for a bare UPDATE ... RETURNING, TypeORM returns [rows, count].
  const rows = await m.query(
    `WITH u AS (UPDATE withdrawals SET sla_flagged_at = now() WHERE id = $1 AND sla_flagged_at IS NULL AND status IN ('pending', 'approved') RETURNING id)
     SELECT id FROM u`, [id]);
  return rows.length > 0;
}
