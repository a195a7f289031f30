import type { EntityManager } from 'typeorm';
import {
  feeTier, ownPrice, previewOrder, reserveFor, takerFeeBps, validateOrder, type BookLevel, type IncomingOrder,
} from '../exchange';
import { isBuy, outcomeOf } from '../exchange/intent';
import type { Intent, TimeInForce } from '../exchange/types';
import { Market } from '../entities';
import { isPrice, kop, type Kop } from '../money';
import { loadBook } from './book-cache';
import { loadMakerState } from './maker-state';
import type { PlaceOrderCommand } from './commands';
import { fail, type Result } from './result';
import { balancesOf } from './users';

/** Read side of the exchange for the bot: previews, quotes, books, portfolios. Never writes. */

/** A bet as the bot collects it: a place command without its key; `tif` defaults to IOC (market) / GTC (limit). */
export type BetInput = Pick<PlaceOrderCommand, 'marketId' | 'userId' | 'intent' | 'kind' | 'price' | 'qty' | 'spendKop' | 'postOnly' | 'expiresAt'>
  & { tif?: TimeInForce };

/** What the bet preview shows; equal to what the matching worker then does on the same book. */
export interface BetPreview {
  /** Shares that fill now. */
  shares: number;
  /** Paid (buy) or received (sell) for them before fees, kop. */
  costKop: Kop;
  feeKop: Kop;
  feeBps: number;
  /** Buys: cost + fee; sells: proceeds − fee. */
  totalKop: Kop;
  /** 100 kop per share bought. */
  maxPayoutKop: Kop;
  /** Shares that would rest in the book at the limit. */
  restingShares: number;
  /** Own price of the last (worst) fill, or null. */
  worstPrice: number | null;
  /** Kop the order locks when placed (buys), to compare with the balance. */
  reserveKop: Kop;
}

async function volume30d(m: EntityManager, userId: number): Promise<number> {
  const [r] = await m.query(
    `SELECT COALESCE(sum(notional_kop), 0) AS v FROM taker_volume WHERE user_id = $1 AND day > current_date - 30`, [userId]);
  return Number(r.v);
}

/**
 * Previews a bet against the market's current book with the user's fee tier (DESIGN §2).
 * Failures: the order-limit codes of exchange/limits (notional_too_small, ...), price_out_of_range,
 * market_not_found, market_closed, market_paused, insufficient_funds {need, have},
 * insufficient_shares {need, have}, and the match rejections (no_liquidity, fok_not_fillable).
 */
export async function previewBet(m: EntityManager, input: BetInput, nowMs = Date.now()): Promise<Result<{ preview: BetPreview }>> {
  const market = await m.getRepository(Market).findOneBy({ id: input.marketId });
  if (!market) return fail('market_not_found');
  if (market.status !== 'open' || market.deadline.getTime() <= nowMs) return fail('market_closed');
  if (market.tradingPaused) return fail('market_paused');
  if (!isPrice(input.price)) return fail('price_out_of_range', { minPrice: 1, maxPrice: 99 });
  const bps = takerFeeBps(kop(await volume30d(m, input.userId)));
  const order: IncomingOrder = {
    id: 0, seq: 0, userId: input.userId, intent: input.intent, limitPrice: ownPrice(input.intent, input.price),
    qty: input.spendKop === undefined ? input.qty : undefined, spendKop: input.spendKop,
    tif: input.tif ?? (input.kind === 'market' ? 'IOC' : 'GTC'), postOnly: input.postOnly ?? false,
    expiresAt: input.tif === 'GTD' ? input.expiresAt ?? null : null, takerFeeBps: bps,
  };
  const valid = validateOrder(order, nowMs);
  if (!valid.ok) return fail(valid.code, valid.vars);
  const reserve = reserveFor(order);
  if (isBuy(input.intent)) {
    const { available } = await balancesOf(m, input.userId);
    if (available < reserve.kop) return fail('insufficient_funds', { need: reserve.kop, have: available });
  } else {
    const [p] = await m.query(
      `SELECT shares - reserved AS free FROM positions WHERE user_id = $1 AND market_id = $2 AND outcome = $3`,
      [input.userId, input.marketId, outcomeOf(input.intent)]);
    const have = p ? Number(p.free) : 0;
    if (have < reserve.shares) return fail('insufficient_shares', { need: reserve.shares, have });
  }
  const maker = await loadMakerState(m, input.marketId);
  // previewOrder gives the maker's trial orders ids of its own that are never stored (exchange/preview.ts).
  const sim = maker === null ? null : { params: maker.params, inv: maker.inv, nextId: () => 0 };
  const p = previewOrder(await loadBook(m, input.marketId), order, bps, nowMs, sim);
  if (p.rejected) return fail(p.rejected);
  return {
    ok: true,
    preview: {
      shares: p.filledQty, costKop: p.notionalKop, feeKop: p.feeKop, feeBps: bps, totalKop: p.totalKop,
      maxPayoutKop: p.maxPayoutKop, restingShares: p.restQty,
      worstPrice: p.worstPrice === null ? null : ownPrice(input.intent, p.worstPrice), reserveKop: reserve.kop,
    },
  };
}

