/**
 * The price-alert state machine (issue 11), pure. Prices are YES prices 1..99 (kop = %).
 *
 * - `above L`: fires when the committed YES price is at or above L; re-arms once the price is back
 *   at L − 1 or lower (one point of hysteresis, so a price hovering at L fires once).
 * - `below L`: fires at or below L; re-arms at L + 1 or higher.
 * - `move N`: fires when the price is N or more points away from the reference price (the price
 *   24 h ago); re-arms once it is within N − 1 points again.
 *
 * Only the committed price of each batch is looked at, so a gap (40 → 60 past `above 50`) fires
 * like a step-by-step climb, and a batch that went past the level and back within itself fires
 * nothing. Each firing disarms: one notification per crossing.
 */

export type AlertKind = 'above' | 'below' | 'move';

/** What the rule needs of an alert: its kind, its level (price, or points for `move`) and whether it is armed. */
export interface AlertState {
  kind: AlertKind;
  /** YES price 1..99 for above/below; points 1..99 for move. */
  level: number;
  armed: boolean;
}

/** True when the price is at or past the alert's level (the firing side). `ref` is the 24 h reference for `move`. */
export function isPast(a: Pick<AlertState, 'kind' | 'level'>, price: number, ref: number | null): boolean {
  switch (a.kind) {
    case 'above': return price >= a.level;
    case 'below': return price <= a.level;
    case 'move': return ref !== null && Math.abs(price - ref) >= a.level;
  }
}

/** True when the price has gone back past the level by at least one point (the re-arming side). */
export function isBack(a: Pick<AlertState, 'kind' | 'level'>, price: number, ref: number | null): boolean {
  switch (a.kind) {
    case 'above': return price <= a.level - 1;
    case 'below': return price >= a.level + 1;
    case 'move': return ref === null || Math.abs(price - ref) <= a.level - 1;
  }
}

/**
 * One step of the machine at a newly committed price: an armed alert at or past its level fires
 * and disarms; a disarmed one re-arms when the price is back by a point (and does not fire in the
 * same step). Anything else is unchanged.
 */
export function stepAlert(a: AlertState, price: number, ref: number | null): { armed: boolean; fired: boolean } {
  if (a.armed) return isPast(a, price, ref) ? { armed: false, fired: true } : { armed: true, fired: false };
  return { armed: isBack(a, price, ref), fired: false };
}

/** The state a new (or resumed) alert starts in: armed unless the price is already at or past its level. */
export function initialArmed(a: Pick<AlertState, 'kind' | 'level'>, price: number, ref: number | null): boolean {
  return !isPast(a, price, ref);
}

/**
 * A typed level's direction: above the current price → `above`, below → `below`; the current
 * price itself (or out of 1..99) is no level. Null when invalid.
 */
export function levelAlert(level: number, current: number): { kind: 'above' | 'below'; level: number } | null {
  if (!Number.isInteger(level) || level < 1 || level > 99 || level === current) return null;
  return { kind: level > current ? 'above' : 'below', level };
}

/** Preset alerts from the card: ±5 and ±10 points from the current price (those within 1..99) and 24 h moves of 5 and 10. */
export function presetAlerts(current: number): { kind: AlertKind; level: number }[] {
  const out: { kind: AlertKind; level: number }[] = [];
  for (const d of [5, 10]) {
    if (current + d <= 99) out.push({ kind: 'above', level: current + d });
    if (current - d >= 1) out.push({ kind: 'below', level: current - d });
  }
  out.push({ kind: 'move', level: 5 }, { kind: 'move', level: 10 });
  return out;
}
