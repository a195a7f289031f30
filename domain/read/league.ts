/**
 * League reads (issue 12): a season's scores, a user's cohort table. The score is realized P&L in
 * the season: the cash flow of the markets SETTLED within the season's bounds (what their fills
 * paid and cost, fees, rebates and the payout; the same sum as the leaderboard's, domain/read/
 * leaderboard.ts), tie broken by accuracy on those markets.
 */
import type { EntityManager } from 'typeorm';
import type { Division, SeasonScore } from '../services/league-rules';
import { int, kopOf } from './rows';

/** Realized P&L and calls of `userIds` on the markets settled in [start, end) — optionally of one group chat only. */
export async function seasonScores(
  m: EntityManager, userIds: readonly number[] | null, start: Date, end: Date, chatId: number | null = null,
): Promise<SeasonScore[]> {
  const rows: { user_id: string; pnl: string; correct: string; calls: string }[] = await m.query(
    `WITH scope AS (
       SELECT id, outcome FROM markets WHERE status = 'settled' AND settled_at >= $2 AND settled_at < $3 AND ($4::bigint IS NULL OR chat_id = $4)
     ), flows AS (
       SELECT f.taker_user_id AS user_id,
              CASE WHEN o.intent LIKE 'BUY%' THEN -1 ELSE 1 END
                * (CASE WHEN o.intent LIKE '%YES' THEN f.price ELSE 100 - f.price END) * f.qty - f.taker_fee_kop AS cash
         FROM fills f JOIN scope s ON s.id = f.market_id JOIN orders o ON o.id = f.taker_order_id
       UNION ALL
       SELECT f.maker_user_id,
              CASE WHEN o.intent LIKE 'BUY%' THEN -1 ELSE 1 END
                * (CASE WHEN o.intent LIKE '%YES' THEN f.price ELSE 100 - f.price END) * f.qty + f.maker_rebate_kop
         FROM fills f JOIN scope s ON s.id = f.market_id JOIN orders o ON o.id = f.maker_order_id
       UNION ALL
       SELECT p.user_id, COALESCE(p.payout_kop, 0) FROM positions p JOIN scope s ON s.id = p.market_id
     ), calls AS (
       SELECT p.user_id,
              COALESCE(sum(p.shares) FILTER (WHERE p.outcome = s.outcome), 0) AS won,
              COALESCE(sum(p.shares) FILTER (WHERE p.outcome <> s.outcome), 0) AS lost
         FROM positions p JOIN scope s ON s.id = p.market_id
        WHERE s.outcome IN ('YES', 'NO') AND p.shares > 0
        GROUP BY p.user_id, p.market_id
     ), per_user AS (
       SELECT user_id, sum(cash) AS pnl FROM flows GROUP BY user_id
     ), accuracy AS (
       SELECT user_id, count(*) FILTER (WHERE won > lost) AS correct, count(*) FILTER (WHERE won <> lost) AS calls FROM calls GROUP BY user_id
     )
     SELECT pu.user_id, pu.pnl, COALESCE(a.correct, 0) AS correct, COALESCE(a.calls, 0) AS calls
       FROM per_user pu LEFT JOIN accuracy a ON a.user_id = pu.user_id
      WHERE $1::bigint[] IS NULL OR pu.user_id = ANY($1::bigint[])`,
    [userIds === null ? null : [...userIds], start, end, chatId]);
  return rows.map((r) => ({ userId: int(r.user_id), scoreKop: kopOf(r.pnl), correct: int(r.correct), calls: int(r.calls) }));
}

/** A user's place in a season: division and cohort. */
export interface Membership {
  division: Division;
  cohort: number;
}

/** The user's membership in `season`, or null when they have not traded in it. */
export async function membershipOf(m: EntityManager, season: string, userId: number): Promise<Membership | null> {
  const [r] = await m.query(`SELECT division, cohort FROM league_members WHERE season = $1 AND user_id = $2`, [season, userId]);
  return r ? { division: r.division as Division, cohort: int(r.cohort) } : null;
}

/** Members of one cohort with their first names. */
export async function cohortMembers(m: EntityManager, season: string, division: Division, cohort: number): Promise<{ userId: number; name: string }[]> {
  const rows: { user_id: string; first_name: string }[] = await m.query(
    `SELECT lm.user_id, u.first_name FROM league_members lm JOIN users u ON u.id = lm.user_id
      WHERE lm.season = $1 AND lm.division = $2 AND lm.cohort = $3 ORDER BY lm.user_id`, [season, division, cohort]);
  return rows.map((r) => ({ userId: int(r.user_id), name: r.first_name }));
}

/** Every (division, cohort) of a season. */
export async function seasonCohorts(m: EntityManager, season: string): Promise<{ division: Division; cohort: number }[]> {
  const rows: { division: string; cohort: number }[] = await m.query(
    `SELECT DISTINCT division, cohort FROM league_members WHERE season = $1 ORDER BY division, cohort`, [season]);
  return rows.map((r) => ({ division: r.division as Division, cohort: int(r.cohort) }));
}

/** The user's final result of a closed season, or null. */
export async function seasonResultOf(m: EntityManager, season: string, userId: number) {
  const [r] = await m.query(
    `SELECT division, place, cohort_size, score_kop, movement, prize_kop FROM league_results WHERE season = $1 AND user_id = $2`, [season, userId]);
  return r ? { division: r.division as Division, place: int(r.place), size: int(r.cohort_size), scoreKop: kopOf(r.score_kop), movement: r.movement as string, prizeKop: kopOf(r.prize_kop) } : null;
}

/** True once the season close has run. */
export async function seasonClosed(m: EntityManager, season: string): Promise<boolean> {
  return (await m.query(`SELECT 1 FROM league_seasons WHERE season = $1`, [season])).length > 0;
}
