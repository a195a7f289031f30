/**
 * The money and share effects of exchange events (DESIGN §2–§3), as plain data: the ledger service
 * turns each {@link MoneyMove} into a posting and each {@link ShareMove} into a position change in
 * the same transaction as the match; the model-based tests apply the very same effects to an
 * in-memory ledger and check the invariants. No I/O here.
 *
 * Collateral (DESIGN §2 "reserved when placed"):
 * - a buy limit order reserves ownPrice × qty + ceil(ownPrice × qty × takerBps / 10 000) kop
 *   (the fee part covers the worst case of filling entirely as taker at its own limit);
 * - a "spend X ₽" order reserves X kop;
 * - a sell reserves the qty shares it offers;
 * - a resting order needs exactly ownPrice × remaining kop (buys; makers pay no fee) or
 *   remaining shares (sells).
 * Every move has amount > 0; zero moves are omitted.
 */
import { kop, SHARE_PAYOUT, type Kop, type Shares } from '../money';
import { feeOn } from './fees';
import { isBuy, outcomeOf, ownPrice, sideOf } from './intent';
import type { Fill, IncomingOrder, MatchResult, Outcome, RestingOrder } from './types';

/** A money account touched by the exchange: a user's available or reserved balance, the market escrow, the house fee account. */
export type AccountRef =
  | { kind: 'available'; userId: number }
  | { kind: 'reserved'; userId: number }
  | { kind: 'escrow' }
  | { kind: 'fees' };

/** Why money moved: collateral in/out, a trade payment, mint / merge through escrow, a taker fee, a maker rebate. */
export type MoveKind = 'reserve' | 'release' | 'trade' | 'mint' | 'merge' | 'fee' | 'rebate';

/** `amount` kop (> 0) from one account to another. */
export interface MoneyMove {
  from: AccountRef;
  to: AccountRef;
  amount: Kop;
  kind: MoveKind;
}

/** A change of one user's shares of one outcome in this market: deltas of the free (`held`) and order-locked (`reserved`) parts. */
export interface ShareMove {
  userId: number;
  outcome: Outcome;
  held: number;
  reserved: number;
}

/** The effects of one event, to apply in order (credits come before the debits that rely on them). */
export interface Effects {
  moves: MoneyMove[];
  shares: ShareMove[];
}

/** Collateral of an order: `kop` money (buys) or `shares` of `outcome` (sells); the other is 0. */
export interface Reserve {
  kop: Kop;
  shares: Shares;
  outcome: Outcome;
}

/** Thrown when effects would break the reserve invariant: a bug in matching, never user input. */
export class EffectsError extends Error {}

const available = (userId: number): AccountRef => ({ kind: 'available', userId });
const reserved = (userId: number): AccountRef => ({ kind: 'reserved', userId });
const ESCROW: AccountRef = { kind: 'escrow' };
const FEES: AccountRef = { kind: 'fees' };

function push(moves: MoneyMove[], from: AccountRef, to: AccountRef, amount: number, kind: MoveKind): void {
  if (amount > 0) moves.push({ from, to, amount: kop(amount), kind });
}

/**
 * What an incoming order locks when placed (DESIGN §2): see the module comment. The service
 * rejects the order before matching unless the user's available kop / held shares cover it.
 */
export function reserveFor(order: IncomingOrder): Reserve {
  const outcome = outcomeOf(order.intent);
  if (order.spendKop !== undefined) return { kop: order.spendKop, shares: 0, outcome };
  const qty = order.qty ?? 0;
  if (!isBuy(order.intent)) return { kop: kop(0), shares: qty, outcome };
  const notional = ownPrice(order.intent, order.limitPrice) * qty;
  return { kop: kop(notional + feeOn(notional, order.takerFeeBps)), shares: 0, outcome };
}

/** What a resting order keeps locked: ownPrice × remaining kop for a buy, remaining shares for a sell (invariant 4). */
export function restingReserve(order: RestingOrder): Reserve {
  const outcome = outcomeOf(order.intent);
  return isBuy(order.intent)
    ? { kop: kop(ownPrice(order.intent, order.price) * order.remaining), shares: 0, outcome }
    : { kop: kop(0), shares: order.remaining, outcome };
}

/** Locks {@link reserveFor}: available → reserved kop, or held → reserved shares. */
export function reserveEffects(order: IncomingOrder): Effects {
  return lock(order.userId, reserveFor(order), 1);
}

/** Releases what a removed resting order still held (cancel, GTD expiry, self-trade cancel). */
export function cancelEffects(order: RestingOrder): Effects {
  return lock(order.userId, restingReserve(order), -1);
}

