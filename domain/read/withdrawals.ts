/**
 * Read models of withdrawals (issue 9): one request, a user's history, the admins' list by state,
 * the overdue ones for the SLA job. Read-only queries; the write side is services/withdrawals.ts.
 */
import type { EntityManager } from 'typeorm';
import type { Language } from '../entities';
import { kop, type Kop } from '../money';
import type { Destination } from '../services/withdrawal-rules';

export type WithdrawalStatus = 'pending' | 'approved' | 'paid' | 'rejected' | 'cancelled';
/** States in which the amount is still held in the user's `withdrawal_pending` account. */
export const OPEN_STATUSES: readonly WithdrawalStatus[] = ['pending', 'approved'];

/** One request as stored; amounts in kop; `approvals` are users.id of approving admins. */
export interface WithdrawalRow {
  id: number;
  userId: number;
  amountKop: Kop;
  feeKop: Kop;
  method: string;
  destination: Destination;
  status: WithdrawalStatus;
  approvals: number[];
  approvalsNeeded: number;
  rejectReason: string | null;
  payoutRef: string | null;
  createdAt: Date;
  paidAt: Date | null;
  slaFlaggedAt: Date | null;
  /** The owner's Telegram id and language (who hears of each step). */
  telegramId: number;
  language: Language;
}

export const WITHDRAWAL_COLUMNS = `w.id, w.user_id, w.amount_kop, w.fee_kop, w.method, w.destination, w.status, w.approvals,
  w.approvals_needed, w.reject_reason, w.payout_ref, w.created_at, w.paid_at, w.sla_flagged_at, u.telegram_id, u.language`;

/** Maps a row selected with {@link WITHDRAWAL_COLUMNS} (from `withdrawals w JOIN users u`). */
export function toWithdrawal(r: Record<string, unknown>): WithdrawalRow {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    amountKop: kop(Number(r.amount_kop)),
    feeKop: kop(Number(r.fee_kop)),
    method: String(r.method),
    destination: r.destination as Destination,
    status: r.status as WithdrawalStatus,
    approvals: (r.approvals as (string | number)[]).map(Number),
    approvalsNeeded: Number(r.approvals_needed),
    rejectReason: (r.reject_reason as string | null) ?? null,
    payoutRef: (r.payout_ref as string | null) ?? null,
    createdAt: r.created_at as Date,
    paidAt: (r.paid_at as Date | null) ?? null,
    slaFlaggedAt: (r.sla_flagged_at as Date | null) ?? null,
    telegramId: Number(r.telegram_id),
    language: r.language as Language,
  };
}

/** One request, or null. */
export async function getWithdrawal(m: EntityManager, id: number): Promise<WithdrawalRow | null> {
  const [r] = await m.query(`SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals w JOIN users u ON u.id = w.user_id WHERE w.id = $1`, [id]);
  return r ? toWithdrawal(r) : null;
}

/** The request placed with this idempotency key, or null. */
export async function withdrawalByKey(m: EntityManager, key: string): Promise<WithdrawalRow | null> {
  const [r] = await m.query(`SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals w JOIN users u ON u.id = w.user_id WHERE w.idempotency_key = $1`, [key]);
  return r ? toWithdrawal(r) : null;
}

/** A user's latest `limit` requests, newest first. */
export async function userWithdrawals(m: EntityManager, userId: number, limit = 5): Promise<WithdrawalRow[]> {
  const rows = await m.query(
    `SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals w JOIN users u ON u.id = w.user_id
      WHERE w.user_id = $1 ORDER BY w.created_at DESC, w.id DESC LIMIT $2`, [userId, limit]);
  return rows.map(toWithdrawal);
}

/** Per state: how many requests, and the `limit` latest of each (open ones oldest first: they wait longest). */
export async function withdrawalsByState(m: EntityManager, limit = 5): Promise<{ status: WithdrawalStatus; count: number; latest: WithdrawalRow[] }[]> {
  const counts: { status: WithdrawalStatus; n: string }[] = await m.query(`SELECT status, count(*) n FROM withdrawals GROUP BY status`);
  const rows = await m.query(
    `SELECT * FROM (
       SELECT ${WITHDRAWAL_COLUMNS}, row_number() OVER (PARTITION BY w.status
         ORDER BY CASE WHEN w.status IN ('pending', 'approved') THEN extract(epoch FROM w.created_at) ELSE -extract(epoch FROM w.created_at) END, w.id) AS rn
       FROM withdrawals w JOIN users u ON u.id = w.user_id) x
      WHERE rn <= $1 ORDER BY rn`, [limit]);
  const all = rows.map(toWithdrawal);
  const order: WithdrawalStatus[] = ['pending', 'approved', 'paid', 'rejected', 'cancelled'];
  return order.map((status) => ({
    status,
    count: Number(counts.find((c) => c.status === status)?.n ?? 0),
    latest: all.filter((w: WithdrawalRow) => w.status === status),
  }));
}

/** Open requests older than `slaMs` that were not flagged yet (the SLA job's work list). */
export async function overdueWithdrawals(m: EntityManager, slaMs: number, now: Date): Promise<WithdrawalRow[]> {
  const rows = await m.query(
    `SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals w JOIN users u ON u.id = w.user_id
      WHERE w.status IN ('pending', 'approved') AND w.sla_flagged_at IS NULL AND w.created_at <= $1
      ORDER BY w.created_at`, [new Date(now.getTime() - slaMs)]);
  return rows.map(toWithdrawal);
}

/** Telegram id and language of the users with these ids (admins to tell), blocked ones left out. */
export async function recipientsOf(m: EntityManager, telegramIds: readonly number[]): Promise<{ telegramId: number; language: Language }[]> {
  if (telegramIds.length === 0) return [];
  const rows: { telegram_id: string; language: Language }[] = await m.query(
    `SELECT telegram_id, language FROM users WHERE telegram_id = ANY($1::bigint[]) AND blocked_at IS NULL`, [telegramIds]);
  return rows.map((r) => ({ telegramId: Number(r.telegram_id), language: r.language }));
}

/** Sum of the user's open requests (what is pending), kop. */
export async function pendingWithdrawalsKop(m: EntityManager, userId: number): Promise<Kop> {
  const [r] = await m.query(
    `SELECT COALESCE(sum(amount_kop), 0) s FROM withdrawals WHERE user_id = $1 AND status IN ('pending', 'approved')`, [userId]);
  return kop(Number(r.s));
}
