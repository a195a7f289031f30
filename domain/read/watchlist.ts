/**
 * Reads of the watchlist, price alerts and triggers (issue 11): what /watchlist, /alerts and the
 * card show.
 */
import type { EntityManager } from 'typeorm';
import type { AlertKind } from '../alerts/alert-rules';
import type { Side, TriggerKind } from '../alerts/trigger-rules';
import { quotes } from './quotes';
import { int, type DbNumber } from './rows';

/** The YES price 24 h before `nowMs` (the last point at or before then, else the market's first point), per market; absent: no trade yet. */
export async function prices24hAgo(m: EntityManager, marketIds: readonly number[], nowMs = Date.now()): Promise<Map<number, number>> {
  if (marketIds.length === 0) return new Map();
  const rows: { id: DbNumber; p: number | null }[] = await m.query(
    `SELECT id, COALESCE(
        (SELECT price FROM price_points WHERE market_id = mk.id AND at <= to_timestamp($2 / 1000.0) - interval '24 hours' ORDER BY at DESC LIMIT 1),
        (SELECT price FROM price_points WHERE market_id = mk.id ORDER BY at LIMIT 1)) AS p
       FROM markets mk WHERE id = ANY($1::bigint[])`, [marketIds, nowMs]);
  const out = new Map<number, number>();
  for (const r of rows) if (r.p !== null) out.set(int(r.id), r.p);
  return out;
}

/** A watched market as /watchlist lists it: YES price now and its change over 24 h (points). */
export interface WatchedMarket {
  marketId: number;
  title: string;
  status: string;
  yesPrice: number;
  change24h: number;
}

/** The user's watchlist, oldest first (at most `limit`). */
export async function watchedMarkets(m: EntityManager, userId: number, limit = 30): Promise<WatchedMarket[]> {
  const rows: { id: DbNumber; title: string; status: string }[] = await m.query(
    `SELECT mk.id, mk.title, mk.status FROM watchlist w JOIN markets mk ON mk.id = w.market_id
      WHERE w.user_id = $1 ORDER BY w.created_at, mk.id LIMIT $2`, [userId, limit]);
  const ids = rows.map((r) => int(r.id));
  const [q, ago] = await Promise.all([quotes(m, ids), prices24hAgo(m, ids)]);
  return rows.map((r) => {
    const id = int(r.id);
    const yes = q.get(id)?.yesPrice ?? 50;
    return { marketId: id, title: r.title, status: r.status, yesPrice: yes, change24h: yes - (ago.get(id) ?? yes) };
  });
}

/** Users who watch at least one open market (the morning watchlist digest's audience), by users.id. */
export async function watchersOfOpenMarkets(m: EntityManager): Promise<number[]> {
  const rows: { user_id: DbNumber }[] = await m.query(
    `SELECT DISTINCT w.user_id FROM watchlist w JOIN markets mk ON mk.id = w.market_id AND mk.status = 'open' ORDER BY w.user_id`);
  return rows.map((r) => int(r.user_id));
}

/** Whether the user watches the market. */
export async function isWatched(m: EntityManager, userId: number, marketId: number): Promise<boolean> {
  const [r] = await m.query(`SELECT 1 FROM watchlist WHERE user_id = $1 AND market_id = $2`, [userId, marketId]);
  return Boolean(r);
}

/** A price alert as /alerts lists it. */
export interface AlertView {
  id: number;
  marketId: number;
  title: string;
  kind: AlertKind;
  level: number;
  paused: boolean;
  armed: boolean;
  firedCount: number;
}

/** The user's alerts, oldest first. */
export async function alertsOf(m: EntityManager, userId: number): Promise<AlertView[]> {
  const rows: { id: DbNumber; market_id: DbNumber; title: string; kind: AlertKind; level: number; paused: boolean; armed: boolean; fired_count: number }[] = await m.query(
    `SELECT a.id, a.market_id, mk.title, a.kind, a.level, a.paused, a.armed, a.fired_count
       FROM price_alerts a JOIN markets mk ON mk.id = a.market_id WHERE a.user_id = $1 ORDER BY a.id`, [userId]);
  return rows.map((r) => ({
    id: int(r.id), marketId: int(r.market_id), title: r.title, kind: r.kind, level: r.level, paused: r.paused, armed: r.armed, firedCount: r.fired_count,
  }));
}

/** A stop-loss / take-profit still waiting (armed) or selling (fired). */
export interface TriggerView {
  id: number;
  marketId: number;
  title: string;
  side: Side;
  kind: TriggerKind;
  /** Own-side price, 1..99. */
  level: number;
  /** Null: the whole position. */
  shares: number | null;
  worstPrice: number;
  status: 'armed' | 'fired';
}

/** The user's live triggers (of one market when `marketId` is given), oldest first. */
export async function triggersOf(m: EntityManager, userId: number, marketId?: number): Promise<TriggerView[]> {
  const rows: { id: DbNumber; market_id: DbNumber; title: string; side: Side; kind: TriggerKind; level: number; shares: number | null; worst_price: number; status: 'armed' | 'fired' }[] = await m.query(
    `SELECT t.id, t.market_id, mk.title, t.side, t.kind, t.level, t.shares, t.worst_price, t.status
       FROM price_triggers t JOIN markets mk ON mk.id = t.market_id
      WHERE t.user_id = $1 AND t.status IN ('armed', 'fired') AND ($2::bigint IS NULL OR t.market_id = $2) ORDER BY t.id`,
    [userId, marketId ?? null]);
  return rows.map((r) => ({
    id: int(r.id), marketId: int(r.market_id), title: r.title, side: r.side, kind: r.kind, level: r.level, shares: r.shares,
    worstPrice: r.worst_price, status: r.status,
  }));
}
