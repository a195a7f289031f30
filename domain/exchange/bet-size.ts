/**
 * The bet's money maths as the bot asks for it (amount in kop, or shares), pure: how an amount
 * becomes an order size, the smallest amount a buy can use, the best price on the other side and
 * a market order's slippage guard. The order scene and the group quick bet both use these.
 */
import { ceilDiv, floorDiv, kop, type Kop } from '../money';
import { feeOn, maxNotionalForSpend } from './fees';
import { isBuy } from './intent';
import { MIN_NOTIONAL_KOP } from './limits';
import type { Intent } from './types';

/** Default slippage guard of a market order: best own price ± 5 kop, within 1..99 (issue "Walking skeleton"). */
export const SLIPPAGE = 5;

/** Amount presets of a buy, kop (the order scene's buttons and the Mini App's). */
export const AMOUNT_PRESETS_KOP: readonly number[] = [10_000, 50_000, 100_000];

/** What a bet asks for before it is an order. */
export interface BetDraft {
  intent: Intent;
  kind?: 'limit' | 'market';
  /** Own price 1..99 (limit, or a market order's guard). */
  price?: number;
  /** Buys: the amount to spend, kop, fee included. */
  amountKop?: number;
  /** Sells: shares. */
  shares?: number;
}

/**
 * The order size for a draft: a market buy spends the amount (`spendKop`, fee included); a limit
 * buy is the most whole shares the amount pays for at the limit, fee included
 * (floor(maxNotionalForSpend(amount, bps) / price)); a sell is its share count.
 * @param feeBps the user's taker rate, bps
 */
export function orderSize(draft: BetDraft, feeBps: number): { qty?: number; spendKop?: Kop } {
  if (!isBuy(draft.intent)) return { qty: draft.shares };
  const amount = kop(draft.amountKop ?? 0);
  if (draft.kind === 'market') return { spendKop: amount };
  return { qty: floorDiv(maxNotionalForSpend(amount, feeBps), draft.price ?? 1) };
}

/**
 * The smallest amount (kop, fee included) a buy can be placed with (issue 15): a market buy
 * spends the amount, so it is the order minimum {@link MIN_NOTIONAL_KOP}; a limit buy at own
 * price `price` needs q = ceil(min / price) whole shares worth at least the minimum, plus their
 * whole fee: q·price + feeOn(q·price, bps). One kopeck less buys at most q − 1 shares (see
 * {@link orderSize}), which is below the minimum.
 */
export function minBuyAmount(kind: 'limit' | 'market', price: number, feeBps: number): Kop {
  if (kind === 'market') return MIN_NOTIONAL_KOP;
  const notional = ceilDiv(MIN_NOTIONAL_KOP, price) * price;
  return kop(notional + feeOn(notional, feeBps));
}

/** Best YES-book prices, kop (null when that side is empty). */
export interface BestPrices {
  bestBid: number | null;
  bestAsk: number | null;
}

/** Best own price on the other side of the book: what a market buy pays / a market sell gets; null if nobody is there. */
export function bestOwnPrice(book: BestPrices, intent: Intent): number | null {
  switch (intent) {
    case 'BUY_YES': return book.bestAsk;
    case 'BUY_NO': return book.bestBid === null ? null : 100 - book.bestBid;
    case 'SELL_YES': return book.bestBid;
    case 'SELL_NO': return book.bestAsk === null ? null : 100 - book.bestAsk;
  }
}

/** A market order's slippage guard from the best own price: best + {@link SLIPPAGE} capped at 99 for buys, best − SLIPPAGE floored at 1 for sells. */
export function guardPrice(best: number, intent: Intent): number {
  return isBuy(intent) ? Math.min(99, best + SLIPPAGE) : Math.max(1, best - SLIPPAGE);
}
