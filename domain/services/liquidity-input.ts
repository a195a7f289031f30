/**
 * Limits of what admins and group creators choose for a market's house maker (issue 8, DESIGN §9):
 * its liquidity budget (admins, `/newmarket`, `/liquidity`), the ante of a group market (its
 * creator, `/predict`) and the opening price. Written once here; the bot checks typed values
 * with them and says which limit failed. A smaller budget gives thinner quotes: below the minimum
 * the maker would quote only a share or two a level.
 */
import { rub, type Kop } from '../money';
import { fail, type Result } from './result';

/** Budget of an admin's market, kop: 100 ₽ … 1 000 000 ₽. */
export const BUDGET_MIN_KOP = rub(100);
export const BUDGET_MAX_KOP = rub(1_000_000);
/** The /newmarket budget buttons, kop. */
export const BUDGET_PRESETS_KOP: readonly Kop[] = [rub(500), rub(1_000), rub(5_000), rub(10_000)];
/** One `/liquidity` top-up, kop: 1 ₽ … the budget maximum. */
export const TOPUP_MIN_KOP = rub(1);
/** The ante of a group market when its creator names none, kop (100 ₽). */
export const DEFAULT_ANTE_KOP = rub(100);
/** A group market's ante, kop: 50 ₽ … 100 000 ₽ (and never more than the creator has). */
export const ANTE_MIN_KOP = rub(50);
export const ANTE_MAX_KOP = rub(100_000);
/** Opening YES price, kop per share = %: 1..99 (DESIGN §1). */
export const OPENING_PRICE_MIN = 1;
export const OPENING_PRICE_MAX = 99;
/** The /newmarket opening price buttons, %. */
export const OPENING_PRICE_PRESETS: readonly number[] = [10, 25, 50, 75, 90];

function inRange(v: number, min: number, max: number): boolean {
  return Number.isSafeInteger(v) && v >= min && v <= max;
}

/** An admin market's budget. Failure: liquidity_budget_range {min, max} (kop). */
export function checkBudget(amountKop: number): Result<object> {
  return inRange(amountKop, BUDGET_MIN_KOP, BUDGET_MAX_KOP) ? { ok: true } : fail('liquidity_budget_range', { min: BUDGET_MIN_KOP, max: BUDGET_MAX_KOP });
}

/** One /liquidity top-up. Failure: liquidity_topup_range {min, max} (kop). */
export function checkTopUp(amountKop: number): Result<object> {
  return inRange(amountKop, TOPUP_MIN_KOP, BUDGET_MAX_KOP) ? { ok: true } : fail('liquidity_topup_range', { min: TOPUP_MIN_KOP, max: BUDGET_MAX_KOP });
}

/** A group market's ante (the balance is checked when it is taken). Failure: ante_range {min, max} (kop). */
export function checkAnte(amountKop: number): Result<object> {
  return inRange(amountKop, ANTE_MIN_KOP, ANTE_MAX_KOP) ? { ok: true } : fail('ante_range', { min: ANTE_MIN_KOP, max: ANTE_MAX_KOP });
}

/** The opening price. Failure: opening_price_range {min, max} (%). */
export function checkOpeningPrice(price: number): Result<object> {
  return inRange(price, OPENING_PRICE_MIN, OPENING_PRICE_MAX) ? { ok: true } : fail('opening_price_range', { min: OPENING_PRICE_MIN, max: OPENING_PRICE_MAX });
}
