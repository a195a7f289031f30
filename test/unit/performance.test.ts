/** issue 11: account value, time-weighted return and maximum drawdown (domain/read/performance.ts). */
import fc from 'fast-check';
import { dailyValues, maxDrawdown, performanceIndex, totalReturn, type DayValue } from '../../domain/read/performance';

const day = (d: number) => `2026-03-${String(d).padStart(2, '0')}`;
const values = (v: number[], flows: number[] = []): DayValue[] =>
  v.map((valueKop, i) => ({ day: day(i + 1), cashKop: valueKop, positionsKop: 0, valueKop, flowKop: flows[i] ?? 0 }));

describe('maxDrawdown', () => {
  it('of a known series: 100 → 120 → 90 → 130 → 65 falls 50 % from 130', () => {
    expect(maxDrawdown([100, 120, 90, 130, 65])).toEqual({ drawdown: 0.5, peak: 3, trough: 4 });
  });
  it('keeps the deepest fall, not the latest: 100 → 60 → 110 → 99', () => {
    expect(maxDrawdown([100, 60, 110, 99])).toEqual({ drawdown: 0.4, peak: 0, trough: 1 });
  });
  it('is 0 for a series that never falls, and for empty or one-point series', () => {
    expect(maxDrawdown([1, 2, 2, 3]).drawdown).toBe(0);
    expect(maxDrawdown([])).toEqual({ drawdown: 0, peak: -1, trough: -1 });
    expect(maxDrawdown([5]).drawdown).toBe(0);
  });
  it('property: between 0 and 1 for positive series, and the trough comes after the peak', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 50 }), (s) => {
      const d = maxDrawdown(s);
      expect(d.drawdown).toBeGreaterThanOrEqual(0);
      expect(d.drawdown).toBeLessThan(1);
      if (d.drawdown > 0) expect(d.trough).toBeGreaterThan(d.peak);
    }));
  });
});

describe('time-weighted return', () => {
  it('a deposit is not a gain: 100 ₽, +100 ₽ deposited, then 220 ₽ is +10 %', () => {
    const index = performanceIndex(values([10_000, 20_000, 22_000], [10_000, 10_000, 0]));
    expect(index).toEqual([1, 1, 1.1]);
    expect(totalReturn(index)).toBeCloseTo(0.1, 12);
  });
  it('a withdrawal is not a loss: 200 ₽, 100 ₽ withdrawn, 100 ₽ left is 0 %', () => {
    expect(totalReturn(performanceIndex(values([20_000, 10_000], [20_000, -10_000])))).toBe(0);
  });
  it('days with an empty account keep the index flat; fewer than two days is 0', () => {
    expect(performanceIndex(values([0, 0, 5_000, 6_000], [0, 0, 5_000, 0]))).toEqual([1, 1, 1, 1.2]);
    expect(totalReturn([1])).toBe(0);
  });
});

describe('dailyValues', () => {
  it('cash carried forward plus positions at the day mark; NO at 100 − YES; settled markets count nothing', () => {
    const v = dailyValues({
      days: [day(1), day(2), day(3), day(4)],
      cashDelta: new Map([[day(1), 10_000], [day(2), -6_000], [day(4), 10_000]]),
      flow: new Map([[day(1), 10_000]]),
      shares: [{ day: day(2), marketId: 7, outcome: 'YES', delta: 100, price: 60 }, { day: day(2), marketId: 8, outcome: 'NO', delta: 10, price: 30 }],
      marks: new Map([[7, new Map([[day(3), 80]])]]),
      settledOn: new Map([[7, day(4)]]),
    });
    expect(v.map((x) => [x.cashKop, x.positionsKop, x.valueKop])).toEqual([
      [10_000, 0, 10_000],
      [4_000, 100 * 60 + 10 * 70, 4_000 + 6_700], // marked at the trade price until a price point
      [4_000, 100 * 80 + 10 * 70, 4_000 + 8_700],
      [14_000, 10 * 70, 14_700], // market 7 paid out in cash
    ]);
    expect(v[0]?.flowKop).toBe(10_000);
  });
});
