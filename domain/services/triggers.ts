/**
 * Setting and cancelling stop-loss / take-profit triggers of a position (issue 11). The rules are
 * domain/alerts/trigger-rules.ts (levels in the position's own side's price); triggers fire inside
 * matching batches (price-watch.ts) and sell through the market's matching queue.
 */
import type { EntityManager } from 'typeorm';
import { checkTriggerLevel, ownPriceAt, worstPriceOf, yesTerms, type Side, type TriggerKind } from '../alerts/trigger-rules';
import { MIN_NOTIONAL_KOP } from '../exchange';
import { quote } from '../read/quotes';
import { fail, type Result } from './result';

/** What setting a trigger would do, for the preview (own-side prices 1..99, shares). */
export interface TriggerPreview {
  marketId: number;
  side: Side;
  kind: TriggerKind;
  level: number;
  /** Shares it will sell (the whole position now when the user chose "all"). */
  shares: number;
  /** Null: the whole position at the time it fires. */
  chosenShares: number | null;
  /** The worst own price the market sell accepts. */
  worstPrice: number;
  /** The position's own price now. */
  ownPrice: number;
}

/**
 * Checks a trigger: the market is open, the user holds free shares of `side` (at least `shares`
 * when given), and the level is on the right side of the own price now. Failures: market_not_found,
 * market_closed, trigger_no_position, trigger_shares_invalid {max}, trigger_level_invalid {price},
 * notional_too_small {minKop} (shares × worst price under the smallest order).
 */
export async function previewTrigger(
  m: EntityManager, req: { userId: number; marketId: number; side: Side; kind: TriggerKind; level: number; shares: number | null },
): Promise<Result<{ preview: TriggerPreview }>> {
  const [mk] = await m.query(`SELECT status, trading_paused FROM markets WHERE id = $1`, [req.marketId]);
  if (!mk) return fail('market_not_found');
  if (mk.status !== 'open') return fail('market_closed');
  const [p] = await m.query(`SELECT shares - reserved AS free FROM positions WHERE user_id = $1 AND market_id = $2 AND outcome = $3`,
    [req.userId, req.marketId, req.side]);
  const free = p ? Number(p.free) : 0;
  if (free <= 0) return fail('trigger_no_position');
  if (req.shares !== null && (!Number.isInteger(req.shares) || req.shares < 1 || req.shares > free)) return fail('trigger_shares_invalid', { max: free });
  const own = ownPriceAt(req.side, (await quote(m, req.marketId)).yesPrice);
  const bad = checkTriggerLevel(req.kind, req.level, own);
  if (bad) return fail(bad, { price: own });
  const shares = req.shares ?? free;
  const worstPrice = worstPriceOf(req.level);
  // The sell is an ordinary order: one below the exchange's smallest order would be refused when it fires.
  if (shares * worstPrice < MIN_NOTIONAL_KOP) return fail('notional_too_small', { notionalKop: shares * worstPrice, minKop: MIN_NOTIONAL_KOP });
  return { ok: true, preview: { ...req, shares, chosenShares: req.shares, worstPrice, ownPrice: own } };
}

/** Sets a trigger after {@link previewTrigger} (rechecked: the price may have moved). Same failures. */
export async function createTrigger(
  m: EntityManager, req: { userId: number; marketId: number; side: Side; kind: TriggerKind; level: number; shares: number | null },
): Promise<Result<{ triggerId: number; preview: TriggerPreview }>> {
  const r = await previewTrigger(m, req);
  if (!r.ok) return r;
  const { direction, yesLevel } = yesTerms(req.side, req.kind, req.level);
  const [row] = await m.query(
    `INSERT INTO price_triggers (user_id, market_id, side, kind, level, yes_level, direction, shares, worst_price)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [req.userId, req.marketId, req.side, req.kind, req.level, yesLevel, direction, req.shares, r.preview.worstPrice]);
  return { ok: true, triggerId: Number(row.id), preview: r.preview };
}

/** Cancels one of the user's waiting triggers. Failure: trigger_not_found (not theirs, or already fired). */
export async function cancelTrigger(m: EntityManager, userId: number, triggerId: number): Promise<Result<object>> {
  const rows: unknown[] = await m.query(
    `UPDATE price_triggers SET status = 'cancelled', cancel_reason = 'user' WHERE id = $1 AND user_id = $2 AND status = 'armed' RETURNING id`,
    [triggerId, userId]);
  const n = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
  return n > 0 ? { ok: true } : fail('trigger_not_found');
}
