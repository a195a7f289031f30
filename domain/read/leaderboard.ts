/**
 * Leaderboards (/top): realized P&L and accuracy per user, over every market (private /top) or
 * over one group's markets (/top in the group).
 *
 * Realized means final: only settled markets count, where every position has been paid. On such
 * a market a user's P&L is exactly their cash flow: what fills paid them minus what fills cost
 * them (each side at its own price, DESIGN §2), minus taker fees, plus maker rebates, plus the
 * settlement payout. Accuracy counts the settled YES/NO markets where the user held shares at
 * settlement: a call is right when they held more shares of the winning outcome than of the
 * losing one (ties and VOID / probability outcomes are not calls).
 */
import type { EntityManager } from 'typeorm';
import type { Kop } from '../money';
import { int, kopOf } from './rows';

export interface LeaderRow {
  rank: number;
  userId: number;
  name: string;
  pnlKop: Kop;
  /** Calls that were right, of `calls`. */
  correct: number;
  calls: number;
}

export interface Leaderboard {
  top: LeaderRow[];
  /** The asking user's own row when they are ranked below the top. */
  me: LeaderRow | null;
  /** Settled markets in scope. */
  markets: number;
}

/**
 * The leaderboard of `scope` (a group chat id, optionally only markets settled `since`, or every
 * market), best P&L first (ties: better
 * accuracy, then the earlier user).
 * @param limit rows in `top`
 * @param userId users.id of the asking user, for `me`
 */
export async function leaderboard(
  m: EntityManager, scope: { chatId: number; since?: Date } | 'global', limit: number, userId: number | null,
): Promise<Leaderboard> {
  // `since` (issue 12, `/top season`): only markets settled from then on.
  const since = scope === 'global' ? null : scope.since ?? null;
  const params: unknown[] = [scope === 'global' ? null : scope.chatId];
  const rows: { user_id: string; name: string; pnl: string; correct: string; calls: string; rank: string }[] = await m.query(
    `WITH scope AS (
       SELECT id, outcome FROM markets WHERE status = 'settled' AND ($1::bigint IS NULL OR chat_id = $1)
          AND ($4::timestamptz IS NULL OR settled_at >= $4)
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
     ), accuracy AS (
       SELECT user_id, count(*) FILTER (WHERE won > lost) AS correct, count(*) FILTER (WHERE won <> lost) AS calls
         FROM calls GROUP BY user_id
     ), per_user AS (
       SELECT f.user_id, u.first_name AS name, f.pnl, COALESCE(a.correct, 0) AS correct, COALESCE(a.calls, 0) AS calls
         FROM (SELECT user_id, sum(cash) AS pnl FROM flows GROUP BY user_id) f
         JOIN users u ON u.id = f.user_id AND NOT u.is_maker
         LEFT JOIN accuracy a ON a.user_id = f.user_id
     ), ranked AS (
       SELECT *, row_number() OVER (ORDER BY pnl DESC, correct::numeric / GREATEST(calls, 1) DESC, user_id) AS rank
         FROM per_user
     )
     SELECT * FROM ranked r
      WHERE r.rank <= $2 OR r.user_id = $3 ORDER BY r.rank`,
    [...params, limit, userId, since]);
  const [settled]: { n: string }[] = await m.query(
    `SELECT count(*) AS n FROM markets WHERE status = 'settled' AND ($1::bigint IS NULL OR chat_id = $1)
        AND ($2::timestamptz IS NULL OR settled_at >= $2)`, [...params, since]);
  const all = rows.map((r): LeaderRow => ({
    rank: int(r.rank), userId: int(r.user_id), name: r.name, pnlKop: kopOf(r.pnl),
    correct: int(r.correct), calls: int(r.calls),
  }));
  return {
    top: all.filter((r) => r.rank <= limit),
    me: all.find((r) => r.rank > limit && r.userId === userId) ?? null,
    markets: int(settled!.n),
  };
}
