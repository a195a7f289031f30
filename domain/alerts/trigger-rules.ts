/**
 * Stop-loss / take-profit rules (issue 11), pure.
 *
 * This exchange is one YES book: a NO share is worth 100 − YES price. A trigger's `level` is in the
 * position's OWN side's price — a YES position's stop at 40 means "sell when YES ≤ 40"; a NO
 * position's stop at 40 means "sell when NO ≤ 40", i.e. YES ≥ 60. A stop-loss fires when the own
 * price falls to or below the level, a take-profit when it rises to or above it. The batch only
 * compares YES prices, so every trigger is also kept as (`direction`, `yesLevel`).
 *
 * A trigger fires at most once: at the first committed price at or past its level, gap or not.
 * The sell is a market sell (IOC) of min(trigger shares, free shares) with a worst own price
 * `worstPrice` (the slippage guard shown in the preview).
 */

export type TriggerKind = 'stop' | 'take';
export type Side = 'YES' | 'NO';

/** Points of slippage the worst price allows below the level (stop-loss) or the level itself (take-profit). */
export const TRIGGER_SLIPPAGE = 10;

/** The level in YES terms: where the YES price must be for the trigger to fire. */
export function yesTerms(side: Side, kind: TriggerKind, level: number): { direction: 'above' | 'below'; yesLevel: number } {
  // Own price falls (stop) = YES falls for YES, YES rises for NO.
  const ownFalls = kind === 'stop';
  const yesFalls = side === 'YES' ? ownFalls : !ownFalls;
  return { direction: yesFalls ? 'below' : 'above', yesLevel: side === 'YES' ? level : 100 - level };
}

/** The position's own price at a YES price. */
export function ownPriceAt(side: Side, yesPrice: number): number {
  return side === 'YES' ? yesPrice : 100 - yesPrice;
}

/** True when the committed YES price reaches the trigger (at or past its level). */
export function triggerReached(t: { direction: 'above' | 'below'; yesLevel: number }, yesPrice: number): boolean {
  return t.direction === 'below' ? yesPrice <= t.yesLevel : yesPrice >= t.yesLevel;
}

/**
 * The worst own price the sell accepts: a stop-loss sells down to `level − TRIGGER_SLIPPAGE`
 * (a market that gapped further fills what it can there, else nothing); a take-profit never
 * sells below its level minus the same slippage. At least 1.
 */
export function worstPriceOf(level: number): number {
  return Math.max(1, level - TRIGGER_SLIPPAGE);
}

/**
 * Checks a new trigger against the position's current own price: a stop must be below it, a
 * take-profit above it (else it would fire at once), within 1..99. Null when fine, else the code.
 */
export function checkTriggerLevel(kind: TriggerKind, level: number, ownPrice: number): 'trigger_level_invalid' | null {
  if (!Number.isInteger(level) || level < 1 || level > 99) return 'trigger_level_invalid';
  if (kind === 'stop' ? level >= ownPrice : level <= ownPrice) return 'trigger_level_invalid';
  return null;
}

/** Shares a fired trigger sells: its own count (or the whole position when null), clamped to the free shares; 0 = cancel. */
export function sellShares(wanted: number | null, free: number): number {
  return Math.max(0, Math.min(wanted ?? free, free));
}