/** Top `depth` levels each side of the YES book (NO price = 100 − YES price). */
export async function bookView(m: EntityManager, marketId: number, depth = 5): Promise<{ bids: BookLevel[]; asks: BookLevel[] }> {
  const rows: { side: 'bid' | 'ask'; price: number; qty: string; n: string }[] = await m.query(
    `SELECT CASE WHEN intent IN ('BUY_YES', 'SELL_NO') THEN 'bid' ELSE 'ask' END AS side, price, sum(remaining) qty, count(*) n
       FROM orders WHERE market_id = $1 AND status = 'open' GROUP BY 1, 2`, [marketId]);
  const level = (r: (typeof rows)[number]): BookLevel => ({ price: r.price, qty: Number(r.qty), orders: Number(r.n) });
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
  const rows: { id: string; last_price: number | null; bid: number | null; ask: number | null }[] = await m.query(
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
    out.set(Number(r.id), { yesPrice: yes, noPrice: 100 - yes, bestBid, bestAsk });
  }
  return out;
}

export interface PositionView {
  marketId: number;
  title: string;
  outcome: 'YES' | 'NO';
  shares: number;
  reserved: number;
  /** Average-cost basis of the shares held, kop (fees included). */
  costKop: Kop;
  /** shares × current own price (settled: the payout), kop. */
  valueKop: Kop;
  pnlKop: Kop;
  marketStatus: string;
}

export interface OrderView {
  id: number;
  marketId: number;
  title: string;
  intent: Intent;
  /** Own price 1..99. */
  price: number;
  remaining: number;
  reservedKop: Kop;
}

/**
 * A user's positions (with average-cost basis and P&L derived from their fills, oldest first)
 * and open orders.
 */
export async function portfolio(m: EntityManager, userId: number): Promise<{ positions: PositionView[]; orders: OrderView[] }> {
  const pos: { market_id: string; title: string; outcome: 'YES' | 'NO'; shares: number; reserved: number; status: string; last_price: number | null; payout_kop: string | null }[] =
    await m.query(
      `SELECT p.market_id, mk.title, p.outcome, p.shares, p.reserved, mk.status, mk.last_price, p.payout_kop
         FROM positions p JOIN markets mk ON mk.id = p.market_id
        WHERE p.user_id = $1 AND (p.shares > 0 OR p.settled_at IS NOT NULL) ORDER BY mk.id, p.outcome`, [userId]);
  const fills: { market_id: string; side: 'maker' | 'taker'; intent: Intent; price: number; qty: number; fee: string }[] = await m.query(
    `SELECT f.market_id, 'taker' AS side, o.intent, f.price, f.qty, f.taker_fee_kop AS fee
       FROM fills f JOIN orders o ON o.id = f.taker_order_id WHERE f.taker_user_id = $1
     UNION ALL
     SELECT f.market_id, 'maker', o.intent, f.price, f.qty, -f.maker_rebate_kop
       FROM fills f JOIN orders o ON o.id = f.maker_order_id WHERE f.maker_user_id = $1
     ORDER BY 1`, [userId]);
  // Average cost per (market, outcome): buys add cost; sells remove it pro rata (integer kop).
  const basis = new Map<string, { shares: number; cost: number }>();
  for (const f of fills) {
    const key = `${f.market_id}:${outcomeOf(f.intent)}`;
    const b = basis.get(key) ?? { shares: 0, cost: 0 };
    if (isBuy(f.intent)) {
      b.shares += f.qty;
      b.cost += ownPrice(f.intent, f.price) * f.qty + Number(f.fee);
    } else if (b.shares > 0) {
      const part = (b.cost * f.qty - ((b.cost * f.qty) % b.shares)) / b.shares;
      b.cost -= part;
      b.shares -= f.qty;
    }
    basis.set(key, b);
  }
  const positions = pos.map((p) => {
    const cost = basis.get(`${p.market_id}:${p.outcome}`)?.cost ?? 0;
    const own = p.last_price === null ? 50 : p.outcome === 'YES' ? p.last_price : 100 - p.last_price;
    const value = p.payout_kop !== null ? Number(p.payout_kop) : p.shares * own;
    return {
      marketId: Number(p.market_id), title: p.title, outcome: p.outcome, shares: p.shares, reserved: p.reserved,
      costKop: kop(cost), valueKop: kop(value), pnlKop: kop(value - cost), marketStatus: p.status,
    };
  });
  const ord: { id: string; market_id: string; title: string; intent: Intent; price: number; remaining: number }[] = await m.query(
    `SELECT o.id, o.market_id, mk.title, o.intent, o.price, o.remaining
       FROM orders o JOIN markets mk ON mk.id = o.market_id WHERE o.user_id = $1 AND o.status = 'open' ORDER BY o.id`, [userId]);
  const orders = ord.map((o) => ({
    id: Number(o.id), marketId: Number(o.market_id), title: o.title, intent: o.intent,
    price: ownPrice(o.intent, o.price), remaining: o.remaining,
    reservedKop: kop(isBuy(o.intent) ? ownPrice(o.intent, o.price) * o.remaining : 0),
  }));
  return { positions, orders };
}

/** The user's taker fee tier by 30-day taker volume (seed plan fee schedule). */
export async function feeTierOf(m: EntityManager, userId: number): Promise<{ bps: number; volume30dKop: Kop; nextTierAtKop: number | null; nextBps: number | null }> {
  const volume = kop(await volume30d(m, userId));
  const tier = feeTier(volume);
  return {
    bps: tier.takerBps, volume30dKop: volume,
    nextTierAtKop: tier.next ? tier.next.fromVolumeKop : null, nextBps: tier.next ? tier.next.takerBps : null,
  };
}
