/**
 * The pure rules of withdrawals (issue 9, seed plan): fee schedule, limits, payout details.
 * No I/O: the preview and the request call the same functions.
 */
import { DateTime } from 'luxon';
import { ceilDiv, kop, type Kop } from '../money';
import { promoDepositShortfall } from './referral-rules';
import { fail, type Failure } from './result';

/** The seed's limits and fees; every field configurable (infra/config.ts, WITHDRAW_*). */
export interface WithdrawPolicy {
  /** Requests a user may place per Moscow calendar day (any outcome counts). */
  dailyCount: number;
  /** Smallest and largest request, kop. */
  minKop: Kop;
  maxKop: Kop;
  /** Withdrawn per Moscow calendar month free of fee, kop (seed: 10 000 ₽). */
  monthlyFreeKop: Kop;
  /** Fee on the part above the allowance, basis points (seed: 1 % = 100). */
  feeBps: number;
  /** Above this amount (kop) a second admin must approve. */
  quorumKop: Kop;
  /** A request pending longer than this (ms) reminds the admins and is flagged to the user. */
  slaMs: number;
}

/** Defaults from the seed plan: 3 a day, 100 ₽ … 500 000 ₽, 10 000 ₽ a month free then 1 %, 24 h. */
export const DEFAULT_WITHDRAW_POLICY: WithdrawPolicy = {
  dailyCount: 3,
  minKop: kop(10_000),
  maxKop: kop(50_000_000),
  monthlyFreeKop: kop(1_000_000),
  feeBps: 100,
  quorumKop: kop(10_000_000),
  slaMs: 24 * 3_600_000,
};

/** The policy from configured plain numbers (infra/config.ts `withdrawals`). @throws MoneyError on non-integer kop. */
export function withdrawPolicyOf(c: { dailyCount: number; minKop: number; maxKop: number; monthlyFreeKop: number; feeBps: number; quorumKop: number; slaMs: number }): WithdrawPolicy {
  return { ...c, minKop: kop(c.minKop), maxKop: kop(c.maxKop), monthlyFreeKop: kop(c.monthlyFreeKop), quorumKop: kop(c.quorumKop) };
}

const MOSCOW = 'Europe/Moscow';
const BPS = 10_000;

/** Start of the Moscow calendar day and month containing `now` (limits and allowances count from them). */
export function moscowPeriods(now: Date): { dayStart: Date; monthStart: Date } {
  const d = DateTime.fromJSDate(now, { zone: MOSCOW });
  return { dayStart: d.startOf('day').toJSDate(), monthStart: d.startOf('month').toJSDate() };
}

/**
 * Fee of a request of `amount` kop when `withdrawnThisMonth` kop were already requested this month
 * (not rejected or cancelled): the part above the monthly allowance pays `feeBps`, rounded up to a
 * kopeck (DESIGN §2: fees round up).
 */
export function withdrawalFee(policy: WithdrawPolicy, amount: Kop, withdrawnThisMonth: Kop): Kop {
  const freeLeft = Math.max(0, policy.monthlyFreeKop - withdrawnThisMonth);
  const charged = Math.max(0, amount - freeLeft);
  return kop(ceilDiv(charged * policy.feeBps, BPS));
}

/** What the user sees before Confirm and what the request records. */
export interface WithdrawalQuote {
  amount: Kop;
  fee: Kop;
  /** What arrives: amount − fee, kop. */
  net: Kop;
  /** Admins who must approve (2 above the quorum amount). */
  approvalsNeeded: number;
}

/** Everything the checks need to know about the user at this moment. */
export interface WithdrawState {
  available: Kop;
  requestsToday: number;
  withdrawnThisMonth: Kop;
  /** Received from `house:promo` in rewards (referrals, league prizes), kop, all time. */
  promoKop: Kop;
  /** Deposited, kop, all time. */
  depositedKop: Kop;
}

/**
 * Checks a request and prices it. Failures (codes under `withdraw.errors`): withdraw_too_small
 * {min}, withdraw_too_large {max}, withdraw_over_available {available} (reserved money is never in
 * `available`), withdraw_promo_unmet {promo, deposited, missing} (issue 12: rewards need as much
 * deposited before anything is withdrawn), withdraw_daily_limit {count}, withdraw_fee_exceeds.
 */
export function quoteWithdrawal(policy: WithdrawPolicy, amount: Kop, state: WithdrawState): ({ ok: true } & WithdrawalQuote) | Failure {
  if (amount < policy.minKop) return fail('withdraw_too_small', { min: policy.minKop });
  if (amount > policy.maxKop) return fail('withdraw_too_large', { max: policy.maxKop });
  if (amount > state.available) return fail('withdraw_over_available', { available: state.available });
  const missing = promoDepositShortfall(state.promoKop, state.depositedKop);
  if (missing > 0) return fail('withdraw_promo_unmet', { promo: state.promoKop, deposited: state.depositedKop, missing });
  if (state.requestsToday >= policy.dailyCount) return fail('withdraw_daily_limit', { count: policy.dailyCount });
  const fee = withdrawalFee(policy, amount, state.withdrawnThisMonth);
  if (fee >= amount) return fail('withdraw_fee_exceeds');
  return { ok: true, amount, fee, net: kop(amount - fee), approvalsNeeded: amount > policy.quorumKop ? 2 : 1 };
}

/** Where the money goes: SBP by phone and bank, or a bank card. */
export type Destination =
  | { kind: 'sbp'; phone: string; bank: string }
  | { kind: 'card'; number: string };

/** Luhn check of a string of digits (ISO/IEC 7812). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A typed card number (spaces and dashes allowed): 16–19 digits passing Luhn, else null. */
export function parseCardNumber(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '');
  if (!/^\d{16,19}$/.test(digits) || !luhnValid(digits)) return null;
  return digits;
}

/** A Russian mobile number for SBP, typed as +7…, 8… or 7… with any spacing: `+79XXXXXXXXX`, else null. */
export function parsePhone(text: string): string | null {
  const t = text.replace(/[\s()-]/g, '');
  const m = /^(?:\+7|8|7)(9\d{9})$/.exec(t);
  return m ? `+7${m[1]}` : null;
}

/** A bank name for SBP: 2–40 characters of letters, digits, spaces and `-.`; trimmed, else null. */
export function parseBankName(text: string): string | null {
  const t = text.trim().replace(/\s+/g, ' ');
  return /^[\p{L}\d][\p{L}\d .-]{1,39}$/u.test(t) ? t : null;
}

/** A card number as shown anywhere after entry: `•••• 1234`. */
export function maskCard(number: string): string {
  return `\u2022\u2022\u2022\u2022 ${number.slice(-4)}`;
}

