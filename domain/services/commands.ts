import type { Intent, TimeInForce } from '../exchange/types';
import type { OrderStatus } from '../entities';
import type { Kop } from '../money';
import type { Result } from './result';

/**
 * Commands applied by a market's matching worker, in order (DESIGN §5). Every command carries an
 * idempotency key born at the edge (a Telegram callback query, a bet draft): applying it twice
 * has the effect of once.
 */
export interface PlaceOrderCommand {
  type: 'place';
  idempotencyKey: string;
  marketId: number;
  /** Internal user id (users.id), not the Telegram id. */
  userId: number;
  intent: Intent;
  kind: 'limit' | 'market';
  /**
   * The user's OWN price in kop per share, 1..99: a YES price for *_YES intents, a NO price for
   * *_NO intents. For limit orders it is the limit; for market orders the worst acceptable price
   * (slippage guard shown in the preview).
   */
  price: number;
  /** Shares (limit orders, market sells). */
  qty?: number;
  /** "Spend X ₽" market buys, kop. */
  spendKop?: Kop;
  tif: TimeInForce;
  postOnly?: boolean;
  /** GTD only: epoch ms. */
  expiresAt?: number | null;
}

export interface CancelOrderCommand {
  type: 'cancel';
  idempotencyKey: string;
  marketId: number;
  userId: number;
  orderId: number;
}

export interface CancelAllCommand {
  type: 'cancel_all';
  idempotencyKey: string;
  marketId: number;
  userId: number;
}

/** Expire due GTD orders, or (on close) cancel every open order of the market. */
export interface SweepCommand {
  type: 'expire' | 'close';
  idempotencyKey: string;
  marketId: number;
}

export type MatchingCommand = PlaceOrderCommand | CancelOrderCommand | CancelAllCommand | SweepCommand;

/** What happened to one order, for the user's answer. Amounts in kop, in the user's own terms. */
export interface OrderOutcome {
  orderId: number;
  marketId: number;
  intent: Intent;
  status: OrderStatus;
  /** Shares filled now. */
  filled: number;
  /** Shares left resting in the book. */
  resting: number;
  /** Paid (buys) or received (sells) for the filled shares, before fees. */
  costKop: Kop;
  /** Taker fee paid. */
  feeKop: Kop;
  /** Resting orders of the same user cancelled by self-trade prevention. */
  selfTradeCancelled: number;
  /** Own price of the order (YES price for *_YES, NO price for *_NO). */
  price: number;
}

export type CommandResult = Result<{ outcome?: OrderOutcome; cancelled?: number }>;
