/**
 * Order validation before anything is reserved or matched (DESIGN §2; limits from the seed plan,
 * shared/seeds/000 `_validate_order`: 10 ₽ … 1 000 000 ₽ of notional). Expected failures are
 * typed results `{ code, vars }` (STYLE §9); only bot/ turns a code into words. Never throws.
 */
import { isPrice, isShares, type Kop } from '../money';
import { isBuy, ownPrice } from './intent';
import type { IncomingOrder } from './types';

/** Smallest order notional: 10 ₽ (seed plan). */
export const MIN_NOTIONAL_KOP = 1_000 as Kop;
/** Largest order notional: 1 000 000 ₽ (seed plan). */
export const MAX_NOTIONAL_KOP = 100_000_000 as Kop;

/** The user-chosen part of an order, as the bot collects it. */
export type OrderDraft = Pick<IncomingOrder, 'intent' | 'limitPrice' | 'qty' | 'spendKop' | 'tif' | 'postOnly' | 'expiresAt'>;

export type OrderInvalidCode =
  /** Neither or both of qty / spendKop given. */
  | 'qty_or_spend_required'
  /** limitPrice not an integer 1..99; vars: minPrice, maxPrice. */
  | 'price_out_of_range'
  /** qty not a whole number of shares ≥ 1. */
  | 'qty_not_whole'
  /** spendKop not a whole number of kop ≥ 1. */
  | 'spend_not_whole'
  /** "spend X ₽" is only for BUY_YES / BUY_NO. */
  | 'spend_requires_buy'
  /** "spend X ₽" is a market order: IOC only. */
  | 'spend_requires_ioc'
  /** post-only only makes sense for orders that may rest (GTC/GTD limit). */
  | 'post_only_requires_resting'
  /** GTD needs an expiresAt; vars: nowMs. */
  | 'expiry_required'
  /** GTD expiresAt must be after now; vars: expiresAt, nowMs. */
  | 'expiry_in_past'
  /** expiresAt given on a non-GTD order. */
  | 'expiry_only_for_gtd'
  /** vars: notionalKop, minKop. */
  | 'notional_too_small'
  /** vars: notionalKop, maxKop (notionalKop capped at maxKop + 1 when it would not be a safe integer). */
  | 'notional_too_large';

export type OrderValidation =
  | { ok: true }
  | { ok: false; code: OrderInvalidCode; vars: Record<string, number> };

const OK: OrderValidation = { ok: true };
function fail(code: OrderInvalidCode, vars: Record<string, number> = {}): OrderValidation {
  return { ok: false, code, vars };
}

/**
 * Checks an order draft at `nowMs` (epoch ms) against DESIGN §2 and the seed plan limits.
 * The notional is the order's own-terms value at its own limit price (ownPrice × qty kop; for
 * BUY_NO / SELL_NO ownPrice = 100 − limitPrice), or X itself for "spend X ₽"; it must be
 * 1 000 … 100 000 000 kop. Affordability is not checked here (the service compares
 * `reserveFor` with the user's balances).
 */
export function validateOrder(order: OrderDraft, nowMs: number): OrderValidation {
  const hasQty = order.qty !== undefined;
  const hasSpend = order.spendKop !== undefined;
  if (hasQty === hasSpend) return fail('qty_or_spend_required');
  if (!isPrice(order.limitPrice)) return fail('price_out_of_range', { minPrice: 1, maxPrice: 99 });
  if (hasQty && !isShares(order.qty)) return fail('qty_not_whole');
  if (hasSpend) {
    if (!Number.isSafeInteger(order.spendKop) || order.spendKop! < 1) return fail('spend_not_whole');
    if (!isBuy(order.intent)) return fail('spend_requires_buy');
    if (order.tif !== 'IOC') return fail('spend_requires_ioc');
  }
  if (order.postOnly && order.tif !== 'GTC' && order.tif !== 'GTD') return fail('post_only_requires_resting');
  if (order.tif === 'GTD') {
    if (order.expiresAt === null) return fail('expiry_required', { nowMs });
    if (order.expiresAt <= nowMs) return fail('expiry_in_past', { expiresAt: order.expiresAt, nowMs });
  } else if (order.expiresAt !== null) {
    return fail('expiry_only_for_gtd');
  }
  // qty is a safe integer but ownPrice × qty may not be: anything above the cap is too large anyway.
  const notional = hasSpend
    ? order.spendKop!
    : order.qty! > MAX_NOTIONAL_KOP
      ? MAX_NOTIONAL_KOP + 1
      : ownPrice(order.intent, order.limitPrice) * order.qty!;
  if (notional < MIN_NOTIONAL_KOP) return fail('notional_too_small', { notionalKop: notional, minKop: MIN_NOTIONAL_KOP });
  if (notional > MAX_NOTIONAL_KOP) return fail('notional_too_large', { notionalKop: notional, maxKop: MAX_NOTIONAL_KOP });
  return OK;
}
