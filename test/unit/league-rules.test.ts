import fc from 'fast-check';
import { kop } from '../../domain/money';
import {
  chooseCohort, COHORT_TARGET, daysLeft, DIVISIONS, moveCounts, movementOf, nextDivision, parsePrizes, previousSeason, rankCohort,
  seasonBounds, seasonOf, type Division,
} from '../../domain/services/league-rules';

describe('issue 12: seasons are Moscow calendar months', () => {
  test('00:00 MSK on the 1st (21:00 UTC the day before) starts the new season', () => {
    expect(seasonOf(new Date('2026-02-28T20:59:59Z'))).toBe('2026-02');
    expect(seasonOf(new Date('2026-02-28T21:00:00Z'))).toBe('2026-03');
    expect(seasonBounds('2026-03')).toEqual({ start: new Date('2026-02-28T21:00:00Z'), end: new Date('2026-03-31T21:00:00Z') });
    expect(previousSeason('2026-01')).toBe('2025-12');
    expect(() => seasonBounds('2026-3')).toThrow(RangeError);
  });

  test('days left count today: 31 on the 1st of a 31-day month, 1 on its last day', () => {
    expect(daysLeft(new Date('2026-02-28T21:00:00Z'))).toBe(31);
    expect(daysLeft(new Date('2026-03-31T20:59:00Z'))).toBe(1);
  });
});

describe('issue 12: cohort placement', () => {
  test('cohorts fill to the target one after another', () => {
    expect(chooseCohort([])).toBe(1);
    expect(chooseCohort([COHORT_TARGET - 1])).toBe(1);
    expect(chooseCohort([COHORT_TARGET])).toBe(2);
    expect(chooseCohort([COHORT_TARGET, 3])).toBe(2);
  });

  test('property: placing n newcomers one by one gives full cohorts and one smaller last one, none above the target', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), (n) => {
      const sizes: number[] = [];
      for (let i = 0; i < n; i++) {
        const c = chooseCohort(sizes);
        if (c > sizes.length) sizes.push(0);
        sizes[c - 1]! += 1;
      }
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
      expect(sizes.length).toBe(Math.ceil(n / COHORT_TARGET));
      sizes.slice(0, -1).forEach((s) => expect(s).toBe(COHORT_TARGET));
      expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(COHORT_TARGET);
    }));
  });
});

describe('issue 12: ranking, promotion and relegation', () => {
  test('score first, then accuracy (exact), then user id', () => {
    const ranked = rankCohort([
      { userId: 1, scoreKop: kop(100), correct: 1, calls: 2 },
      { userId: 2, scoreKop: kop(500), correct: 0, calls: 0 },
      { userId: 3, scoreKop: kop(100), correct: 2, calls: 3 },
      { userId: 4, scoreKop: kop(100), correct: 2, calls: 4 },
      { userId: 5, scoreKop: kop(-50), correct: 5, calls: 5 },
    ]);
    expect(ranked.map((r) => [r.userId, r.place])).toEqual([[2, 1], [3, 2], [1, 3], [4, 4], [5, 5]]);
  });

  test('a fifth up and a fifth down, at least one; none up from Masters or down from Bronze; tiny cohorts', () => {
    expect(moveCounts(25, 'silver')).toEqual({ up: 5, down: 5 });
    expect(moveCounts(24, 'silver')).toEqual({ up: 4, down: 4 });
    expect(moveCounts(4, 'silver')).toEqual({ up: 1, down: 0 });
    expect(moveCounts(5, 'silver')).toEqual({ up: 1, down: 1 });
    expect(moveCounts(1, 'silver')).toEqual({ up: 0, down: 0 });
    expect(moveCounts(40, 'bronze')).toEqual({ up: 8, down: 0 });
    expect(moveCounts(40, 'masters')).toEqual({ up: 0, down: 8 });
    expect([1, 5, 6, 20, 21, 25].map((p) => movementOf(p, 25, 'gold'))).toEqual(['promoted', 'promoted', 'stayed', 'stayed', 'relegated', 'relegated']);
    expect(nextDivision('gold', 'promoted')).toBe('platinum');
    expect(nextDivision('gold', 'relegated')).toBe('silver');
    expect(nextDivision('masters', 'promoted')).toBe('masters');
    expect(nextDivision('bronze', 'relegated')).toBe('bronze');
  });

  test('property: nobody both promoted and relegated, counts match, divisions stay in range, order respected', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.constantFrom(...DIVISIONS), (size, division: Division) => {
      const moves = Array.from({ length: size }, (_, i) => movementOf(i + 1, size, division));
      const { up, down } = moveCounts(size, division);
      expect(up + down).toBeLessThanOrEqual(size);
      expect(moves.filter((m) => m === 'promoted')).toHaveLength(up);
      expect(moves.filter((m) => m === 'relegated')).toHaveLength(down);
      // Better places never move down more than worse ones.
      const rank = { promoted: 2, stayed: 1, relegated: 0 } as const;
      for (let i = 1; i < size; i++) expect(rank[moves[i - 1]!]).toBeGreaterThanOrEqual(rank[moves[i]!]);
      for (const m of moves) expect(DIVISIONS).toContain(nextDivision(division, m));
    }));
  });
});

describe('issue 12: LEAGUE_PRIZES', () => {
  test('parsed per place, empty is none, malformed is null', () => {
    expect(parsePrizes('')).toEqual(new Map());
    expect(parsePrizes('1:50000, 2:25000,3:10000')).toEqual(new Map([[1, 50_000], [2, 25_000], [3, 10_000]]));
    for (const bad of ['1:0', '0:100', '1:100,1:200', '1=100', 'x', '1:10.5']) expect(parsePrizes(bad)).toBeNull();
  });
});
