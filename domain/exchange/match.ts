/**
 * The matching rules (DESIGN §2): price-time priority, fills at the maker's price, the four fill
 * kinds, time in force (GTC, GTD, IOC, FOK), post-only, "spend X ₽" market buys, self-trade
 * prevention, lazy expiry of GTD makers, and per-fill cumulative taker fees / maker rebates.
 *
 * Matching is split in two so that the bet preview and the real match can never disagree:
 * {@link planMatch} walks the book WITHOUT changing it and decides everything; {@link match}
 * commits a plan. preview.ts summarises the same plan.
 */
import { floorDiv, kop, type Kop } from '../money';
import type { BookNode, OrderBook } from './book';
import { cumulativeFee, makerRebate, maxNotionalForSpend } from './fees';
import { fillKind, ownPrice, sideOf } from './intent';
import type { Fill, IncomingOrder, MatchResult, RejectCode, RestingOrder } from './types';

/** Thrown on a malformed incoming order: a programming error, since validateOrder runs first. */
export class MatchError extends Error {}

/** Everything one incoming order would do to the book, decided before anything changes. */
export interface MatchPlan {
  /** Fills in execution order. */
  fills: Fill[];
  /** The maker node of each fill (same index as `fills`). */
  makers: BookNode[];
  /** Same-user makers met on the way: cancelled by self-trade prevention. */
  selfTrade: BookNode[];
  /** Expired GTD makers met on the way: removed. */
  expired: BookNode[];
  filledQty: number;
  /** Σ of the taker's own notional over the fills (kop, before fees). */
  notionalKop: Kop;
  /** Σ of the taker fees over the fills (kop) = ceil(notionalKop × bps / 10 000). */
  feeKop: Kop;
  /** Shares that would rest in the book afterwards (GTC/GTD limit orders only). */
  restQty: number;
  /** Set when the order is rejected as a whole: then nothing above is applied. */
  rejected?: RejectCode;
}

/** True when a GTD order is no longer live at `nowMs` (expiry is inclusive: at expiresAt it is gone). */
export function isExpired(order: RestingOrder, nowMs: number): boolean {
  return order.expiresAt !== null && order.expiresAt <= nowMs;
}

/** True when the order may leave a remainder in the book: a limit GTC/GTD order (never a spend-X order). */
function canRest(o: IncomingOrder): boolean {
  return o.spendKop === undefined && (o.tif === 'GTC' || o.tif === 'GTD');
}

function rejectedPlan(code: RejectCode): MatchPlan {
  return {
    fills: [], makers: [], selfTrade: [], expired: [],
    filledQty: 0, notionalKop: kop(0), feeKop: kop(0), restQty: 0, rejected: code,
  };
}

/**
 * Walks the opposite side from its best price towards `o.limitPrice` in price-time priority and
 * decides what `o` would do at `nowMs`, without changing the book. Rules (DESIGN §2):
 * - an expired GTD maker is skipped and listed for removal;
 * - post-only: the first live maker in reach (the user's own included, because cancelling it
 *   would change the book) rejects the order with `post_only_would_cross`;
 * - a maker of the same user is skipped and listed for cancellation (self-trade prevention);
 * - otherwise fill min(maker remaining, what the taker still wants) at the MAKER's price; a
 *   spend-X order wants whatever its kop budget still pays for, fees included, and stops at the
 *   first maker it cannot afford one share of (later makers only cost more);
 * - FOK that cannot fill completely → `fok_not_fillable`; an order that cannot rest and filled
 *   nothing (IOC, spend-X) → `no_liquidity`. Rejected plans leave the book exactly as it was.
 * @throws MatchError if the order sets neither or both of `qty` / `spendKop` (validateOrder prevents it).
 */
