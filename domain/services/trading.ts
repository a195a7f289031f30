import type { EntityManager } from 'typeorm';
import {
  feeTier, ownPrice, previewOrder, reserveFor, takerFeeBps, validateOrder, type IncomingOrder,
} from '../exchange';
import { isBuy, outcomeOf } from '../exchange/intent';
import type { TimeInForce } from '../exchange/types';
import { Market } from '../entities';
import { isPrice, kop, type Kop } from '../money';
import { loadBook } from './book-cache';
import type { PlaceOrderCommand } from './commands';
import { fail, type Result } from './result';
import { balancesOf } from './users';

/** Bet previews and fee tiers for the bot (quotes, books and portfolios: domain/read/). Never writes. */

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
  const p = previewOrder(await loadBook(m, input.marketId), order, bps, nowMs);
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

/** The user's taker fee tier by 30-day taker volume (seed plan fee schedule). */
export async function feeTierOf(m: EntityManager, userId: number): Promise<{ bps: number; volume30dKop: Kop; nextTierAtKop: number | null; nextBps: number | null }> {
  const volume = kop(await volume30d(m, userId));
  const tier = feeTier(volume);
  return {
    bps: tier.takerBps, volume30dKop: volume,
    nextTierAtKop: tier.next ? tier.next.fromVolumeKop : null, nextBps: tier.next ? tier.next.takerBps : null,
  };
}
