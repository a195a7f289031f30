/**
 * Money, shares and prices (DESIGN §1). Integers only; no floating point touches them.
 *
 * - `Kop`: kopecks (1 RUB = 100 kop), a branded safe integer.
 * - `Shares`: whole shares; one share pays 100 kop if its outcome wins.
 * - `Price`: kopecks per YES share in the one YES book, 1..99 (= implied probability in %).
 */
export type Kop = number & { readonly __brand: 'Kop' };
/** Whole shares (plain integer; validated with {@link isShares}). */
export type Shares = number;
/** YES-book price in kop per share, 1..99 (validated with {@link isPrice}). */
export type Price = number;

/** A share pays this many kop when its outcome wins (DESIGN §1). */
export const SHARE_PAYOUT = 100 as Kop;

/** Thrown when a value that must be integer kopecks is not. A programming error, never user input. */
export class MoneyError extends Error {}

/**
 * Brands an integer as kopecks.
 * @throws MoneyError if `n` is not a safe integer.
 */
export function kop(n: number): Kop {
  if (!Number.isSafeInteger(n)) throw new MoneyError(`not integer kopecks: ${n}`);
  return n as Kop;
}

/** Whole roubles to kopecks. @throws MoneyError on a non-integer result. */
export function rub(n: number): Kop {
  return kop(n * 100);
}

export const ZERO = 0 as Kop;

export function addKop(a: Kop, b: Kop): Kop {
  return kop(a + b);
}
export function subKop(a: Kop, b: Kop): Kop {
  return kop(a - b);
}
/** kop × integer factor (shares, count). */
export function mulKop(a: number, factor: number): Kop {
  return kop(a * factor);
}
export function minKop(a: Kop, b: Kop): Kop {
  return (a < b ? a : b) as Kop;
}
export function maxKop(a: Kop, b: Kop): Kop {
  return (a > b ? a : b) as Kop;
}

/** Integer division rounding up, for non-negative integers (fees round up, DESIGN §2). */
export function ceilDiv(a: number, b: number): number {
  return floorDiv(a + b - 1, b);
}
/** Integer division rounding down, for non-negative integers (rebates round down, DESIGN §2). */
export function floorDiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

export function isPrice(p: unknown): p is Price {
  return typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 99;
}
export function isShares(q: unknown): q is Shares {
  return typeof q === 'number' && Number.isSafeInteger(q) && q > 0;
}

/**
 * Parses a user-typed rouble amount ("100", "100,50", "1 000.5") into kop without floats.
 * Returns null when it is not a positive amount with at most two decimals.
 */
export function parseRubToKop(text: string): Kop | null {
  // \u0440\u0443\u0431 is "rub" in Cyrillic: people type the word after the amount.
  const t = text.replace(/[\s\u00a0\u20bd]|\u0440\u0443\u0431\.?|rub\.?/gi, '').replace(',', '.');
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(t);
  if (!m) return null;
  const whole = Number(m[1]);
  const frac = m[2] ? Number(m[2].padEnd(2, '0')) : 0;
  return kop(whole * 100 + frac);
}
