/**
 * Expected failures are values, not exceptions (STYLE §9): a message key under `errors.` in
 * locales/ plus the variables the text needs. Only bot/ turns them into words.
 *
 * Every code a service can return is listed here at runtime (a `const` array), so a unit test
 * (test/unit/failure-codes.test.ts) checks that each has a text in ru and en, and `fail()` takes
 * nothing else: a new code is added here first.
 */
import type { OrderInvalidCode } from '../exchange/limits';
import type { PreTradeRejectCode } from '../exchange/pre-trade';
import type { RejectCode as MatchRejectCode } from '../exchange/types';

/** exchange/limits validateOrder codes (kept in step with {@link OrderInvalidCode} by the type check below). */
const ORDER_INVALID_CODES = [
  'qty_or_spend_required', 'price_out_of_range', 'qty_not_whole', 'spend_not_whole', 'spend_requires_buy',
  'spend_requires_ioc', 'post_only_requires_resting', 'expiry_required', 'expiry_in_past', 'expiry_only_for_gtd',
  'notional_too_small', 'notional_too_large',
] as const satisfies readonly OrderInvalidCode[];

/** Whole-order refusals of the matcher (exchange/types RejectCode). */
export const MATCH_REJECT_CODES = ['post_only_would_cross', 'fok_not_fillable', 'no_liquidity'] as const satisfies readonly MatchRejectCode[];

/**
 * What placing, previewing or cancelling an order can fail with: the pre-trade check
 * (exchange/pre-trade: market state, order limits, funds), the matcher's whole-order refusals,
 * cancel's `order_not_open`, the submit path's `order_queued` (no answer in time; the order still
 * runs), `unavailable` (the database did not answer for OUTAGE_RETRY_MS: not recorded) and
 * `internal` (the worker failed), and `rejected` (a stored rejection without a reason).
 */
export const TRADE_REJECT_CODES = [
  'market_not_found', 'market_closed', 'market_paused', 'insufficient_funds', 'insufficient_shares',
  ...ORDER_INVALID_CODES, ...MATCH_REJECT_CODES,
  'order_not_open', 'order_queued', 'order_queued_untold', 'unavailable', 'internal', 'rejected',
] as const;
export type TradeRejectCode = (typeof TRADE_REJECT_CODES)[number];

/** The other services' codes (payments, market admin, resolution, disputes, preferences). */
export const SERVICE_FAILURE_CODES = [
  'invoice_unknown', 'invoice_already_paid', 'invoice_mismatch', 'deposit_too_small', 'deposit_too_large',
  'market_title_length', 'market_description_length', 'market_bad_category', 'market_bad_deadline', 'market_deadline_past', 'market_still_open',
  'market_not_closed_yet', 'market_already_resolved', 'market_already_settled', 'market_already_paused',
  'market_not_paused', 'probability_out_of_range', 'proposal_note_too_long', 'market_not_proposed', 'proposal_changed',
  'proposal_own', 'proposal_already_backed', 'proposal_already_confirmed', 'proposal_not_disputed',
  'dispute_reason_required', 'dispute_reason_too_long', 'dispute_nothing_proposed', 'dispute_window_closed',
  'dispute_not_holder', 'dispute_already_filed', 'clarification_length', 'stake_out_of_range', 'quiet_hours_invalid',
  // Withdrawals and responsible use (issue 9).
  'withdraw_too_small', 'withdraw_too_large', 'withdraw_over_available', 'withdraw_daily_limit', 'withdraw_fee_exceeds',
  'withdraw_not_found', 'withdraw_not_approved', 'withdraw_own', 'withdraw_reason_required', 'withdraw_reason_too_long',
  'withdraw_reference_invalid', 'withdraw_already_pending', 'withdraw_already_approved', 'withdraw_already_paid',
  'withdraw_already_rejected', 'withdraw_already_cancelled', 'limit_out_of_range', 'self_excluded',
  'self_excluded_forever', 'deposit_limit_day', 'deposit_limit_month',
  // House market maker (issue 8).
  'liquidity_out_of_range', 'opening_price_out_of_range', 'liquidity_wrong_funder',
  // Watchlist, price alerts, stop-loss / take-profit (issue 11).
  'alert_limit', 'alert_level_invalid', 'alert_not_found', 'trigger_level_invalid', 'trigger_no_position',
  'trigger_shares_invalid', 'trigger_not_found',
  // Growth loop (issue 12).
  'withdraw_promo_unmet',
] as const;

/** Every code `fail()` accepts. */
export const FAILURE_CODES = [...TRADE_REJECT_CODES, ...SERVICE_FAILURE_CODES] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

// Compile-time guard: every pre-trade / validateOrder / match code is in the list (the `satisfies` above checks the other direction).
type Missing = Exclude<PreTradeRejectCode | OrderInvalidCode | MatchRejectCode, TradeRejectCode>;
const allListed: [Missing] extends [never] ? true : Missing = true;
void allListed;

const KNOWN: ReadonlySet<string> = new Set(FAILURE_CODES);

/** True when `code` (e.g. read back from the database) is a {@link FailureCode}. */
export function isFailureCode(code: string | null | undefined): code is FailureCode {
  return code != null && KNOWN.has(code);
}

export interface Failure<C extends FailureCode = FailureCode> {
  ok: false;
  code: C;
  vars?: Record<string, string | number>;
}
export type Result<T> = ({ ok: true } & T) | Failure;

export function fail<C extends FailureCode>(code: C, vars?: Record<string, string | number>): Failure<C> {
  return { ok: false, code, vars };
}
