/**
 * Read models of the Mini App (web/api): market lists with search and paging, price candles,
 * recent trades and a user's trade history. Prices are YES prices in kop per share (1..99), money
 * is integer kop; the screens format them.
 */
import type { EntityManager } from 'typeorm';
import { ownPrice } from '../exchange';
import type { Intent } from '../exchange/types';
import { kopOf, int, type DbNumber } from './rows';

/** One market in a list. */
export interface MarketSummary {
  id: number;
  title: string;
  category: string;
  /** epoch ms */
  deadline: number;
  /** Last trade's YES price, or null before the first trade. */
  lastPrice: number | null;
  volumeKop: number;
}

/** Lists public open markets, biggest volume first; `search` must occur in the title (case-insensitive). */
export async function marketPage(
  m: EntityManager, opts: { category?: string; search?: string; page: number; pageSize: number },
): Promise<{ markets: MarketSummary[]; total: number }> {
  const args: unknown[] = [];
  let where = `status = 'open' AND chat_id IS NULL AND deadline > now()`;
  if (opts.category) {
    args.push(opts.category);
    where += ` AND category = $${args.length}`;
  }
  if (opts.search) {
    // ILIKE with the user's text escaped, so % and _ are literal.
    args.push(`%${opts.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where += ` AND title ILIKE $${args.length}`;
  }
  const [{ n }] = await m.query(`SELECT count(*) AS n FROM markets WHERE ${where}`, args);
  const rows: { id: DbNumber; title: string; category: string; deadline: Date; last_price: number | null; volume_kop: DbNumber }[] = await m.query(
    `SELECT id, title, category, deadline, last_price, volume_kop FROM markets WHERE ${where}
      ORDER BY volume_kop DESC, id ASC LIMIT ${opts.pageSize} OFFSET ${opts.page * opts.pageSize}`, args);
  return {
    total: int(n),
    markets: rows.map((r) => ({
      id: int(r.id), title: r.title, category: r.category, deadline: r.deadline.getTime(), lastPrice: r.last_price, volumeKop: kopOf(r.volume_kop),
    })),
  };
}

/** Chart timeframes: candle width and how far back, ms (`all`: daily candles over the whole history). */
export const TIMEFRAMES = {
  '1h': { bucketMs: 60_000, spanMs: 3_600_000 },
  '1d': { bucketMs: 15 * 60_000, spanMs: 86_400_000 },
  '1w': { bucketMs: 3_600_000, spanMs: 7 * 86_400_000 },
  all: { bucketMs: 86_400_000, spanMs: null },
} as const;
export type Timeframe = keyof typeof TIMEFRAMES;

/** One OHLC candle of YES prices; `t` is the bucket start, epoch seconds (as charts take it). */
export interface Candle {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volumeKop: number;
}

/** Candles of the market's price points over the timeframe, oldest first (buckets without trades are left out). */
export async function candles(m: EntityManager, marketId: number, tf: Timeframe, nowMs = Date.now()): Promise<Candle[]> {
  const { bucketMs, spanMs } = TIMEFRAMES[tf];
  const from = spanMs === null ? new Date(0) : new Date(nowMs - spanMs);
  const rows: { b: DbNumber; open: number; high: number; low: number; close: number; vol: DbNumber }[] = await m.query(
    `SELECT b, (array_agg(price ORDER BY at, id))[1] AS open, max(price) AS high, min(price) AS low,
            (array_agg(price ORDER BY at DESC, id DESC))[1] AS close, sum(volume_kop) AS vol
       FROM (SELECT id, at, price, volume_kop, floor(extract(epoch FROM at) * 1000 / $3)::bigint AS b
               FROM price_points WHERE market_id = $1 AND at >= $2) p
      GROUP BY b ORDER BY b`, [marketId, from, bucketMs]);
  return rows.map((r) => ({
    t: (int(r.b) * bucketMs) / 1000, open: r.open, high: r.high, low: r.low, close: r.close, volumeKop: kopOf(r.vol),
  }));
}

/** A trade of the market tape: YES price, shares, epoch ms, and whether the taker bought YES-side. */
export interface TapeTrade {
  id: number;
  price: number;
  qty: number;
  at: number;
}

/** The market's latest `limit` fills, newest first. */
export async function recentTrades(m: EntityManager, marketId: number, limit = 20): Promise<TapeTrade[]> {
  const rows: { id: DbNumber; price: number; qty: number; created_at: Date }[] = await m.query(
    `SELECT id, price, qty, created_at FROM fills WHERE market_id = $1 ORDER BY id DESC LIMIT $2`, [marketId, limit]);
  return rows.map((r) => ({ id: int(r.id), price: r.price, qty: r.qty, at: r.created_at.getTime() }));
}

/** One of the user's own fills: own price of their order, shares, cost before fees and the fee (kop). */
export interface HistoryTrade {
  id: number;
  marketId: number;
  title: string;
  intent: Intent;
  price: number;
  qty: number;
  costKop: number;
  feeKop: number;
  at: number;
}

/** The user's fills (as taker or maker), newest first, one page. */
export async function tradeHistory(
  m: EntityManager, userId: number, opts: { page: number; pageSize: number },
): Promise<{ trades: HistoryTrade[]; total: number }> {
  const base = `SELECT f.id, f.market_id, mk.title, o.intent, f.price, f.qty, f.taker_fee_kop AS fee, f.created_at
                  FROM fills f JOIN orders o ON o.id = f.taker_order_id JOIN markets mk ON mk.id = f.market_id WHERE f.taker_user_id = $1
                UNION ALL
                SELECT f.id, f.market_id, mk.title, o.intent, f.price, f.qty, -f.maker_rebate_kop, f.created_at
                  FROM fills f JOIN orders o ON o.id = f.maker_order_id JOIN markets mk ON mk.id = f.market_id WHERE f.maker_user_id = $1`;
  // The total rides along with the page (one round trip); only a page past the end needs its own count.
  const rows: { id: DbNumber; market_id: DbNumber; title: string; intent: Intent; price: number; qty: number; fee: DbNumber; created_at: Date; total: DbNumber }[] =
    await m.query(`SELECT h.*, count(*) OVER () AS total FROM (${base}) h ORDER BY created_at DESC, id DESC LIMIT ${opts.pageSize} OFFSET ${opts.page * opts.pageSize}`, [userId]);
  const n: DbNumber = rows.length > 0 ? rows[0]!.total
    : opts.page === 0 ? 0 : (await m.query(`SELECT count(*) AS n FROM (${base}) h`, [userId]))[0].n;
  return {
    total: int(n),
    trades: rows.map((r) => {
      const own = ownPrice(r.intent, r.price);
      return {
        id: int(r.id), marketId: int(r.market_id), title: r.title, intent: r.intent, price: own, qty: r.qty,
        costKop: own * r.qty, feeKop: kopOf(r.fee), at: r.created_at.getTime(),
      };
    }),
  };
}
