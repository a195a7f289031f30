/**
 * The one pre-trade check (DESIGN §2; STYLE §1): everything that decides whether an order may go
 * to the book, as a pure function of plain facts. The bet preview (services/trading previewBet)
 * calls it before showing a preview and the matching batch (services/market-batch place) calls it
 * again inside the transaction with the facts it holds there, so the two can never disagree on a
 * rule (as Manifold runs one bet calculation before and inside the transaction).
 *
 * Order of the checks (the first failure is returned): market open (status 'open' and before the
 * deadline), not paused, price 1..99, the fee tier from the 30-day taker volume, the order
 * limits (limits.validateOrder), then funds: a buy's reserve (notional + the whole taker fee, or
 * the spend) against the available balance, a sell's shares against the free (unoffered) shares.
 */
import { isPrice, kop, type Kop } from '../money';
import { reserveFor, type Reserve } from './effects';
import { takerFeeBps } from './fees';
import { isBuy, ownPrice } from './intent';
import { validateOrder, type OrderInvalidCode } from './limits';
import type { IncomingOrder, Intent, TimeInForce } from './types';

/** The market as the check needs it. */
export interface MarketFacts {
  /** markets.status; only 'open' trades. A batch that is closing the market passes 'closed'. */
  status: string;
  tradingPaused: boolean;
  /** Trading stops at the deadline, epoch ms. */
  deadlineMs: number;
}

/** The user's side. Only the field the intent needs is read (kop for buys, shares for sells). */
export interface TraderFacts {
  /** Available (unreserved) balance, kop. */
  availableKop: number;
  /** Shares of the order's outcome held and not offered in the book. */
  freeShares: number;
  /** Taker notional of the last {@link FEE_VOLUME_WINDOW_DAYS} days, kop (sets the fee tier). */
  volume30dKop: number;
}

/** The order as a user asks for it; prices in the user's own terms. */
export interface OrderRequest {
  userId: number;
  intent: Intent;
  kind: 'limit' | 'market';
  /** Own price 1..99: the limit, or a market order's worst acceptable price (slippage guard). */
  price: number;
  /** Shares (limit orders, market sells). */
  qty?: number;
  /** "Spend X" market buys, kop (fee included). */
  spendKop?: Kop;
  /** Defaults to IOC for market orders and GTC for limit orders. */
  tif?: TimeInForce;
  postOnly?: boolean;
  /** GTD only: epoch ms (ignored for other time in force). */
  expiresAt?: number | null;
}

export type PreTradeRejectCode = 'market_closed' | 'market_paused' | 'insufficient_funds' | 'insufficient_shares' | OrderInvalidCode;

export type PreTradeResult =
  /** `order` has id 0 and seq 0 (the batch assigns them); `reserve` is what placing it locks. */
  | { ok: true; order: IncomingOrder; reserve: Reserve; takerFeeBps: number }
  | { ok: false; code: PreTradeRejectCode; vars?: Record<string, number> };

/** The window of taker volume that sets the fee tier, days (seed plan: monthly volume). */
export const FEE_VOLUME_WINDOW_DAYS = 30;

/**
 * Whether the market takes no orders at `nowMs`: market_closed (not open, or past its deadline),
 * market_paused, or null when it trades. The first step of {@link preTradeCheck}. Pure.
 */
export function marketShut(market: MarketFacts, nowMs: number): 'market_closed' | 'market_paused' | null {
  if (market.status !== 'open' || market.deadlineMs <= nowMs) return 'market_closed';
  if (market.tradingPaused) return 'market_paused';
  return null;
}

/**
 * Checks `req` at `nowMs` against the market and the user's funds. Pure; never throws.
 * Failures: market_closed, market_paused, price_out_of_range {minPrice, maxPrice}, the
 * validateOrder codes with their vars, insufficient_funds {need, have} (kop),
 * insufficient_shares {need, have} (shares).
 */
export function preTradeCheck(market: MarketFacts, trader: TraderFacts, req: OrderRequest, nowMs: number): PreTradeResult {
  const shut = marketShut(market, nowMs);
  if (shut) return { ok: false, code: shut };
  if (!isPrice(req.price)) return { ok: false, code: 'price_out_of_range', vars: { minPrice: 1, maxPrice: 99 } };
  const bps = takerFeeBps(kop(trader.volume30dKop));
  const tif = req.tif ?? (req.kind === 'market' ? 'IOC' : 'GTC');
  const order: IncomingOrder = {
    id: 0,
    seq: 0,
    userId: req.userId,
    intent: req.intent,
    // The own-price ↔ book-price map is its own inverse (intent.ts).
    limitPrice: ownPrice(req.intent, req.price),
    qty: req.spendKop === undefined ? req.qty : undefined,
    spendKop: req.spendKop,
    tif,
    postOnly: req.postOnly ?? false,
    expiresAt: tif === 'GTD' ? req.expiresAt ?? null : null,
    takerFeeBps: bps,
  };
  const valid = validateOrder(order, nowMs);
  if (!valid.ok) return { ok: false, code: valid.code, vars: valid.vars };
  const reserve = reserveFor(order);
  if (isBuy(req.intent)) {
    if (trader.availableKop < reserve.kop) return { ok: false, code: 'insufficient_funds', vars: { need: reserve.kop, have: trader.availableKop } };
  } else if (trader.freeShares < reserve.shares) {
    return { ok: false, code: 'insufficient_shares', vars: { need: reserve.shares, have: trader.freeShares } };
  }
  return { ok: true, order, reserve, takerFeeBps: bps };
}
