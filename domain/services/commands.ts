import type { OrderRequest } from '../exchange/pre-trade';
import type { Intent, TimeInForce } from '../exchange/types';
import type { Kop } from '../money';
import type { OrderStatus } from '../entities';
import type { Result } from './result';

/**
 * Commands applied by a market's matching worker, in order (DESIGN §5). Every command carries an
 * idempotency key born at the edge (a Telegram callback query, a bet draft): applying it twice
 * has the effect of once.
 */
export interface PlaceOrderCommand extends OrderRequest {
  type: 'place';
  idempotencyKey: string;
  marketId: number;
  /** Internal user id (users.id), not the Telegram id. */
  userId: number;
  /** Always set on a command (the pre-trade check defaults it only for previews). */
  tif: TimeInForce;
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