/** direction 1 locks a reserve, −1 releases it. */
function lock(userId: number, r: Reserve, direction: 1 | -1): Effects {
  const moves: MoneyMove[] = [];
  if (direction === 1) push(moves, available(userId), reserved(userId), r.kop, 'reserve');
  else push(moves, reserved(userId), available(userId), r.kop, 'release');
  const shares: ShareMove[] =
    r.shares > 0 ? [{ userId, outcome: r.outcome, held: -direction * r.shares, reserved: direction * r.shares }] : [];
  return { moves, shares };
}

/**
 * The effects of one fill at price P for q shares (DESIGN §2 fill table):
 * - transfer_yes: BUY_YES reserved → SELL_YES available P×q; the YES shares move;
 * - mint: BUY_YES reserved → escrow P×q and BUY_NO reserved → escrow (100−P)×q; 1 YES + 1 NO per share created;
 * - merge: escrow → SELL_YES available P×q and → SELL_NO available (100−P)×q; the pairs are burned;
 * - transfer_no: BUY_NO reserved → SELL_NO available (100−P)×q; the NO shares move;
 * then the taker fee to the fee account (from reserved for a buying taker, from the just
 * credited proceeds for a selling one) and the maker rebate from the fee account.
 */
export function fillEffects(fill: Fill): Effects {
  const q = fill.qty;
  const yesKop = fill.price * q;
  const noKop = (SHARE_PAYOUT - fill.price) * q;
  const takerIsBid = sideOf(fill.takerIntent) === 'bid';
  const bid = takerIsBid ? fill.takerUserId : fill.makerUserId;
  const ask = takerIsBid ? fill.makerUserId : fill.takerUserId;
  const moves: MoneyMove[] = [];
  let shares: ShareMove[];
  switch (fill.kind) {
    case 'transfer_yes':
      push(moves, reserved(bid), available(ask), yesKop, 'trade');
      shares = [
        { userId: ask, outcome: 'YES', held: 0, reserved: -q },
        { userId: bid, outcome: 'YES', held: q, reserved: 0 },
      ];
      break;
    case 'mint':
      push(moves, reserved(bid), ESCROW, yesKop, 'mint');
      push(moves, reserved(ask), ESCROW, noKop, 'mint');
      shares = [
        { userId: bid, outcome: 'YES', held: q, reserved: 0 },
        { userId: ask, outcome: 'NO', held: q, reserved: 0 },
      ];
      break;
    case 'merge':
      push(moves, ESCROW, available(ask), yesKop, 'merge');
      push(moves, ESCROW, available(bid), noKop, 'merge');
      shares = [
        { userId: ask, outcome: 'YES', held: 0, reserved: -q },
        { userId: bid, outcome: 'NO', held: 0, reserved: -q },
      ];
      break;
    case 'transfer_no':
      push(moves, reserved(ask), available(bid), noKop, 'trade');
      shares = [
        { userId: bid, outcome: 'NO', held: 0, reserved: -q },
        { userId: ask, outcome: 'NO', held: q, reserved: 0 },
      ];
      break;
  }
  const feePayer = isBuy(fill.takerIntent) ? reserved(fill.takerUserId) : available(fill.takerUserId);
  push(moves, feePayer, FEES, fill.takerFee, 'fee');
  push(moves, FEES, available(fill.makerUserId), fill.makerRebate, 'rebate');
  return { moves, shares };
}

/**
 * After {@link match}: releases what the taker reserved but no longer needs: for a buy, the
 * reserve minus what the fills paid (at maker prices, so price improvement comes back) minus the
 * fees charged minus ownPrice × rested (what the resting remainder keeps); for a sell, the
 * offered shares neither filled nor resting. A rejected order releases everything.
 * @throws EffectsError if the fills spent more than the reserve (would break invariant 4).
 */
export function takerReleaseEffects(order: IncomingOrder, result: MatchResult): Effects {
  const reserve = reserveFor(order);
  if (!isBuy(order.intent)) {
    const free = reserve.shares - result.filledQty - result.rested;
    if (free < 0) throw new EffectsError(`order ${order.id}: filled + rested exceed the offered shares`);
    return lock(order.userId, { kop: kop(0), shares: free, outcome: reserve.outcome }, -1);
  }
  let spent = 0;
  for (const f of result.fills) spent += ownPrice(order.intent, f.price) * f.qty + f.takerFee;
  const keep = ownPrice(order.intent, order.limitPrice) * result.rested;
  const free = reserve.kop - spent - keep;
  if (free < 0) throw new EffectsError(`order ${order.id}: fills and rest need ${spent + keep} kop, reserved ${reserve.kop}`);
  return lock(order.userId, { kop: kop(free), shares: 0, outcome: reserve.outcome }, -1);
}
