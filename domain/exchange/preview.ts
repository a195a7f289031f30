/**
 * The bet preview (DESIGN §2): what an order would do if placed now. It summarises the same
 * {@link planMatch} that {@link match} commits, so the preview shows exactly the fills, fee and
 * remainder the real match then produces on the same book (tested in exchange.preview.test.ts).
 */
import { kop, SHARE_PAYOUT, type Kop, type Price, type Shares } from '../money';
import type { OrderBook } from './book';
import { isBuy, ownPrice } from './intent';
import { planMatch, type MatchPlan } from './match';
import { matchWithMaker, TRIAL_ID_BASE, type MakerSim } from './maker-match';
import type { IncomingOrder, RejectCode } from './types';

/** The user-chosen part of an order that decides its matching (STP needs the user). */
export type PreviewInput = Pick<IncomingOrder, 'userId' | 'intent' | 'limitPrice' | 'qty' | 'spendKop' | 'tif' | 'postOnly'>;

/** All amounts in kop, prices 1..99, shares whole. */
export interface OrderPreview {
  /** Shares that would fill now. */
  filledQty: Shares;
  /** Σ fill notional in the user's own terms (kop paid by a buy / received by a sell), before fees. */
  notionalKop: Kop;
  /** Average own-terms price as a rational: `kop / shares` kop per share (null when nothing fills). */
  avgPrice: { kop: Kop; shares: Shares } | null;
  /** The taker fee match would charge: ceil(notionalKop × takerBps / 10 000). */
  feeKop: Kop;
  /** Buys: notional + fee (what leaves the wallet now). Sells: notional − fee (what arrives). */
  totalKop: Kop;
  /** Buys: 100 × filledQty, what the bought shares pay if their outcome wins. Sells: 0. */
  maxPayoutKop: Kop;
  /** Shares that would rest in the book at the limit price. */
  restQty: Shares;
  /** Kop the resting part of a buy keeps reserved (ownPrice(limit) × restQty; 0 for sells). */
  restReserveKop: Kop;
  /** YES-book price of the last (worst) fill, null when nothing fills; `ownPrice(intent, p)` gives the user's price. */
  worstPrice: Price | null;
  /** How many of the user's own resting orders would be cancelled by self-trade prevention. */
  selfTradeCancels: number;
  /** Set when match would reject the order; then nothing fills and nothing rests. */
  rejected?: RejectCode;
}

/**
 * Previews `order` against `book` at `nowMs` with the user's taker rate `takerBps` (from
 * fees.takerFeeBps). Does not change the book. Assumes a valid order (limits.validateOrder).
 */
export function previewOrder(
  book: OrderBook, order: PreviewInput, takerBps: number, nowMs: number, maker: MakerSim | null = null,
): OrderPreview {
  const incoming: IncomingOrder = { ...order, id: 0, seq: 0, expiresAt: null, takerFeeBps: takerBps };
  const plan = maker === null ? planMatch(book, incoming, nowMs) : planWithMaker(book, incoming, nowMs, maker);
  const buy = isBuy(order.intent);
  const last = plan.fills[plan.fills.length - 1];
  const preview: OrderPreview = {
    filledQty: plan.filledQty,
    notionalKop: plan.notionalKop,
    avgPrice: plan.filledQty > 0 ? { kop: plan.notionalKop, shares: plan.filledQty } : null,
    feeKop: plan.feeKop,
    totalKop: kop(buy ? plan.notionalKop + plan.feeKop : plan.notionalKop - plan.feeKop),
    maxPayoutKop: kop(buy ? SHARE_PAYOUT * plan.filledQty : 0),
    restQty: plan.restQty,
    restReserveKop: kop(buy ? ownPrice(order.intent, order.limitPrice) * plan.restQty : 0),
    worstPrice: last === undefined ? null : last.price,
    selfTradeCancels: plan.selfTrade.length,
  };
  if (plan.rejected !== undefined) preview.rejected = plan.rejected;
  return preview;
}

/**
 * What {@link matchWithMaker} does with `o`, run on copies of the book and the maker (the same
 * function the matching batch runs), summarised as a plan. Maker order ids here start at
 * TRIAL_ID_BASE (behind every real order, as the real ones will be) and never reach the database.
 */
function planWithMaker(book: OrderBook, o: IncomingOrder, nowMs: number, maker: MakerSim): Pick<MatchPlan, 'fills' | 'filledQty' | 'notionalKop' | 'feeKop' | 'restQty' | 'rejected'> & { selfTrade: unknown[] } {
  let n = TRIAL_ID_BASE;
  // The copy's list of orders is made for `book`: on the clone it is carried over by id (maker-match.ts).
  const copy: MakerSim = { ...maker, inv: { ...maker.inv }, nextId: () => n++, resting: maker.resting && { ...maker.resting, nodes: [...maker.resting.nodes] } };
  const { result } = matchWithMaker(book.clone(), o, nowMs, copy);
  let notional = 0;
  let fee = 0;
  for (const f of result.fills) {
    notional += ownPrice(o.intent, f.price) * f.qty;
    fee += f.takerFee;
  }
  const plan = {
    fills: result.fills, filledQty: result.filledQty, notionalKop: kop(notional), feeKop: kop(fee),
    restQty: result.rested, selfTrade: result.selfTradeCancelled,
  };
  return result.rejected === undefined ? plan : { ...plan, rejected: result.rejected };
}