export function planMatch(book: OrderBook, o: IncomingOrder, nowMs: number): MatchPlan {
  const isSpend = o.spendKop !== undefined;
  if (isSpend === (o.qty !== undefined)) throw new MatchError(`order ${o.id}: exactly one of qty / spendKop must be set`);
  const takerSide = sideOf(o.intent);
  const makerSide = takerSide === 'bid' ? 'ask' : 'bid';
  const step = takerSide === 'bid' ? 1 : -1;
  const want = isSpend ? Number.MAX_SAFE_INTEGER : o.qty!;
  const budget = isSpend ? maxNotionalForSpend(o.spendKop!, o.takerFeeBps) : 0;

  const fills: Fill[] = [];
  const makers: BookNode[] = [];
  const selfTrade: BookNode[] = [];
  const expired: BookNode[] = [];
  let filled = 0;
  // A phase of a longer order (maker-match.ts) goes on from what the earlier phases filled.
  const prior = o.priorNotionalKop ?? 0;
  let notional = prior;
  let fees = 0;

  let price = takerSide === 'bid' ? book.bestAsk() : book.bestBid();
  // The 1..99 bound keeps the walk inside the book even for a limit outside 1..99 (validateOrder rejects those).
  walk: while (price !== null && price >= 1 && price <= 99 && (takerSide === 'bid' ? price <= o.limitPrice : price >= o.limitPrice)) {
    const takerPrice = ownPrice(o.intent, price);
    for (let node = book.head(makerSide, price); node !== null; node = node.next) {
      const m = node.order;
      if (isExpired(m, nowMs)) {
        expired.push(node);
        continue;
      }
      if (o.postOnly) return rejectedPlan('post_only_would_cross');
      if (m.userId === o.userId) {
        selfTrade.push(node);
        continue;
      }
      let qty = Math.min(m.remaining, want - filled);
      if (isSpend) qty = Math.min(qty, floorDiv(budget - notional, takerPrice));
      if (qty === 0) break walk;
      const takerNotional = takerPrice * qty;
      const fee = cumulativeFee(notional, takerNotional, o.takerFeeBps);
      fills.push({
        makerOrderId: m.id,
        makerUserId: m.userId,
        makerIntent: m.intent,
        takerOrderId: o.id,
        takerUserId: o.userId,
        takerIntent: o.intent,
        price,
        qty,
        kind: takerSide === 'bid' ? fillKind(o.intent, m.intent) : fillKind(m.intent, o.intent),
        takerFee: fee,
        makerRebate: makerRebate(ownPrice(m.intent, price) * qty),
      });
      makers.push(node);
      filled += qty;
      notional += takerNotional;
      fees += fee;
      if (filled === want) break walk;
    }
    price += step;
  }

  if (o.tif === 'FOK' && filled < want) return rejectedPlan('fok_not_fillable');
  const rests = canRest(o);
  if (!rests && filled === 0) return rejectedPlan('no_liquidity');
  return {
    fills, makers, selfTrade, expired,
    filledQty: filled, notionalKop: kop(notional - prior), feeKop: kop(fees),
    restQty: rests ? want - filled : 0,
  };
}

/**
 * Matches an incoming, already validated and reserved order against the book at `nowMs`
 * (DESIGN §2) and mutates the book accordingly: expired and self-trade makers are removed, filled
 * makers reduced or removed, and a GTC/GTD remainder rests at `o.limitPrice` with `o.seq`.
 * A rejected order (`result.rejected`) leaves the book unchanged. Deterministic: same book, same
 * order, same `nowMs` → same result. Money effects: see effects.ts.
 * @throws MatchError if the order sets neither or both of `qty` / `spendKop`.
 */
export function match(book: OrderBook, o: IncomingOrder, nowMs: number): MatchResult {
  return commit(book, o, planMatch(book, o, nowMs), null);
}

/**
 * {@link match}, also writing `left[i]` = the shares the maker order of fill i has left right after
 * the match (0: filled and gone), i.e. what `book.peek(makerOrderId)?.remaining ?? 0` then says.
 * For maker-match.ts, which records that with every fill: this saves looking each order up again.
 */
export function matchRecordingLeft(book: OrderBook, o: IncomingOrder, nowMs: number, left: number[]): MatchResult {
  return commit(book, o, planMatch(book, o, nowMs), left);
}

/** Applies a plan to the book (see {@link match}); `left`, when given, gets each fill's maker remaining after it. */
function commit(book: OrderBook, o: IncomingOrder, plan: MatchPlan, left: number[] | null): MatchResult {
  if (plan.rejected !== undefined) {
    return { fills: [], selfTradeCancelled: [], expired: [], rested: 0, filledQty: 0, rejected: plan.rejected };
  }
  for (const node of plan.expired) book.remove(node);
  for (const node of plan.selfTrade) book.remove(node);
  for (let i = 0; i < plan.fills.length; i++) {
    const node = plan.makers[i]!;
    const qty = plan.fills[i]!.qty;
    // A plan never fills more than a maker has (its node appears once), so this is ≥ 0, and 0 exactly when reduce removes it.
    if (left !== null) left[i] = node.order.remaining - qty;
    book.reduce(node, qty);
  }
  if (plan.restQty > 0) {
    book.add({
      id: o.id,
      userId: o.userId,
      intent: o.intent,
      price: o.limitPrice,
      remaining: plan.restQty,
      seq: o.seq,
      expiresAt: o.tif === 'GTD' ? o.expiresAt : null,
    });
  }
  return {
    fills: plan.fills,
    selfTradeCancelled: plan.selfTrade.map((n) => n.order),
    expired: plan.expired.map((n) => n.order),
    rested: plan.restQty,
    filledQty: plan.filledQty,
  };
}

/**
 * Removes every resting GTD order with `expiresAt ≤ nowMs` (DESIGN §2 "expired resting orders are
 * removed") and returns them sorted by (seq, id); release their reserves with `cancelEffects`.
 */
export function expire(book: OrderBook, nowMs: number): RestingOrder[] {
  return book.expireDue(nowMs);
}
