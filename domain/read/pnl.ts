/**
 * Realized P&L (issue 11, seed 003): what a user paid into a market net of what they got out of
 * it, from their fills (own price × shares, taker fees, maker rebates) and their settlement payouts.
 * A market's P&L is realized when it settles; the month's total sums the markets settled in the
 * current Moscow calendar month in which the user traded.
 */
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { isBuy, ownPrice } from '../exchange/intent';
import type { Intent } from '../exchange/types';
import { kop, type Kop } from '../money';
import { int, kopOf, type DbNumber } from './rows';

/** One fill as its user sees it: own intent, YES-book price 1..99, shares, and fee paid (kop; a maker rebate is negative). */
export interface OwnFill {
  intent: Intent;
  price: number;
  qty: number;
  feeKop: number;
}

/** A user's money in and out of one market, kop. */
export interface MarketPnl {
  /** Bought shares (own price × shares) plus fees, net of rebates. */
  paidKop: Kop;
  /** Sold shares (own price × shares) plus settlement payouts. */
  gotKop: Kop;
  /** gotKop − paidKop: positive is a profit. */
  pnlKop: Kop;
}

/**
 * The pure sum behind {@link realizedPnl}: buys (BUY_YES, BUY_NO, incl. the mint side) cost their
 * own price, sells (SELL_YES, SELL_NO, incl. the merge side) bring it; fees add to what was paid,
 * rebates (negative fees) take from it; `payoutKop` is what settlement paid for the shares left.
 */
export function marketPnl(fills: readonly OwnFill[], payoutKop: number): MarketPnl {
  let paid = 0;
  let got = payoutKop;
  for (const f of fills) {
    const amount = ownPrice(f.intent, f.price) * f.qty;
    if (isBuy(f.intent)) paid += amount;
    else got += amount;
    paid += f.feeKop;
  }
  return { paidKop: kop(paid), gotKop: kop(got), pnlKop: kop(got - paid) };
}

/** Start of the Moscow calendar month of `at`. */
export function moscowMonthStart(at: Date): Date {
  return DateTime.fromJSDate(at, { zone: 'Europe/Moscow' }).startOf('month').toJSDate();
}

/** Each user's P&L on one market, and their total over the markets settled this Moscow month. */
export interface SettledPnl {
  market: MarketPnl;
  monthKop: Kop;
}

/**
 * Realized P&L of `userIds` on settled market `marketId`, and each one's total over every market
 * settled in the Moscow month of `at` (this one included, even if its settlement row is not
 * finished yet). Users who never traded the market get a zero market P&L.
 */
export async function realizedPnl(m: EntityManager, marketId: number, userIds: readonly number[], at: Date = new Date()): Promise<Map<number, SettledPnl>> {
  const ids = [...new Set(userIds)];
  const out = new Map<number, SettledPnl>();
  if (ids.length === 0) return out;
  const markets: { market_id: DbNumber }[] = await m.query(
    `SELECT market_id FROM settlements WHERE status = 'done' AND finished_at >= $1 UNION SELECT $2::bigint`, [moscowMonthStart(at), marketId]);
  const marketIds = markets.map((r) => int(r.market_id));
  const fills: { user_id: DbNumber; market_id: DbNumber; intent: Intent; price: number; qty: number; fee: DbNumber }[] = await m.query(
    `SELECT f.taker_user_id AS user_id, f.market_id, o.intent, f.price, f.qty, f.taker_fee_kop AS fee
       FROM fills f JOIN orders o ON o.id = f.taker_order_id
      WHERE f.taker_user_id = ANY($1::bigint[]) AND f.market_id = ANY($2::bigint[])
     UNION ALL
     SELECT f.maker_user_id, f.market_id, o.intent, f.price, f.qty, -f.maker_rebate_kop
       FROM fills f JOIN orders o ON o.id = f.maker_order_id
      WHERE f.maker_user_id = ANY($1::bigint[]) AND f.market_id = ANY($2::bigint[])`, [ids, marketIds]);
  const payouts: { user_id: DbNumber; market_id: DbNumber; payout: DbNumber }[] = await m.query(
    `SELECT user_id, market_id, SUM(payout_kop) AS payout FROM positions
      WHERE user_id = ANY($1::bigint[]) AND market_id = ANY($2::bigint[]) AND payout_kop IS NOT NULL GROUP BY user_id, market_id`, [ids, marketIds]);
  const byKey = new Map<string, { fills: OwnFill[]; payout: number }>();
  const entry = (u: DbNumber, mk: DbNumber) => {
    const key = `${int(u)}:${int(mk)}`;
    const e = byKey.get(key) ?? { fills: [], payout: 0 };
    byKey.set(key, e);
    return e;
  };
  for (const f of fills) entry(f.user_id, f.market_id).fills.push({ intent: f.intent, price: f.price, qty: f.qty, feeKop: kopOf(f.fee) });
  for (const p of payouts) entry(p.user_id, p.market_id).payout += kopOf(p.payout);
  for (const id of ids) out.set(id, { market: marketPnl([], 0), monthKop: kop(0) });
  for (const [key, e] of byKey) {
    const [userId, mk] = key.split(':').map(Number) as [number, number];
    const pnl = marketPnl(e.fills, e.payout);
    const cur = out.get(userId)!;
    out.set(userId, { market: mk === marketId ? pnl : cur.market, monthKop: kop(cur.monthKop + pnl.pnlKop) });
  }
  return out;
}
