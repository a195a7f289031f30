/**
 * Read models for operations (/metrics gauges, the money monitor): plain SQL over the live
 * database, read-only.
 */
import type { DataSource } from 'typeorm';

/** Settlement progress of markets being paid out: positions paid and still to pay. */
export interface SettlementProgress {
  marketsSettling: number;
  positionsSettled: number;
  positionsPending: number;
}

/** Resolved (being settled) markets and their positions' payout state. */
export async function settlementProgress(ds: DataSource): Promise<SettlementProgress> {
  const [r] = await ds.query(`
    SELECT count(DISTINCT m.id) AS markets,
           count(p.*) FILTER (WHERE p.settled_at IS NOT NULL) AS settled,
           count(p.*) FILTER (WHERE p.settled_at IS NULL AND p.shares > 0) AS pending
      FROM markets m LEFT JOIN positions p ON p.market_id = m.id
     WHERE m.status = 'resolved'`);
  return { marketsSettling: Number(r.markets), positionsSettled: Number(r.settled), positionsPending: Number(r.pending) };
}

/** Users who placed an order in the last `hours` hours. */
export async function activeUsers(ds: DataSource, hours: number): Promise<number> {
  const [r] = await ds.query(`SELECT count(DISTINCT user_id) AS n FROM orders WHERE created_at > now() - make_interval(hours => $1)`, [hours]);
  return Number(r.n);
}
