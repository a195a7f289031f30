/** Fee schedule and rounding (DESIGN §2, seed plan fee schedule). */
import fc from 'fast-check';
import {
  cumulativeFee,
  feeOn,
  feeTier,
  MAKER_REBATE_BPS,
  makerRebate,
  maxNotionalForSpend,
  takerFeeBps,
} from '../../domain/exchange';
import { kop } from '../../domain/money';

describe('taker fee schedule (seed plan)', () => {
  it.each([
    [0, 10],
    [999_999, 10], // 9 999.99 ₽
    [1_000_000, 5], // exactly 10 000 ₽ is already the 5 bps tier
    [10_000_000, 5], // exactly 100 000 ₽ is still 5 bps ("> 100 000 ₽" → 2 bps)
    [10_000_001, 2],
    [1_000_000_000, 2],
  ])('volume %i kop → %i bps', (volume, bps) => {
    expect(takerFeeBps(kop(volume))).toBe(bps);
  });

  it('makers get a 1 bp rebate', () => {
    expect(MAKER_REBATE_BPS).toBe(1);
  });

  it('feeTier tells the bot the current rate and what the next tier needs', () => {
    expect(feeTier(kop(250_000))).toEqual({
      index: 0,
      takerBps: 10,
      makerRebateBps: 1,
      next: { takerBps: 5, fromVolumeKop: 1_000_000, missingKop: 750_000 },
    });
    expect(feeTier(kop(1_000_000)).next).toEqual({ takerBps: 2, fromVolumeKop: 10_000_001, missingKop: 9_000_001 });
    expect(feeTier(kop(50_000_000))).toEqual({ index: 2, takerBps: 2, makerRebateBps: 1, next: null });
  });
});

describe('fee rounding', () => {
  it('fees round up, rebates round down', () => {
    expect(feeOn(1, 10)).toBe(1);
    expect(feeOn(1000, 10)).toBe(1);
    expect(feeOn(1001, 10)).toBe(2);
    expect(feeOn(0, 10)).toBe(0);
    expect(makerRebate(9_999)).toBe(0);
    expect(makerRebate(10_000)).toBe(1);
    expect(makerRebate(29_999)).toBe(2);
  });

  it('cumulative per-fill fees: 3 fills of 500 kop at 10 bps cost 2 kop, not 3', () => {
    const fees = [cumulativeFee(0, 500, 10), cumulativeFee(500, 500, 10), cumulativeFee(1000, 500, 10)];
    expect(fees).toEqual([1, 0, 1]);
    expect(fees[0]! + fees[1]! + fees[2]!).toBe(feeOn(1500, 10));
  });

  it('per-fill cumulative fees always add up to the fee on the total (preview == charge)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5_000_000 }), { minLength: 1, maxLength: 20 }), fc.constantFrom(10, 5, 2), (fills, bps) => {
        let before = 0;
        let sum = 0;
        for (const n of fills) {
          const fee = cumulativeFee(before, n, bps);
          expect(fee).toBeGreaterThanOrEqual(0);
          expect(fee).toBeLessThanOrEqual(n); // a selling taker's fee never exceeds that fill's proceeds
          sum += fee;
          before += n;
        }
        expect(sum).toBe(feeOn(before, bps));
      }),
    );
  });
});

describe('maxNotionalForSpend', () => {
  it('is the largest N with N + ceil(N × bps / 10 000) ≤ X', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000 }), fc.constantFrom(10, 5, 2, 0), (x, bps) => {
        const n = maxNotionalForSpend(kop(x), bps);
        expect(n + feeOn(n, bps)).toBeLessThanOrEqual(x);
        expect(n + 1 + feeOn(n + 1, bps)).toBeGreaterThan(x);
      }),
      { numRuns: 2_000 },
    );
  });

  it('spend 100 ₽ at 10 bps buys 9 990 kop of notional (+ 10 kop fee)', () => {
    expect(maxNotionalForSpend(kop(10_000), 10)).toBe(9_990);
  });
});
