import type { DataSource } from 'typeorm';
import { Market, MarketEvent } from '../entities';
import { fail, type Result } from './result';

/** Longest dispute reason kept, characters. */
export const DISPUTE_REASON_MAX = 500;

export interface DisputeInput {
  marketId: number;
  /** users.id of the holder. */
  userId: number;
  /** Why the proposed outcome is wrong (a link to a source helps the admins). */
  reason: string;
}

/**
 * A holder disputes the proposed outcome (docs/RESOLUTION.md): allowed while the market is
 * `proposed` and its dispute window (if started) is still running, once per holder per proposal.
 * The dispute pauses finalization until an admin upholds or changes the proposal; the caller
 * tells the admins after commit.
 *
 * Failures: dispute_reason_required, dispute_reason_too_long {max}, market_not_found,
 * dispute_nothing_proposed (open or closed: no outcome yet), dispute_window_closed (final already,
 * or the window is over), dispute_not_holder (no shares of this market), dispute_already_filed.
 */
export async function fileDispute(ds: DataSource, input: DisputeInput, now = new Date()): Promise<Result<{ market: Market; round: number; reason: string }>> {
  const reason = input.reason.trim();
  if (!reason) return fail('dispute_reason_required');
  if (reason.length > DISPUTE_REASON_MAX) return fail('dispute_reason_too_long', { max: DISPUTE_REASON_MAX });
  return ds.transaction(async (m) => {
    const market = await m.getRepository(Market).findOne({ where: { id: input.marketId }, lock: { mode: 'pessimistic_write' } });
    if (!market) return fail('market_not_found');
    if (market.status === 'open' || market.status === 'closed') return fail('dispute_nothing_proposed');
    if (market.status !== 'proposed' || (market.disputeUntil !== null && market.disputeUntil.getTime() <= now.getTime())) {
      return fail('dispute_window_closed');
    }
    const [held] = await m.query(`SELECT 1 FROM positions WHERE market_id = $1 AND user_id = $2 AND shares > 0 LIMIT 1`, [market.id, input.userId]);
    if (!held) return fail('dispute_not_holder');
    const filed = await m.query(
      `INSERT INTO market_disputes (market_id, round, user_id, reason, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING 1`, [market.id, market.proposalRound, input.userId, reason, now]);
    if (filed.length === 0) return fail('dispute_already_filed');
    market.disputedAt ??= now;
    await m.getRepository(Market).update({ id: market.id }, { disputedAt: market.disputedAt });
    await m.getRepository(MarketEvent).insert({ marketId: market.id, actorUserId: input.userId, kind: 'disputed', data: { round: market.proposalRound, reason } });
    return { ok: true as const, market, round: market.proposalRound, reason };
  });
}
