import type { DataSource, EntityManager } from 'typeorm';
import { Market, MarketEvent } from '../entities';
import { fail, type Result } from './result';

// Admin market creation with its house maker and later liquidity live with the markets and the maker.
export { createMarket } from './markets';
export { addLiquidity, makerInfo } from './liquidity';

/** Longest clarification, characters (the card shows the latest few). */
export const CLARIFICATION_MAX = 500;

/**
 * Appends a dated clarification to a market's rules (Polymarket's "additional context"): the
 * rules are never edited, notes are added and shown on the card. Allowed until the market is settled.
 *
 * Failures: clarification_length {max}, market_not_found, market_already_settled.
 */
export async function clarifyMarket(ds: DataSource, input: { marketId: number; adminUserId: number; text: string }): Promise<Result<{ market: Market }>> {
  const text = input.text.trim();
  if (!text || text.length > CLARIFICATION_MAX) return fail('clarification_length', { max: CLARIFICATION_MAX });
  return ds.transaction(async (m) => {
    const market = await m.getRepository(Market).findOne({ where: { id: input.marketId }, lock: { mode: 'pessimistic_read' } });
    if (!market) return fail('market_not_found');
    if (market.status === 'settled') return fail('market_already_settled');
    await m.getRepository(MarketEvent).insert({ marketId: market.id, actorUserId: input.adminUserId, kind: 'clarified', data: { text } });
    return { ok: true as const, market };
  });
}

/**
 * Pauses or resumes a market's trading. The matching batch reads `trading_paused` under the same
 * row lock, so no order slips in after the pause commits; resting orders stay in the book.
 *
 * Failures: market_not_found, market_closed (trading already stopped for good),
 * market_already_paused, market_not_paused.
 */
export async function setTradingPaused(ds: DataSource, input: { marketId: number; adminUserId: number; paused: boolean }): Promise<Result<{ market: Market }>> {
  return ds.transaction(async (m) => {
    const market = await m.getRepository(Market).findOne({ where: { id: input.marketId }, lock: { mode: 'pessimistic_write' } });
    if (!market) return fail('market_not_found');
    if (market.status !== 'open') return fail('market_closed');
    if (market.tradingPaused === input.paused) return fail(input.paused ? 'market_already_paused' : 'market_not_paused');
    await m.getRepository(Market).update({ id: market.id }, { tradingPaused: input.paused });
    await m.getRepository(MarketEvent).insert({ marketId: market.id, actorUserId: input.adminUserId, kind: input.paused ? 'paused' : 'unpaused', data: {} });
    return { ok: true as const, market: { ...market, tradingPaused: input.paused } };
  });
}

/** A clarification as shown on the card. */
export interface Clarification {
  at: Date;
  text: string;
}

/** The latest `limit` clarifications of a market, oldest first. */
export async function clarificationsOf(m: EntityManager, marketId: number, limit: number): Promise<Clarification[]> {
  const rows: { created_at: Date; text: string }[] = await m.query(
    `SELECT created_at, data->>'text' AS text FROM market_events WHERE market_id = $1 AND kind = 'clarified' ORDER BY id DESC LIMIT $2`,
    [marketId, limit]);
  return rows.reverse().map((r) => ({ at: r.created_at, text: r.text }));
}

/** One step of a market's audit trail, with who did it (null: the system). */
export interface HistoryEntry {
  at: Date;
  kind: string;
  actor: { name: string; telegramId: number } | null;
  data: Record<string, unknown>;
}

/** The latest `limit` events of a market, oldest first (admins' `/history`). */
export async function marketHistory(m: EntityManager, marketId: number, limit: number): Promise<HistoryEntry[]> {
  const rows: { created_at: Date; kind: string; data: Record<string, unknown>; first_name: string | null; username: string | null; telegram_id: string | null }[] =
    await m.query(
      `SELECT e.created_at, e.kind, e.data, u.first_name, u.username, u.telegram_id
         FROM market_events e LEFT JOIN users u ON u.id = e.actor_user_id
        WHERE e.market_id = $1 ORDER BY e.id DESC LIMIT $2`, [marketId, limit]);
  return rows.reverse().map((r) => ({
    at: r.created_at,
    kind: r.kind,
    data: r.data,
    actor: r.telegram_id === null ? null : { name: r.username ? `@${r.username}` : (r.first_name ?? ''), telegramId: Number(r.telegram_id) },
  }));
}

/** users.id of everyone holding shares of a market (proposal notices go to them). */
export async function holdersOf(m: EntityManager, marketId: number): Promise<number[]> {
  const rows: { user_id: string }[] = await m.query(
    `SELECT DISTINCT user_id FROM positions WHERE market_id = $1 AND shares > 0`, [marketId]);
  return rows.map((r) => Number(r.user_id));
}
