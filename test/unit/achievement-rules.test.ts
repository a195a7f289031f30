import fc from 'fast-check';
import { DateTime } from 'luxon';
import { ACHIEVEMENTS, earnedAchievements, moscowDay, newAchievements, streaksOf, type AchievementFacts } from '../../domain/services/achievement-rules';

const day = (iso: string, plus = 0) => DateTime.fromISO(iso, { zone: 'UTC' }).plus({ days: plus }).toISODate()!;

describe('issue 12: streak days in Moscow time', () => {
  test('a trade at 23:59 MSK and one at 00:01 MSK are two consecutive days, though the same UTC date', () => {
    const late = new Date('2026-03-10T20:59:00Z'); // 23:59 MSK on 10 March
    const early = new Date('2026-03-10T21:01:00Z'); // 00:01 MSK on 11 March, still 10 March in UTC
    expect(moscowDay(late)).toBe('2026-03-10');
    expect(moscowDay(early)).toBe('2026-03-11');
    expect(streaksOf([moscowDay(late), moscowDay(early)], '2026-03-11')).toEqual({ current: 2, best: 2 });
    // Two trades on one Moscow day (00:01 and 23:59 MSK) are one day.
    expect(streaksOf([moscowDay(new Date('2026-03-10T21:01:00Z')), moscowDay(new Date('2026-03-11T20:59:00Z'))], '2026-03-11')).toEqual({ current: 1, best: 1 });
  });

  test('the current streak survives until the end of the next Moscow day, then ends', () => {
    const days = ['2026-03-08', '2026-03-09', '2026-03-10'];
    expect(streaksOf(days, '2026-03-10')).toEqual({ current: 3, best: 3 });
    expect(streaksOf(days, '2026-03-11')).toEqual({ current: 3, best: 3 });
    expect(streaksOf(days, '2026-03-12')).toEqual({ current: 0, best: 3 });
    expect(streaksOf([], '2026-03-12')).toEqual({ current: 0, best: 0 });
    // Across a month and a year end.
    expect(streaksOf(['2025-12-30', '2025-12-31', '2026-01-01'], '2026-01-01')).toEqual({ current: 3, best: 3 });
    // Days after "today" do not count.
    expect(streaksOf(['2026-03-10', '2026-03-11'], '2026-03-10')).toEqual({ current: 1, best: 1 });
  });

  test('properties: best ≥ current, order and duplicates do not matter, a run of n days is n', () => {
    const dayArb = fc.integer({ min: 0, max: 60 }).map((n) => day('2026-01-01', n));
    fc.assert(fc.property(fc.array(dayArb, { maxLength: 40 }), fc.integer({ min: 0, max: 62 }), (days, t) => {
      const today = day('2026-01-01', t);
      const s = streaksOf(days, today);
      expect(s.best).toBeGreaterThanOrEqual(s.current);
      expect(streaksOf([...days].reverse().concat(days), today)).toEqual(s);
      expect(s.best).toBeLessThanOrEqual(new Set(days).size);
    }));
    fc.assert(fc.property(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 0, max: 1 }), (n, gap) => {
      const days = Array.from({ length: n }, (_, i) => day('2025-06-01', i));
      expect(streaksOf(days, day('2025-06-01', n - 1 + gap))).toEqual({ current: n, best: n });
    }));
  });
});

describe('issue 12: achievements', () => {
  const none: AchievementFacts = { fills: 0, correct: 0, bestStreak: 0, groupMarkets: 0, rewardedReferrals: 0 };

  test('each rule at its boundary', () => {
    expect(earnedAchievements(none)).toEqual([]);
    expect(earnedAchievements({ ...none, fills: 1 })).toEqual(['first_trade']);
    expect(earnedAchievements({ ...none, correct: 9 })).toEqual(['first_win']);
    expect(earnedAchievements({ ...none, correct: 10 })).toEqual(['first_win', 'ten_correct']);
    expect(earnedAchievements({ ...none, bestStreak: 6 })).toEqual([]);
    expect(earnedAchievements({ ...none, bestStreak: 7 })).toEqual(['streak_7']);
    expect(earnedAchievements({ ...none, groupMarkets: 1 })).toEqual(['group_market']);
    expect(earnedAchievements({ ...none, rewardedReferrals: 1 })).toEqual(['first_referral']);
  });

  const facts = fc.record({
    fills: fc.nat(30), correct: fc.nat(30), bestStreak: fc.nat(30), groupMarkets: fc.nat(3), rewardedReferrals: fc.nat(3),
  });

  test('awarded once: what is held is never new again, and applying new awards leaves nothing new', () => {
    fc.assert(fc.property(facts, fc.subarray([...ACHIEVEMENTS]), (f, heldList) => {
      const held = new Set<string>(heldList);
      const fresh = newAchievements(f, held);
      for (const c of fresh) expect(held.has(c)).toBe(false);
      expect(newAchievements(f, new Set([...held, ...fresh]))).toEqual([]);
    }));
  });

  test('monotone: more of any fact never takes an achievement away', () => {
    fc.assert(fc.property(facts, facts, (a, b) => {
      const more = {
        fills: a.fills + b.fills, correct: a.correct + b.correct, bestStreak: a.bestStreak + b.bestStreak,
        groupMarkets: a.groupMarkets + b.groupMarkets, rewardedReferrals: a.rewardedReferrals + b.rewardedReferrals,
      };
      const after = new Set(earnedAchievements(more));
      for (const c of earnedAchievements(a)) expect(after.has(c)).toBe(true);
    }));
  });
});
