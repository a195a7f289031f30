/**
 * Leagues (issue 12): joining a season at one's first fill of it, and closing a season once.
 *
 *   house:promo → user:<id>:available   league_prize   (league:<season>:<userId>)
 *
 * The close runs in ONE transaction that first claims the season (`league_seasons` primary key):
 * a second run, in this process or another, or after a restart, finds it claimed and changes
 * nothing; the prizes' keys are unique in the ledger as well.
 */
import type { DataSource } from 'typeorm';
import { ensureUserAccounts, post, systemAccountId, type Move } from '../ledger/ledger';
import { kop, type Kop } from '../money';
import { cohortMembers, seasonCohorts, seasonScores } from '../read/league';
import { int } from '../read/rows';
import {
  chooseCohort, movementOf, nextDivision, rankCohort, seasonBounds, seasonOf, type Division, type Movement,
} from './league-rules';
import { PROMO_ACCOUNT } from './referrals';

/**
 * Places each of `userIds` who is not yet in the season of `now` (their first fill of it): in
 * their division (Bronze for a newcomer) and the cohort {@link chooseCohort} picks. The division's
 * cohorts are counted under a transaction-scoped advisory lock, so concurrent joins cannot overfill
 * one. House maker users are never placed. Returns the users placed now.
 */
export async function joinSeason(ds: DataSource, userIds: readonly number[], now: Date = new Date()): Promise<number[]> {
  if (userIds.length === 0) return [];
  const season = seasonOf(now);
  const missing: { id: string; division: string | null }[] = await ds.query(
    `SELECT u.id, d.division FROM users u LEFT JOIN league_divisions d ON d.user_id = u.id
      WHERE u.id = ANY($1::bigint[]) AND NOT u.is_maker
        AND NOT EXISTS (SELECT 1 FROM league_members lm WHERE lm.season = $2 AND lm.user_id = u.id)`,
    [[...new Set(userIds)], season]);
  const byDivision = new Map<Division, number[]>();
  for (const u of missing) {
    const division = (u.division ?? 'bronze') as Division;
    const ids = byDivision.get(division);
    if (ids) ids.push(int(u.id));
    else byDivision.set(division, [int(u.id)]);
  }
  const placed: number[] = [];
  // One transaction per division (not per user): after-fill hooks of several markets at once call
  // this for the same traders, and each lock round trip held a connection the matching drains need.
  for (const [division, ids] of byDivision) {
    placed.push(...await ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('league:' || $1 || ':' || $2))`, [season, division]);
      const sizes: { cohort: number; n: string }[] = await m.query(
        `SELECT cohort, count(*) n FROM league_members WHERE season = $1 AND division = $2 GROUP BY cohort ORDER BY cohort`, [season, division]);
      // Joined by another hook while this one waited for the lock: not placed again, not counted twice.
      const already = new Set((await m.query(
        `SELECT user_id FROM league_members WHERE season = $1 AND user_id = ANY($2::bigint[])`, [season, ids]) as { user_id: string }[])
        .map((r) => int(r.user_id)));
      const fresh = ids.filter((id) => !already.has(id));
      if (fresh.length === 0) return [];
      // Cohort n's size at index n - 1; each newcomer counts for the next one's choice.
      const counts = sizes.map((x) => int(x.n));
      const cohorts = fresh.map(() => {
        const cohort = chooseCohort(counts);
        counts[cohort - 1] = (counts[cohort - 1] ?? 0) + 1;
        return cohort;
      });
      const ins: { user_id: string }[] = await m.query(
        `INSERT INTO league_members (season, user_id, division, cohort, joined_at)
         SELECT $1, u, $2, c, $3 FROM unnest($4::bigint[], $5::int[]) AS t(u, c)
         ON CONFLICT (season, user_id) DO NOTHING RETURNING user_id`, [season, division, now, fresh, cohorts]);
      return ins.map((r) => int(r.user_id));
    }));
  }
  return placed;
}

/** One member's final season result. */
export interface SeasonResult {
  season: string;
  userId: number;
  division: Division;
  cohort: number;
  place: number;
  size: number;
  scoreKop: Kop;
  correct: number;
  calls: number;
  movement: Movement;
  nextDivision: Division;
  prizeKop: Kop;
}

/**
 * Closes `season` once it is over (`now` at or after its end): ranks every cohort, records the
 * results, moves each member to their next division, and pays `prizes` (cohort place → kop) from
 * `house:promo`. Returns the results written by THIS run: `null` when the season is not over yet,
 * [] when it was already closed.
 */
export async function closeSeason(ds: DataSource, season: string, prizes: ReadonlyMap<number, Kop>, now: Date = new Date()): Promise<SeasonResult[] | null> {
  const { start, end } = seasonBounds(season);
  if (now < end) return null;
  return ds.transaction(async (m) => {
    const claimed = await m.query(
      `INSERT INTO league_seasons (season, closed_at) VALUES ($1, $2) ON CONFLICT (season) DO NOTHING RETURNING season`, [season, now]);
    if (claimed.length === 0) return [];
    const results: SeasonResult[] = [];
    for (const { division, cohort } of await seasonCohorts(m, season)) {
      const members = await cohortMembers(m, season, division, cohort);
      const scores = new Map((await seasonScores(m, members.map((x) => x.userId), start, end)).map((s) => [s.userId, s]));
      const ranked = rankCohort(members.map((x) => scores.get(x.userId) ?? { userId: x.userId, scoreKop: kop(0), correct: 0, calls: 0 }));
      for (const r of ranked) {
        const movement = movementOf(r.place, ranked.length, division);
        results.push({
          season, userId: r.userId, division, cohort, place: r.place, size: ranked.length, scoreKop: r.scoreKop,
          correct: r.correct, calls: r.calls, movement, nextDivision: nextDivision(division, movement), prizeKop: prizes.get(r.place) ?? kop(0),
        });
      }
    }
    if (results.length === 0) return results;
    await m.query(
      `INSERT INTO league_results (season, user_id, division, cohort, place, cohort_size, score_kop, correct, calls, movement, prize_kop)
       SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::int[], $5::int[], $6::int[], $7::bigint[], $8::int[], $9::int[], $10::text[], $11::bigint[])`,
      [season, results.map((r) => r.userId), results.map((r) => r.division), results.map((r) => r.cohort), results.map((r) => r.place),
        results.map((r) => r.size), results.map((r) => r.scoreKop), results.map((r) => r.correct), results.map((r) => r.calls),
        results.map((r) => r.movement), results.map((r) => r.prizeKop)]);
    await m.query(
      `INSERT INTO league_divisions (user_id, division) SELECT * FROM unnest($1::bigint[], $2::text[])
       ON CONFLICT (user_id) DO UPDATE SET division = EXCLUDED.division`,
      [results.map((r) => r.userId), results.map((r) => r.nextDivision)]);
    const promo = await systemAccountId(m, PROMO_ACCOUNT);
    const moves: Move[] = [];
    for (const r of results.filter((x) => x.prizeKop > 0)) {
      const acc = await ensureUserAccounts(m, r.userId);
      moves.push({ from: promo, to: acc.available, amount: r.prizeKop, kind: 'league_prize', refType: 'league', refId: r.userId, idempotencyKey: `league:${season}:${r.userId}` });
    }
    await post(m, moves);
    return results;
  });
}
