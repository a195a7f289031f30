/**
 * A user's portfolio: positions with average-cost basis and P&L from their fills, open orders,
 * and what the market card needs of the user's holdings in one market.
 */
import { In, type EntityManager } from 'typeorm';
import { Order, Position } from '../entities';
import { ownPrice } from '../exchange';
import { isBuy, outcomeOf } from '../exchange/intent';
import type { Intent, Outcome } from '../exchange/types';
import { kop, type Kop } from '../money';
import { int, intOrNull, kopOf, type DbNumber } from './rows';

export interface PositionView {
  marketId: number;
  title: string;
  outcome: Outcome;
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
  const pos: { market_id: DbNumber; title: string; outcome: Outcome; shares: number; reserved: number; status: string; last_price: number | null; payout_kop: DbNumber | null }[] =
    await m.query(
      `SELECT p.market_id, mk.title, p.outcome, p.shares, p.reserved, mk.status, mk.last_price, p.payout_kop
         FROM positions p JOIN markets mk ON mk.id = p.market_id
        WHERE p.user_id = $1 AND (p.shares > 0 OR p.settled_at IS NOT NULL) ORDER BY mk.id, p.outcome`, [userId]);
  const fills: { market_id: DbNumber; side: 'maker' | 'taker'; intent: Intent; price: number; qty: number; fee: DbNumber }[] = await m.query(
    `SELECT f.market_id, 'taker' AS side, o.intent, f.price, f.qty, f.taker_fee_kop AS fee
       FROM fills f JOIN orders o ON o.id = f.taker_order_id WHERE f.taker_user_id = $1
     UNION ALL
     SELECT f.market_id, 'maker', o.intent, f.price, f.qty, -f.maker_rebate_kop
       FROM fills f JOIN orders o ON o.id = f.maker_order_id WHERE f.maker_user_id = $1
     ORDER BY 1`, [userId]);
  // Average cost per (market, outcome): buys add cost; sells remove it pro rata (integer kop).
  const basis = new Map<string, { shares: number; cost: number }>();
  for (const f of fills) {
    const key = `${int(f.market_id)}:${outcomeOf(f.intent)}`;
    const b = basis.get(key) ?? { shares: 0, cost: 0 };
    if (isBuy(f.intent)) {
      b.shares += f.qty;
      b.cost += ownPrice(f.intent, f.price) * f.qty + kopOf(f.fee);
    } else if (b.shares > 0) {
      const part = (b.cost * f.qty - ((b.cost * f.qty) % b.shares)) / b.shares;
      b.cost -= part;
      b.shares -= f.qty;
    }
    basis.set(key, b);
  }
  const positions = pos.map((p) => {
    const marketId = int(p.market_id);
    const cost = basis.get(`${marketId}:${p.outcome}`)?.cost ?? 0;
    const own = p.last_price === null ? 50 : p.outcome === 'YES' ? p.last_price : 100 - p.last_price;
    const payout = intOrNull(p.payout_kop);
    const value = payout !== null ? payout : p.shares * own;
    return {
      marketId, title: p.title, outcome: p.outcome, shares: p.shares, reserved: p.reserved,
      costKop: kop(cost), valueKop: kop(value), pnlKop: kop(value - cost), marketStatus: p.status,
    };
  });
  const ord: { id: DbNumber; market_id: DbNumber; title: string; intent: Intent; price: number; remaining: number }[] = await m.query(
    `SELECT o.id, o.market_id, mk.title, o.intent, o.price, o.remaining
       FROM orders o JOIN markets mk ON mk.id = o.market_id WHERE o.user_id = $1 AND o.status = 'open' ORDER BY o.id`, [userId]);
  const orders = ord.map((o) => ({
    id: int(o.id), marketId: int(o.market_id), title: o.title, intent: o.intent,
    price: ownPrice(o.intent, o.price), remaining: o.remaining,
    reservedKop: kop(isBuy(o.intent) ? ownPrice(o.intent, o.price) * o.remaining : 0),
  }));
  return { positions, orders };
}

/** A user's holdings in one market, as the market card shows them. */
export interface Holding {
  /** Shares the user can sell now (held minus reserved by open sell orders). */
  free: Record<Outcome, number>;
  /** Number of the user's open orders in this market. */
  openOrders: number;
}

/** What {@link Holding} says for user `userId` in market `marketId`. */
export async function holdingIn(m: EntityManager, userId: number, marketId: number): Promise<Holding> {
  // One query: every card view asks.
  const [r]: { yes: string; no: string; open: string }[] = await m.query(
    `SELECT COALESCE((SELECT shares - reserved FROM positions WHERE user_id = $1 AND market_id = $2 AND outcome = 'YES'), 0) AS yes,
            COALESCE((SELECT shares - reserved FROM positions WHERE user_id = $1 AND market_id = $2 AND outcome = 'NO'), 0) AS no,
            (SELECT count(*) FROM orders WHERE user_id = $1 AND market_id = $2 AND status = 'open') AS open`,
    [userId, marketId]);
  return { free: { YES: Number(r!.yes), NO: Number(r!.no) }, openOrders: Number(r!.open) };
}

/** Shares of `outcome` user `userId` holds in market `marketId` and has not offered for sale. */
export async function freeSharesOf(m: EntityManager, userId: number, marketId: number, outcome: Outcome): Promise<number> {
  const p = await m.getRepository(Position).findOneBy({ userId, marketId, outcome });
  return p ? p.shares - p.reserved : 0;
}

/** The user's open orders in a market: intent, YES-book price and remaining shares (to mark their book levels). */
export async function openOrdersIn(m: EntityManager, userId: number, marketId: number): Promise<Pick<Order, 'intent' | 'price' | 'remaining'>[]> {
  return m.getRepository(Order).find({ select: { intent: true, price: true, remaining: true }, where: { userId, marketId, status: 'open' } });
}

/** Expiry times of the GTD orders among `orderIds` (orders without one are left out). */
export async function expiriesOf(m: EntityManager, orderIds: readonly number[]): Promise<Map<number, Date>> {
  if (orderIds.length === 0) return new Map();
  const rows = await m.getRepository(Order).find({ select: { id: true, expiresAt: true }, where: { id: In([...orderIds]) } });
  return new Map(rows.flatMap((r) => (r.expiresAt ? [[r.id, r.expiresAt] as const] : [])));
}

/** Ids of the user's open orders in a market. */
export async function openOrderIds(m: EntityManager, userId: number, marketId: number): Promise<number[]> {
  return (await m.getRepository(Order).find({ select: { id: true }, where: { userId, marketId, status: 'open' } })).map((o) => o.id);
}

/** Those of `orderIds` that their owner cancelled, with what their reserve was made of (qty − filled at the price). */
export async function cancelledByUser(m: EntityManager, orderIds: readonly number[]): Promise<Pick<Order, 'id' | 'intent' | 'price' | 'qty' | 'filled'>[]> {
  if (orderIds.length === 0) return [];
  return m.getRepository(Order).findBy({ id: In([...orderIds]), status: 'cancelled', cancelReason: 'user' });
}
