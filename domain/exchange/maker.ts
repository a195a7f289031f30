/**
 * The house market maker's maths (DESIGN §9): a binary LMSR discretized at the integer price
 * levels, its exact integer loss bounds, the liquidity `b` a budget buys, and the quotes it wants
 * for an inventory. Pure, no I/O.
 *
 * The ladder: the interval of YES prices (k − 1, k] holds
 * `s_k = ⌊b·(logit(k/100) − logit((k−1)/100))⌋` whole shares, for k = 2..99 (the intervals at the
 * ends would need prices 0 and 100, which do not trade). Lay the intervals end to end from the
 * bottom; the maker's place on the ladder is `pos` shares from the bottom. Shares below `pos` are
 * bids at their interval's lower end k − 1, shares above are asks at the upper end k. At the
 * opening price p0, pos = Σ_{k ≤ p0} s_k; every YES-equivalent share the maker sells (SELL_YES or
 * BUY_NO filled) moves pos up by one, every one it buys moves it down, so
 * pos = start + (NO held − YES held) − anchorNet.
 *
 * Floats appear only in {@link ladderSizes}: the ladder is computed once per (b) and kept as
 * integers; everything after it (losses, quotes) is exact integer arithmetic.
 */
import { floorDiv, type Kop, type Price, type Shares } from '../money';
import type { Intent } from './types';

/** Lowest and highest interval index: interval k spans YES prices (k − 1, k]. */
const FIRST = 2;
const LAST = 99;

/** logit(k/100) − logit((k−1)/100) for k = 2..99 (index k), computed once. */
const LOGIT_STEP: readonly number[] = (() => {
  const logit = (p: number) => Math.log(p / (1 - p));
  const out: number[] = [];
  for (let k = 0; k <= 100; k++) out.push(k >= FIRST && k <= LAST ? logit(k / 100) - logit((k - 1) / 100) : 0);
  return out;
})();

/** The integer ladder of one (b, p0): sizes and cumulative sums, both indexed by interval k. */
export interface Ladder {
  /** LMSR liquidity, shares. */
  b: number;
  /** The price the ladder is centred on, 1..99 (the opening price, or the anchor after a re-derivation). */
  p0: Price;
  /** s_k for k = 2..99; 0 elsewhere (index 0..100). */
  sizes: readonly number[];
  /** cum[k] = Σ_{j ≤ k} s_j (index 0..100); the ladder holds cum[100] shares. */
  cum: readonly number[];
  /** pos at the centre: cum[p0]. */
  start: number;
}

/** The interval sizes s_k of liquidity `b` (index 0..100, s_k = 0 outside 2..99). DESIGN §9. */
export function ladderSizes(b: number): number[] {
  return LOGIT_STEP.map((d) => (d === 0 ? 0 : Math.floor(b * d)));
}

/** The ladder of liquidity `b` (whole shares ≥ 0) centred on price `p0` (1..99). */
export function makeLadder(b: number, p0: Price): Ladder {
  const sizes = ladderSizes(b);
  const cum: number[] = [];
  let acc = 0;
  for (let k = 0; k <= 100; k++) {
    acc += sizes[k]!;
    cum.push(acc);
  }
  return { b, p0, sizes, cum, start: cum[p0]! };
}

/**
 * Exact worst cases of a fresh ladder, kop: walked to 99 and outcome YES,
 * `loss_YES = Σ_{k > p0} s_k·(100 − k)`; walked to 1 and outcome NO, `loss_NO = Σ_{k ≤ p0} s_k·(k − 1)`.
 */
export function ladderLosses(b: number, p0: Price): { yes: Kop; no: Kop } {
  const s = ladderSizes(b);
  let yes = 0;
  let no = 0;
  for (let k = FIRST; k <= LAST; k++) {
    if (k > p0) yes += s[k]! * (100 - k);
    else no += s[k]! * (k - 1);
  }
  return { yes: yes as Kop, no: no as Kop };
}

