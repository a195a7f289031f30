/**
 * The pure rules of streaks and achievements (issue 12). No I/O: the profile, the award hooks and
 * the tests call the same functions.
 *
 * A forecasting streak is a run of consecutive Moscow calendar days with at least one filled trade.
 * Days are `yyyy-MM-dd` strings in Moscow time (luxon, zone Europe/Moscow), so a trade at 23:59 MSK
 * and one at 00:01 MSK the next day are two days, whatever the UTC date says.
 */
import { DateTime } from 'luxon';

const MOSCOW = 'Europe/Moscow';

/** The Moscow calendar day of an instant: `yyyy-MM-dd`. */
export function moscowDay(at: Date): string {
  return DateTime.fromJSDate(at, { zone: MOSCOW }).toISODate()!;
}

function dayNumber(day: string): number {
  // Whole days since the epoch of the calendar date itself: a UTC midnight is an exact multiple of
  // a day in ms (no DST in the count), so the division is exact.
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

export interface Streaks {
  /** The run that ends today, or yesterday when nothing was traded yet today (still alive); else 0. */
  current: number;
  /** The longest run ever. */
  best: number;
}

/**
 * Current and best streak from the Moscow days with a fill (any order, duplicates allowed) as of
 * the Moscow day `today`. Days after `today` are ignored (a clock moved back must not count them).
 */
export function streaksOf(days: readonly string[], today: string): Streaks {
  const t = dayNumber(today);
  const nums = [...new Set(days.map(dayNumber))].filter((d) => d <= t).sort((a, b) => a - b);
  let best = 0;
  let run = 0;
  for (let i = 0; i < nums.length; i++) {
    run = i > 0 && nums[i] === nums[i - 1]! + 1 ? run + 1 : 1;
    best = Math.max(best, run);
  }
  const last = nums[nums.length - 1];
  const current = last !== undefined && t - last <= 1 ? run : 0;
  return { current, best };
}

/** Every achievement, in the order /profile lists them. */
export const ACHIEVEMENTS = ['first_trade', 'first_win', 'ten_correct', 'streak_7', 'group_market', 'first_referral'] as const;
export type AchievementCode = (typeof ACHIEVEMENTS)[number];

/** Correct calls needed for `ten_correct`, and streak days for `streak_7`. */
export const TEN_CORRECT = 10;
export const STREAK_DAYS = 7;

/** What the rules look at, all counted over the user's whole history. */
export interface AchievementFacts {
  /** Filled trades (as taker or maker). */
  fills: number;
  /** Right calls on settled YES/NO markets (domain/read/leaderboard.ts: more winning than losing shares). */
  correct: number;
  /** Best forecasting streak, days. */
  bestStreak: number;
  /** Markets the user created in a group. */
  groupMarkets: number;
  /** Invitees who were rewarded (deposited and traded). */
  rewardedReferrals: number;
}

/**
 * The rules: first_trade — one fill; first_win — one right call; ten_correct — {@link TEN_CORRECT}
 * right calls; streak_7 — a {@link STREAK_DAYS}-day streak; group_market — a market created in a
 * group; first_referral — one rewarded invitee. Monotone: more of any fact never takes one away.
 */
export function earnedAchievements(f: AchievementFacts): AchievementCode[] {
  const rule: Record<AchievementCode, boolean> = {
    first_trade: f.fills >= 1,
    first_win: f.correct >= 1,
    ten_correct: f.correct >= TEN_CORRECT,
    streak_7: f.bestStreak >= STREAK_DAYS,
    group_market: f.groupMarkets >= 1,
    first_referral: f.rewardedReferrals >= 1,
  };
  return ACHIEVEMENTS.filter((c) => rule[c]);
}

/** The achievements earned but not yet held (each is awarded once). */
export function newAchievements(f: AchievementFacts, held: ReadonlySet<string>): AchievementCode[] {
  return earnedAchievements(f).filter((c) => !held.has(c));
}
