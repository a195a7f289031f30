/** The watchlist (issue 11): markets a user follows with ⭐ on the card. */
import type { EntityManager } from 'typeorm';
import { fail, type Result } from './result';

/**
 * Adds market `marketId` to the user's watchlist, or removes it when it is there.
 * Failure: market_not_found. Returns whether the market is watched now.
 */
export async function toggleWatch(m: EntityManager, userId: number, marketId: number): Promise<Result<{ watched: boolean }>> {
  const [had] = await m.query(`SELECT 1 FROM watchlist WHERE user_id = $1 AND market_id = $2`, [userId, marketId]);
  if (had) {
    await unwatch(m, userId, marketId);
    return { ok: true, watched: false };
  }
  const added: unknown[] = await m.query(
    `INSERT INTO watchlist (user_id, market_id) SELECT $1, id FROM markets WHERE id = $2
     ON CONFLICT DO NOTHING RETURNING market_id`, [userId, marketId]);
  if (added.length > 0) return { ok: true, watched: true };
  const [exists] = await m.query(`SELECT 1 FROM markets WHERE id = $1`, [marketId]);
  return exists ? { ok: true, watched: true } : fail('market_not_found');
}

/** Removes a market from the watchlist (nothing when it is not there). */
export async function unwatch(m: EntityManager, userId: number, marketId: number): Promise<void> {
  await m.query(`DELETE FROM watchlist WHERE user_id = $1 AND market_id = $2`, [userId, marketId]);
}
