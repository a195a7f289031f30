/**
 * How the four intents map onto the one YES book (DESIGN §2). Tiny pure helpers shared by the
 * book, the matcher, the money effects and the preview so the table lives in exactly one place.
 */
import { SHARE_PAYOUT } from '../money';
import type { BookSide, FillKind, Intent, Outcome } from './types';

/** BUY_YES and SELL_NO are bids in the YES book; SELL_YES and BUY_NO are asks (DESIGN §2). */
export function sideOf(intent: Intent): BookSide {
  return intent === 'BUY_YES' || intent === 'SELL_NO' ? 'bid' : 'ask';
}

/** The outcome whose shares the intent buys or sells. */
export function outcomeOf(intent: Intent): Outcome {
  return intent === 'BUY_YES' || intent === 'SELL_YES' ? 'YES' : 'NO';
}

/** True for the intents that pay money (and so reserve kop); sells reserve shares instead. */
export function isBuy(intent: Intent): boolean {
  return intent === 'BUY_YES' || intent === 'BUY_NO';
}

/**
 * The price in the party's own terms, kop per share of its own outcome: a YES book price P is
 * P for YES intents and 100 − P for NO intents. The map is its own inverse, so it also turns a
 * user's NO price q into its book price 100 − q.
 */
export function ownPrice(intent: Intent, bookPrice: number): number {
  return outcomeOf(intent) === 'YES' ? bookPrice : SHARE_PAYOUT - bookPrice;
}

/**
 * The fill kind of a bid intent against an ask intent (DESIGN §2 table):
 * BUY_YES×SELL_YES transfer_yes, BUY_YES×BUY_NO mint, SELL_NO×SELL_YES merge, SELL_NO×BUY_NO transfer_no.
 */
export function fillKind(bidIntent: Intent, askIntent: Intent): FillKind {
  if (bidIntent === 'BUY_YES') return askIntent === 'SELL_YES' ? 'transfer_yes' : 'mint';
  return askIntent === 'SELL_YES' ? 'merge' : 'transfer_no';
}
