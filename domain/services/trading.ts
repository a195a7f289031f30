import type { EntityManager } from 'typeorm';
import {
  feeTier, ownPrice, preTradeCheck, previewOrder, type PreTradeRejectCode,
} from '../exchange';
import { outcomeOf } from '../exchange/intent';
import type { TimeInForce } from '../exchange/types';
import { Market } from '../entities';
import type { Kop } from '../money';
import { freeSharesOf } from '../read/portfolio';
import { loadBook } from './book-cache';
import { loadMakerState } from './maker-state';
import type { PlaceOrderCommand } from './commands';
import { fail, type Result } from './result';
import { balancesOf } from './users';
import { tradingBlock } from './responsible-use';
import { takerVolume } from './volume';

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

/**
 * Facts {@link previewBet} would read that its caller has just read in the same request: the
 * market row (used only when its id is the bet's) and the user's 30-day taker volume.
 */
export interface KnownFacts {
  market?: Market;
  volume30dKop?: Kop;
}

/**
 * Previews a bet against the market's current book with the user's fee tier (DESIGN §2): the
 * pre-trade check (exchange/pre-trade, the same one the matching batch runs) on fresh facts, then
 * the match preview. Failures: market_not_found, the {@link PreTradeRejectCode}s (market_closed,
 * market_paused, price_out_of_range, the order-limit codes, insufficient_funds {need, have},
 * insufficient_shares {need, have}) and the match rejections (no_liquidity, fok_not_fillable,
 * post_only_would_cross).
 */
export async function previewBet(m: EntityManager, input: BetInput, nowMs = Date.now(), known: KnownFacts = {}): Promise<Result<{ preview: BetPreview }>> {
  const market = known.market !== undefined && known.market.id === input.marketId
    ? known.market : await m.getRepository(Market).findOneBy({ id: input.marketId });
  if (!market) return fail('market_not_found');
  const blocked = await tradingBlock(m, input.userId, new Date(nowMs));
  if (blocked) return blocked;
  const checked = preTradeCheck(
    { status: market.status, tradingPaused: market.tradingPaused, deadlineMs: market.deadline.getTime() },
    {
      volume30dKop: known.volume30dKop ?? await takerVolume(m, input.userId),
      availableKop: (await balancesOf(m, input.userId)).available,
      freeShares: await freeSharesOf(m, input.userId, input.marketId, outcomeOf(input.intent)),
    },
    input, nowMs);
  if (!checked.ok) return fail(checked.code, checked.vars);
  const { order, reserve, takerFeeBps: bps } = checked;
  const maker = await loadMakerState(m, input.marketId);
  // previewOrder gives the maker's trial orders ids of its own that are never stored (exchange/preview.ts).
  const sim = maker === null ? null : { params: maker.params, inv: maker.inv, nextId: () => 0 };
  const r = previewOrder(await loadBook(m, input.marketId), order, bps, nowMs, sim);
  if (r.rejected) return fail(r.rejected);
  return {
    ok: true,
    preview: {
      shares: r.filledQty, costKop: r.notionalKop, feeKop: r.feeKop, feeBps: bps, totalKop: r.totalKop,
      maxPayoutKop: r.maxPayoutKop, restingShares: r.restQty,
      worstPrice: r.worstPrice === null ? null : ownPrice(input.intent, r.worstPrice), reserveKop: reserve.kop,
    },
  };
}

/** The user's taker fee tier by 30-day taker volume (seed plan fee schedule; window: exchange/pre-trade FEE_VOLUME_WINDOW_DAYS). */
export async function feeTierOf(m: EntityManager, userId: number): Promise<{ bps: number; volume30dKop: Kop; nextTierAtKop: number | null; nextBps: number | null }> {
  const volume = await takerVolume(m, userId);
  const tier = feeTier(volume);
  return {
    bps: tier.takerBps, volume30dKop: volume,
    nextTierAtKop: tier.next ? tier.next.fromVolumeKop : null, nextBps: tier.next ? tier.next.takerBps : null,
  };
}