/**
 * The largest whole `b` whose exact losses stay within what the maker can lose on each outcome:
 * `ladderLosses(b, p0).yes ≤ capYes` and `.no ≤ capNo` (kop ≥ 0). For a fresh market both caps
 * are the budget B (DESIGN §9). Losses never shrink as b grows, so a binary search finds it.
 */
export function deriveB(capYesKop: number, capNoKop: number, p0: Price): number {
  const fits = (b: number) => {
    const l = ladderLosses(b, p0);
    return l.yes <= capYesKop && l.no <= capNoKop;
  };
  // Every ladder has s_2 ≈ 0.70·b at weight 1 or s_99 ≈ 0.70·b at weight 1, so b ≤ 2·cap + 1.
  let lo = 0;
  let hi = 2 * Math.max(capYesKop, capNoKop) + 2;
  while (lo < hi) {
    const mid = lo + floorDiv(hi - lo + 1, 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** What the maker holds in its market: shares of each outcome (free + offered) and kop (available + reserved). */
export interface MakerInventory {
  yes: Shares;
  no: Shares;
  cashKop: number;
}

/** How the maker quotes: its ladder, the net inventory its ladder started at, and the window. */
export interface MakerParams {
  userId: number;
  ladder: Ladder;
  /** NO − YES held when the ladder was set (0 for a fresh market; the inventory at a re-derivation). */
  anchorNet: number;
  /** Price levels quoted at most on each side. */
  window: number;
}

/** One order the maker wants in the book: a YES-book price and whole shares. */
export interface Quote {
  intent: Intent;
  price: Price;
  qty: Shares;
}

/** The maker's place on its ladder for an inventory, clamped to the ladder. */
export function ladderPos(p: MakerParams, inv: MakerInventory): number {
  const pos = p.ladder.start + (inv.no - inv.yes) - p.anchorNet;
  return Math.max(0, Math.min(p.ladder.cum[100]!, pos));
}

/** The maker's price for display: the interval its place on the ladder sits in (1..99). */
export function makerPrice(p: MakerParams, inv: MakerInventory): Price {
  const pos = ladderPos(p, inv);
  const cum = p.ladder.cum;
  for (let k = FIRST; k <= LAST; k++) if (cum[k]! > pos) return k;
  return LAST;
}

/**
 * The orders the maker wants for an inventory (DESIGN §9), a pure function of (params, inventory):
 * - the ladder above `pos` is asks at each interval's upper end k, below it bids at the lower
 *   end k − 1; an interval `pos` cuts quotes its upper part as an ask and its lower part as a bid;
 * - at most `window` price levels a side, nearest the price first, taken alternately ask, bid,
 *   ask, … so the money goes to both sides;
 * - asks are SELL_YES while free YES shares last, then BUY_NO (100 − k kop a share); bids are
 *   SELL_NO while NO shares last, then BUY_YES (k − 1 kop a share);
 * - the money reserved never exceeds `cashKop`: a side stops at the first level its money cannot
 *   fully back (that level is quoted as far as the money goes).
 * Never crossed: every bid is at or below the cut interval's lower end, every ask at or above its upper end.
 */
export function quote(p: MakerParams, inv: MakerInventory): Quote[] {
  const buf = newQuoteBuffer();
  quoteInto(p, inv, buf);
  const out: Quote[] = [];
  for (let i = 0; i < buf.n; i++) out.push({ intent: QUOTE_INTENTS[buf.intent[i]!]!, price: buf.price[i]!, qty: buf.qty[i]! });
  return out;
}

/** The intents by the code a {@link QuoteBuffer} holds for them: the bid intents first. */
export const QUOTE_INTENTS: readonly Intent[] = ['BUY_YES', 'SELL_NO', 'SELL_YES', 'BUY_NO'];
const BUY_YES = 0;
const SELL_NO = 1;
const SELL_YES = 2;
const BUY_NO = 3;
/** Codes below this are bids. */
export const FIRST_ASK_CODE = SELL_YES;

/**
 * Most orders one quote holds: each side visits each of the 98 intervals at most once and quotes
 * at most two orders (shares held, then money) per level.
 */
const MAX_QUOTES = 4 * (LAST - FIRST + 1);

/**
 * {@link quote}'s orders as parallel arrays of room for any quote, the first `n` entries in quote
 * order: for hot loops that reuse one buffer (a store within an array's length is a plain store;
 * an appending one checks for room every time). Also the farthest price quoted on each side (null:
 * none there), which the maker's requote needs and the quote knows as it goes.
 */
export interface QuoteBuffer {
  /** Intent codes: {@link QUOTE_INTENTS}[code]. */
  intent: Uint8Array;
  price: Uint8Array;
  /**
   * Whole shares. A plain array, not a Float64Array: what is read from it goes into orders, and
   * a number read from a Float64Array would make their share fields boxed doubles.
   */
  qty: number[];
  n: number;
  /** The lowest bid price quoted. */
  bidEdge: Price | null;
  /** The highest ask price quoted. */
  askEdge: Price | null;
}

/** An empty {@link QuoteBuffer} with room for any quote. */
export function newQuoteBuffer(): QuoteBuffer {
  return {
    intent: new Uint8Array(MAX_QUOTES), price: new Uint8Array(MAX_QUOTES), qty: Array.from({ length: MAX_QUOTES }, () => 0),
    n: 0, bidEdge: null, askEdge: null,
  };
}

/**
 * A number 0..399 per (intent code, price 1..99), different for different pairs: a quote holds
 * each pair at most once, so the maker's requote keys what it wants by it.
 */
export function quoteSlot(code: number, price: Price): number {
  return code * 100 + price;
}

/** The code of an intent in {@link QUOTE_INTENTS}. */
export function intentCode(intent: Intent): number {
  return intent === 'BUY_YES' ? BUY_YES : intent === 'SELL_NO' ? SELL_NO : intent === 'SELL_YES' ? SELL_YES : BUY_NO;
}

/**
 * min(`want`, ⌊cash / unit⌋) as {@link floorDiv} gives it (shares ≥ 0, kop per share ≥ 1, kop):
 * the shares `cash` pays for at `unit` kop each, at most `want`. The division is only needed at
 * the level where the money runs out; everywhere nearer, `want` shares are paid in full and a
 * multiplication says so (cash ≥ want·unit ⇔ ⌊cash / unit⌋ ≥ want).
 */
function affordable(want: number, unit: number, cash: number): number {
  return want * unit <= cash ? want : Math.min(want, floorDiv(cash, unit));
}

/**
 * Writes one order at index `n` and returns n + 1 (the count stays in the caller's local rather
 * than in `out`). `qty` is whole shares but may arrive as a boxed number (a share count computed
 * through a division, after the engine fell back from compiled code); Math.trunc, the identity on
 * whole numbers, hands the array a small integer again, so one such value never turns the
 * long-lived buffer (and every order made from it) into boxed numbers.
 */
function put(out: QuoteBuffer, n: number, code: number, price: number, qty: number): number {
  out.intent[n] = code;
  out.price[n] = price;
  out.qty[n] = Math.trunc(qty);
  return n + 1;
}

/**
 * The interval `pos` falls in: the first k in 2..99 with cum[k] > pos (cum[k−1] ≤ pos < cum[k]),
 * or 100 when pos is at the top. cum never decreases, so a binary search finds it.
 */
function intervalAt(cum: readonly number[], pos: number): number {
  let lo = FIRST;
  let hi = LAST + 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! > pos) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Writes `quote(p, inv)` into `out` (overwriting it), allocating nothing. */
export function quoteInto(p: MakerParams, inv: MakerInventory, out: QuoteBuffer): void {
  let n = 0;
  // Prices only move outwards on each side, so each side's last price is its edge.
  out.bidEdge = null;
  out.askEdge = null;
  const { sizes, cum } = p.ladder;
  const pos = ladderPos(p, inv);
  const j = intervalAt(cum, pos);
  // The levels of each side are found lazily, nearest first: the next interval to look at on
  // each side and how many levels that side has given (at most `window`).
  let askK = j;
  let bidK = Math.min(j, LAST);
  let cash = inv.cashKop;
  let yes = inv.yes;
  let no = inv.no;
  let askOpen = true;
  let bidOpen = true;
  const window = p.window;
  for (let i = 0; i < window && (askOpen || bidOpen); i++) {
    if (askOpen) {
      let askQty = 0;
      while (askK <= LAST) {
        const k = askK++;
        const qty = cum[k]! - Math.max(pos, cum[k - 1]!);
        if (qty > 0) {
          askQty = qty;
          break;
        }
      }
      if (askQty > 0) {
        const price = askK - 1;
        const backed = Math.min(yes, askQty);
        yes -= backed;
        if (backed > 0) n = put(out, n, SELL_YES, price, backed);
        const unit = 100 - price;
        const paid = affordable(askQty - backed, unit, cash);
        cash -= paid * unit;
        if (paid > 0) n = put(out, n, BUY_NO, price, paid);
        if (backed > 0 || paid > 0) out.askEdge = price;
        if (backed + paid < askQty) askOpen = false;
      } else askOpen = false;
    }
    if (bidOpen) {
      let bidQty = 0;
      while (bidK >= FIRST) {
        const k = bidK--;
        const qty = Math.min(pos, cum[k]!) - cum[k - 1]!;
        if (qty > 0 && sizes[k]! > 0) {
          bidQty = qty;
          break;
        }
      }
      if (bidQty > 0) {
        // The level found is interval bidK + 1, bid at its lower end bidK.
        const price = bidK;
        const backed = Math.min(no, bidQty);
        no -= backed;
        if (backed > 0) n = put(out, n, SELL_NO, price, backed);
        const unit = price;
        const paid = affordable(bidQty - backed, unit, cash);
        cash -= paid * unit;
        if (paid > 0) n = put(out, n, BUY_YES, price, paid);
        if (backed > 0 || paid > 0) out.bidEdge = price;
        if (backed + paid < bidQty) bidOpen = false;
      } else bidOpen = false;
    }
  }
  out.n = n;
}

/**
 * The maker's exact worst end values from an inventory, kop: walk its remaining ladder to 99 and
 * settle YES, or to 1 and settle NO (DESIGN §9 with the inventory it already has). Selling one
 * YES-equivalent at k changes its YES value by k − 100; buying one at k − 1 changes its NO value
 * by −(k − 1). The loss bound holds while both stay ≥ 0.
 */
export function worstEndValues(p: MakerParams, inv: MakerInventory): { yes: number; no: number } {
  const { cum } = p.ladder;
  const pos = ladderPos(p, inv);
  let yes = inv.cashKop + 100 * inv.yes;
  let no = inv.cashKop + 100 * inv.no;
  for (let k = FIRST; k <= LAST; k++) {
    const above = cum[k]! - Math.max(pos, cum[k - 1]!);
    if (above > 0) yes -= above * (100 - k);
    const below = Math.min(pos, cum[k]!) - cum[k - 1]!;
    if (below > 0) no -= below * (k - 1);
  }
  return { yes, no };
}

/**
 * Re-derives the ladder for a maker that gets `addKop` more money (DESIGN §9, `/liquidity`):
 * centred on its current price, with the largest b whose walk to either end from the current
 * inventory (with the new money) keeps both end values ≥ 0. Returns the new params.
 */
export function rederive(p: MakerParams, inv: MakerInventory, addKop: number): MakerParams {
  const p0 = makerPrice(p, inv);
  const cash = inv.cashKop + addKop;
  const b = deriveB(cash + 100 * inv.yes, cash + 100 * inv.no, p0);
  return { ...p, ladder: makeLadder(b, p0), anchorNet: inv.no - inv.yes };
}
