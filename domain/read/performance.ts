/**
 * The account's value over time and how it performed (issue 11, portfolio history): daily values
 * from cash and positions at the day's mark price, the time-weighted return (deposits and
 * withdrawals are not gains or losses) and the maximum drawdown. Pure functions, no I/O; the
 * facts come from domain/read/history.ts.
 */

/** A change of the shares a user holds on a Moscow day: `delta` shares of `outcome`, traded at YES price `price` (1..99). */
export interface ShareChange {
  day: string;
  marketId: number;
  outcome: 'YES' | 'NO';
  delta: number;
  price: number;
}

/** What {@link dailyValues} needs, per Moscow day (`yyyy-mm-dd`). */
export interface ValueFacts {
  /** Every day to value, ascending. */
  days: readonly string[];
  /** Net money into the user's own accounts that day (available + reserved + withdrawals pending), kop. */
  cashDelta: ReadonlyMap<string, number>;
  /** Net deposits minus withdrawals that day, kop (money from outside, not a gain). */
  flow: ReadonlyMap<string, number>;
  shares: readonly ShareChange[];
  /** The market's last YES price (1..99) of each day it has a price point. */
  marks: ReadonlyMap<number, ReadonlyMap<string, number>>;
  /** Day each market was settled on: from then its shares are cash (the payout posting). */
  settledOn: ReadonlyMap<number, string>;
}

/** The account on one day: cash, positions at the mark, their sum, and that day's outside flow; kop. */
export interface DayValue {
  day: string;
  cashKop: number;
  positionsKop: number;
  valueKop: number;
  flowKop: number;
}

/**
 * Value of the account at the end of every day: cash carried forward plus each open position ×
 * its mark (YES: the day's last YES price, NO: 100 − it; a market with no price point yet is marked
 * at the user's own last trade price; a settled market counts nothing, its payout is in cash).
 */
export function dailyValues(f: ValueFacts): DayValue[] {
  const out: DayValue[] = [];
  const held = new Map<number, { YES: number; NO: number }>();
  const mark = new Map<number, number>();
  const byDay = new Map<string, ShareChange[]>();
  for (const c of f.shares) byDay.set(c.day, [...(byDay.get(c.day) ?? []), c]);
  let cash = 0;
  for (const day of f.days) {
    cash += f.cashDelta.get(day) ?? 0;
    for (const c of byDay.get(day) ?? []) {
      const h = held.get(c.marketId) ?? { YES: 0, NO: 0 };
      h[c.outcome] += c.delta;
      held.set(c.marketId, h);
      mark.set(c.marketId, c.price);
    }
    let positions = 0;
    for (const [marketId, h] of held) {
      const p = f.marks.get(marketId)?.get(day);
      if (p !== undefined) mark.set(marketId, p);
      const settled = f.settledOn.get(marketId);
      if (settled !== undefined && settled <= day) continue;
      const yes = mark.get(marketId) ?? 50;
      positions += h.YES * yes + h.NO * (100 - yes);
    }
    out.push({ day, cashKop: cash, positionsKop: positions, valueKop: cash + positions, flowKop: f.flow.get(day) ?? 0 });
  }
  return out;
}

/**
 * The growth of 1 ₽ kept in the account (time-weighted): each day's factor is
 * (value − that day's outside flow) / the previous day's value, so a deposit is not a gain and a
 * withdrawal not a loss. Days while the account held nothing keep the index flat.
 * @returns one index per day, starting at 1.
 */
export function performanceIndex(values: readonly DayValue[]): number[] {
  const index: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const prev = i > 0 ? values[i - 1]! : undefined;
    const cur = values[i]!;
    const last = index[i - 1] ?? 1;
    index.push(prev && prev.valueKop > 0 ? last * ((cur.valueKop - cur.flowKop) / prev.valueKop) : last);
  }
  return index;
}

/** Total time-weighted return of a performance index, e.g. 0.125 = +12.5 %; 0 for fewer than two days. */
export function totalReturn(index: readonly number[]): number {
  return index.length < 2 ? 0 : (index[index.length - 1] as number) / (index[0] as number) - 1;
}

/** The largest fall from a running peak: `drawdown` as a fraction of the peak (0..1), and where it ran. */
export interface Drawdown {
  drawdown: number;
  /** Index of the peak and of the lowest point after it (both −1 when there was no fall). */
  peak: number;
  trough: number;
}

/**
 * Maximum drawdown of a series (values or a performance index): max over t of (peak before t −
 * value at t) / peak. A series that never falls (or has non-positive peaks only) gives 0.
 */
export function maxDrawdown(series: readonly number[]): Drawdown {
  let best: Drawdown = { drawdown: 0, peak: -1, trough: -1 };
  let peak = -1;
  for (let i = 0; i < series.length; i++) {
    const v = series[i] as number;
    if (peak < 0 || v > (series[peak] as number)) peak = i;
    const top = series[peak] as number;
    if (top > 0) {
      const dd = (top - v) / top;
      if (dd > best.drawdown) best = { drawdown: dd, peak, trough: i };
    }
  }
  return best;
}
