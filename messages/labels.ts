/**
 * Locale keys for domain values (categories, outcomes, intents, market states), spelled out so
 * every key used appears literally in code (the locale unit test checks each exists).
 */
import type { Language, MarketOutcome } from '../domain/entities';
import type { Intent, Outcome } from '../domain/exchange/types';
import type { Category } from '../domain/services/markets';
import type { TradingState } from '../domain/read/trading-state';

/** Each language's name, written in that language (the picker shows both). */
export const LANGUAGE_NAME_KEY: Record<Language, string> = { ru: 'language.name_ru', en: 'language.name_en' };

export const CATEGORY_KEY: Record<Category, string> = {
  crypto: 'category.crypto',
  sports: 'category.sports',
  weather: 'category.weather',
  politics: 'category.politics',
  economy: 'category.economy',
  other: 'category.other',
};

/** Outcome names; `outcome.PROB` takes `{{r}}`, the YES payout in kop. Workers use the same keys. */
export const OUTCOME_KEY: Record<MarketOutcome, string> = {
  YES: 'outcome.YES',
  NO: 'outcome.NO',
  VOID: 'outcome.VOID',
  PROB: 'outcome.PROB',
};

/** Short side labels ("YES"/"NO" in the user's language). */
export const SIDE_KEY: Record<Outcome, string> = { YES: 'side.yes', NO: 'side.no' };

/** "Buy YES", "Sell NO"...; workers build `intent.<INTENT>` for notifications, hence the casing. */
export const INTENT_KEY: Record<Intent, string> = {
  BUY_YES: 'intent.BUY_YES',
  SELL_YES: 'intent.SELL_YES',
  BUY_NO: 'intent.BUY_NO',
  SELL_NO: 'intent.SELL_NO',
};

/** A status line for markets that cannot be traded now; `open` has none. */
export const STATE_KEY: Record<Exclude<TradingState, 'open'>, string> = {
  paused: 'card.state_paused',
  closed: 'card.state_closed',
  proposed: 'card.state_proposed',
  resolved: 'card.state_resolved',
  settled: 'card.state_settled',
};

/** Why a market that is not open takes no order: paused, or closed (ended, proposed, resolved, void). */
export function notTradingKey(state: Exclude<TradingState, 'open'>): string {
  return state === 'paused' ? 'errors.market_paused' : 'errors.market_closed';
}

/** A change in percentage points with its sign: "+12", "\u22125", "0". */
export function signedPoints(pp: number): string {
  return pp > 0 ? `+${pp}` : pp < 0 ? `\u2212${-pp}` : '0';
}
