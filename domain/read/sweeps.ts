/**
 * What the background sweeps look for: markets to stop at their deadline, resolved markets to
 * settle, markets with GTD orders past their expiry, and markets whose matching queue needs a worker.
 */
import type { EntityManager } from 'typeorm';
import { int, intOrNull, type DbNumber } from './rows';

/** Open markets whose deadline has passed (trading stops there, DESIGN §4). */
export async function marketsPastDeadline(m: EntityManager): Promise<number[]> {
  const rows: { id: DbNumber }[] = await m.query(`SELECT id FROM markets WHERE status = 'open' AND deadline <= now()`);
  return rows.map((r) => int(r.id));
}

/** Resolved (not yet settled) markets, with the Telegram id of the admin who proposed the outcome (null if none). */
export async function resolvedMarkets(m: EntityManager): Promise<{ marketId: number; adminChatId: number | null }[]> {
  const rows: { id: DbNumber; admin: DbNumber | null }[] = await m.query(
    `SELECT m.id, u.telegram_id AS admin FROM markets m LEFT JOIN users u ON u.id = m.proposed_by WHERE m.status = 'resolved'`);
  return rows.map((r) => ({ marketId: int(r.id), adminChatId: intOrNull(r.admin) }));
}

/** Markets with open orders whose expiry has passed. */
export async function marketsWithExpiredOrders(m: EntityManager): Promise<number[]> {
  const rows: { market_id: DbNumber }[] = await m.query(`SELECT DISTINCT market_id FROM orders WHERE status = 'open' AND expires_at <= now()`);
  return rows.map((r) => int(r.market_id));
}

/** Markets whose book can still change (open or closed), i.e. that need a matching worker. */
export async function tradableMarkets(m: EntityManager): Promise<number[]> {
  const rows: { id: DbNumber }[] = await m.query(`SELECT id FROM markets WHERE status IN ('open', 'closed')`);
  return rows.map((r) => int(r.id));
}
