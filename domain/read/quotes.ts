/** Prices and the order book as screens show them: display quotes and the top levels of the one YES book. */
import type { EntityManager } from 'typeorm';
import type { BookLevel } from '../exchange';
import { int, type DbNumber } from './rows';

/** Top `depth` levels each side of the YES book (NO price = 100 − YES price). */
export async function bookView(m: EntityManager, marketId: number, depth = 5): Promise<{ bids: BookLevel[]; asks: BookLevel[] }> {
  const rows: { side: 'bid' | 'ask'; price: number; qty: DbNumber; n: DbNumber }[] = await m.query(
    `SELECT CASE WHEN intent IN ('BUY_YES', 'SELL_NO') THEN 'bid' ELSE 'ask' END AS side, price, sum(remaining) qty, count(*) n
       FROM orders WHERE market_id = $1 AND status = 'open' GROUP BY 1, 2`, [marketId]);
  const level = (r: (typeof rows)[number]): BookLevel => ({ price: r.price, qty: int(r.qty), orders: int(r.n) });
  return {
    bids: rows.filter((r) => r.side === 'bid').sort((a, b) => b.price - a.price).slice(0, depth).map(level),
    asks: rows.filter((r) => r.side === 'ask').sort((a, b) => a.price - b.price).slice(0, depth).map(level),
  };
}

/** A market's display prices (kop = %) and the best prices of its YES book. */
export interface Quote {
  yesPrice: number;
  noPrice: number;
  bestBid: number | null;
  bestAsk: number | null;
}

/** Display prices of a market: last trade, else the book's mid, else 50 (kop = %). */
export async function quote(m: EntityManager, marketId: number): Promise<Quote> {
  return (await quotes(m, [marketId])).get(marketId) ?? { yesPrice: 50, noPrice: 50, bestBid: null, bestAsk: null };
}

/** {@link quote} of several markets in one query (inline results show up to 50); unknown ids are absent. */
export async function quotes(m: EntityManager, marketIds: readonly number[]): Promise<Map<number, Quote>> {
  const rows: { id: DbNumber; last_price: number | null; bid: number | null; ask: number | null }[] = await m.query(
    `SELECT m.id, m.last_price,
            (SELECT max(price) FROM orders WHERE market_id = m.id AND status = 'open' AND intent IN ('BUY_YES', 'SELL_NO')) AS bid,
            (SELECT min(price) FROM orders WHERE market_id = m.id AND status = 'open' AND intent IN ('SELL_YES', 'BUY_NO')) AS ask
       FROM markets m WHERE m.id = ANY($1::bigint[])`, [marketIds]);
  const out = new Map<number, Quote>();
  for (const r of rows) {
    const bestBid = r.bid ?? null;
    const bestAsk = r.ask ?? null;
    let yes = r.last_price ?? null;
    if (yes === null && bestBid !== null && bestAsk !== null) yes = (bestBid + bestAsk - ((bestBid + bestAsk) % 2)) / 2;
    if (yes === null) yes = bestBid ?? bestAsk ?? 50;
    out.set(int(r.id), { yesPrice: yes, noPrice: 100 - yes, bestBid, bestAsk });
  }
  return out;
}
