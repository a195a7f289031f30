/** What /profile shows and the achievement rules read (issue 12): fill days, facts, achievements held. */
import type { EntityManager } from 'typeorm';
import { streaksOf, moscowDay, type AchievementFacts, type Streaks } from '../services/achievement-rules';
import { int } from './rows';

/** The distinct Moscow days (`yyyy-MM-dd`) on which the user had a fill, as taker or maker, oldest first. */
export async function fillDays(m: EntityManager, userId: number): Promise<string[]> {
  const rows: { day: string }[] = await m.query(
    `SELECT DISTINCT to_char(created_at AT TIME ZONE 'Europe/Moscow', 'YYYY-MM-DD') AS day
       FROM fills WHERE taker_user_id = $1 OR maker_user_id = $1 ORDER BY 1`, [userId]);
  return rows.map((r) => r.day);
}

/** Current and best streak as of `now`. */
export async function streaksAt(m: EntityManager, userId: number, now: Date): Promise<Streaks> {
  return streaksOf(await fillDays(m, userId), moscowDay(now));
}

/**
 * The facts of {@link AchievementFacts} for one user as of `now`. Right calls are counted like the
 * leaderboard's accuracy (domain/read/leaderboard.ts): settled YES/NO markets where the user held
 * more shares of the winning outcome than of the losing one.
 */
export async function achievementFacts(m: EntityManager, userId: number, now: Date): Promise<AchievementFacts> {
  const [r] = await m.query(
    `SELECT (SELECT count(*) FROM fills WHERE taker_user_id = $1) + (SELECT count(*) FROM fills WHERE maker_user_id = $1) AS fills,
            (SELECT count(*) FROM (
               SELECT p.market_id FROM positions p JOIN markets mk ON mk.id = p.market_id
                WHERE p.user_id = $1 AND mk.status = 'settled' AND mk.outcome IN ('YES', 'NO') AND p.shares > 0
                GROUP BY p.market_id
               HAVING COALESCE(sum(p.shares) FILTER (WHERE p.outcome = mk.outcome), 0) > COALESCE(sum(p.shares) FILTER (WHERE p.outcome <> mk.outcome), 0)) c) AS correct,
            (SELECT count(*) FROM markets WHERE created_by = $1 AND chat_id IS NOT NULL) AS group_markets,
            (SELECT count(*) FROM referrals WHERE inviter_id = $1 AND rewarded_at IS NOT NULL) AS referrals`, [userId]);
  const { best } = await streaksAt(m, userId, now);
  return { fills: int(r.fills), correct: int(r.correct), bestStreak: best, groupMarkets: int(r.group_markets), rewardedReferrals: int(r.referrals) };
}

/** The achievements a user holds: code → when awarded. */
export async function achievementsOf(m: EntityManager, userId: number): Promise<Map<string, Date>> {
  const rows: { code: string; created_at: Date }[] = await m.query(
    `SELECT code, created_at FROM achievements WHERE user_id = $1 ORDER BY created_at, code`, [userId]);
  return new Map(rows.map((r) => [r.code, r.created_at]));
}
