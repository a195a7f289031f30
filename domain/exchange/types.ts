/**
 * Plain data of the pure matching core (DESIGN §2). No I/O, no telegraf/typeorm/bullmq imports.
 *
 * All four intents live in ONE book per market, expressed in YES prices:
 *
 * | intent      | side | book price | reserved when placed            |
 * |-------------|------|------------|---------------------------------|
 * | BUY_YES  p  | bid  | p          | p × qty kop (+ max taker fee)   |
 * | SELL_NO  q  | bid  | 100 − q    | qty NO shares                   |
 * | SELL_YES p  | ask  | p          | qty YES shares                  |
 * | BUY_NO   q  | ask  | 100 − q    | q × qty kop (+ max taker fee)   |
 */
import type { Kop, Price, Shares } from '../money';

export type Intent = 'BUY_YES' | 'SELL_YES' | 'BUY_NO' | 'SELL_NO';
export type Outcome = 'YES' | 'NO';
export type BookSide = 'bid' | 'ask';

/**
 * Time in force. GTC rests until cancelled; GTD rests until `expiresAt`;
 * IOC fills what it can now and cancels the rest; FOK fills entirely now or not at all.
 */
export type TimeInForce = 'GTC' | 'GTD' | 'IOC' | 'FOK';

/** The three kinds of fill (Polymarket CTF exchange), DESIGN §2. */
export type FillKind = 'transfer_yes' | 'mint' | 'merge' | 'transfer_no';

/** An order resting in the book. `seq` orders time priority (lower = earlier). */
export interface RestingOrder {
  id: number;
  userId: number;
  intent: Intent;
  /** YES-book price, 1..99. */
  price: Price;
  /** Unfilled shares. */
  remaining: Shares;
  seq: number;
  /** Epoch ms for GTD orders; null otherwise. */
  expiresAt: number | null;
}

/**
 * An incoming (taker) order. Exactly one of `qty` / `spendKop` is set:
 * - `qty`: a share quantity (limit orders, "sell N shares" market sells);
 * - `spendKop`: a "spend X ₽" market buy (BUY_YES / BUY_NO only): buys as many
 *   whole shares as X kop pays for, taker fee included.
 *
 * `limitPrice` is the worst acceptable YES-book price (a bid never pays above it, an ask never
 * sells below it); for market orders it is the slippage guard shown in the bet preview.
 */
export interface IncomingOrder {
  id: number;
  userId: number;
  intent: Intent;
  limitPrice: Price;
  qty?: Shares;
  spendKop?: Kop;
  tif: TimeInForce;
  /** Rejected (nothing happens) if it would cross on arrival. */
  postOnly: boolean;
  /** Epoch ms, GTD only. */
  expiresAt: number | null;
  /** Taker fee rate in basis points of notional (10 = 0.10 %), from the user's tier. */
  takerFeeBps: number;
  seq: number;
  /**
   * Kop (own terms, before fees) this order already filled in earlier phases of the same order
   * (maker-match.ts): its fee stays one ceil over the whole order and a spend-X budget counts it.
   */
  priorNotionalKop?: Kop;
}

/** One fill between a resting maker and the incoming taker at the maker's price. */
export interface Fill {
  makerOrderId: number;
  makerUserId: number;
  makerIntent: Intent;
  takerOrderId: number;
  takerUserId: number;
  takerIntent: Intent;
  /** YES-book price of the fill = the maker's price. */
  price: Price;
  qty: Shares;
  kind: FillKind;
  /** Taker's fee, kop, rounded up, on the taker's own notional. */
  takerFee: Kop;
  /** Maker's rebate, kop, rounded down, on the maker's own notional. */
  makerRebate: Kop;
}

export type RejectCode =
  | 'post_only_would_cross'
  | 'fok_not_fillable'
  | 'no_liquidity';

/** What one incoming order did to the book. */
export interface MatchResult {
  fills: Fill[];
  /** Resting orders of the same user that the taker would have hit: cancelled (self-trade prevention). */
  selfTradeCancelled: RestingOrder[];
  /** Resting GTD orders found expired while matching: removed. */
  expired: RestingOrder[];
  /** Shares of the taker left resting in the book (0 for IOC/FOK/market). */
  rested: Shares;
  /** Total shares the taker filled. */
  filledQty: Shares;
  /** Set when the order was rejected as a whole; then `fills` is empty and the book unchanged. */
  rejected?: RejectCode;
}

/** A level of the book as shown to users (aggregated). */
export interface BookLevel {
  price: Price;
  qty: Shares;
  orders: number;
}
