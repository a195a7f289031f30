/**
 * The house maker in the book (DESIGN §9): keeps the maker's resting orders equal to
 * `quote(params, inventory)` and matches an incoming order so that a taker walking up the ladder
 * meets the next level within the same order. Pure, no I/O: the matching batch and the bet
 * preview call the same {@link matchWithMaker}, so the preview shows what execution then does.
 *
 * A taker order is matched in phases: each phase may not go beyond the maker's farthest quote on
 * the side it takes from (the window edge), and between phases the maker requotes from its new
 * inventory. Everything at or before the edge is taken before anything beyond it, so price-time
 * priority holds across phases; the taker's fees are cumulative over all phases (one ceil for the
 * whole order, as without a maker).
 */
import { kop } from '../money';
import type { OrderBook } from './book';
import { ownPrice, sideOf } from './intent';
import { match } from './match';
import { quoteInto, type MakerInventory, type MakerParams, type QuoteBuffer } from './maker';
import type { Fill, IncomingOrder, Intent, MatchResult, RestingOrder } from './types';

/** A maker in a book: how it quotes, what it holds now (updated by every fill), and where its order ids come from. */
export interface MakerSim {
  params: MakerParams;
  inv: MakerInventory;
  /** A fresh order id (and seq) for a new maker order. */
  nextId: () => number;
  /**
   * Ids of the maker's orders that may still rest in the book, increasing (a superset: filled ones
   * drop out when looked up). Found by one scan of the book when absent, then kept up to date here, so a
   * requote does not scan the whole book.
   */
  orderIds?: number[];
  /** The farthest price the maker quotes on each side (null: none), as its last requote left them. */
  edges?: { bid: number | null; ask: number | null };
}

/** One step of what happened, in order, for the ledger and the order rows. */
export type MakerStep =
  /** A fill of the incoming order; `makerLeft` is the resting order's remaining right after it. */
  | { kind: 'fill'; fill: Fill; makerLeft: number }
  /** A maker order taken out of the book by a requote. */
  | { kind: 'maker_cancel'; order: RestingOrder }
  /** A maker order placed by a requote (it may fill against a crossing user order first). */
  | { kind: 'maker_place'; order: IncomingOrder; result: MatchResult; makerLeft: number[] };

/**
 * First order id of maker orders in a trial run (a preview, a FOK probe): above every real id, so
 * they take the same time priority behind existing orders as the real ones then do.
 */
export const TRIAL_ID_BASE = 2 ** 52;

/** Most requote rounds per call; each round that trades consumes a user order, so this is never reached in practice. */
const MAX_ROUNDS = 1_000;

/**
 * Applies a fill's money and shares to the maker's inventory (cash = available + reserved), from
 * first principles: a buy pays its own price × shares and gains the shares, a sell the reverse;
 * then its rebate (as the resting side) or its fee (as the taker). The same as the ledger gets
 * from effects.fillEffects (the model test checks it).
 */
export function applyFillToMaker(inv: MakerInventory, f: Fill, makerUserId: number): void {
  const asMaker = f.makerUserId === makerUserId;
  if (!asMaker && f.takerUserId !== makerUserId) return;
  const intent = asMaker ? f.makerIntent : f.takerIntent;
  const kop = ownPrice(intent, f.price) * f.qty;
  const buy = intent === 'BUY_YES' || intent === 'BUY_NO';
  inv.cashKop += (buy ? -kop : kop) + (asMaker ? f.makerRebate : -f.takerFee);
  const shares = buy ? f.qty : -f.qty;
  if (intent === 'BUY_YES' || intent === 'SELL_YES') inv.yes += shares;
  else inv.no += shares;
}

/** A slot per (intent, price): a quote has at most one order of each (see {@link requote}). */
const slotOf = (intent: Intent, price: number) =>
  (intent === 'BUY_YES' ? 0 : intent === 'SELL_YES' ? 100 : intent === 'BUY_NO' ? 200 : 300) + price;
/**
 * Scratch for {@link requote}: the shares wanted per slot (0: none; KEPT: a resting order already
 * is that quote). Always all 0 between calls; requote is synchronous and never re-entered.
 */
const wantScratch = new Float64Array(400);
const KEPT = -1;
/** Scratch for {@link requote}: the quote of the current round. */
const wantedScratch: QuoteBuffer = { intent: [], price: [], qty: [], n: 0 };

/** The maker's resting orders in the book, in id order (copies). */
export function makerOrders(book: OrderBook, makerUserId: number, sim?: MakerSim): RestingOrder[] {
  if (sim === undefined) return book.orders().filter((o) => o.userId === makerUserId).sort((a, b) => a.id - b.id);
  const ids = makerIds(book, sim);
  const out: RestingOrder[] = [];
  let n = 0;
  for (let i = 0; i < ids.length; i++) {
    const o = book.peek(ids[i]!);
    if (o === undefined) continue;
    ids[n++] = ids[i]!;
    out.push({ ...o });
  }
  ids.length = n;
  return out;
}

/** The sim's set of possibly resting order ids, found by one scan of the book when absent. */
function makerIds(book: OrderBook, sim: MakerSim): number[] {
  // Ids come in increasing order: first from the sorted scan, then from nextId.
  if (sim.orderIds === undefined) sim.orderIds = makerOrders(book, sim.params.userId).map((o) => o.id);
  return sim.orderIds;
}

/**
 * Brings the maker's resting orders in line with `quote(params, inv)`: keeps the orders that
 * already match a wanted quote (same intent, price, shares), cancels the others and places the
 * missing ones. A new quote that crosses a user's resting order trades with it first, as a taker
 * without fee, at the user's price (never worse than the quote); then the maker requotes again.
 * Ends with the maker's orders equal to the quote of its final inventory. Mutates book and `sim.inv`.
 */
export function requote(book: OrderBook, sim: MakerSim, nowMs: number, steps: MakerStep[]): void {
  const userId = sim.params.userId;
  const want = wantScratch;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const wanted = wantedScratch;
    quoteInto(sim.params, sim.inv, wanted);
    // A quote holds each (intent, price) at most once (asks are at prices above every bid), so
    // a slot per (intent, price) holding the wanted shares says which resting orders to keep.
    for (let i = 0; i < wanted.n; i++) want[slotOf(wanted.intent[i]!, wanted.price[i]!)] = wanted.qty[i]!;
    // Kept ids are compacted to the front, in id order.
    const ids = makerIds(book, sim);
    let n = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const o = book.peek(id);
      if (o === undefined) continue;
      const slot = slotOf(o.intent, o.price);
      if (want[slot] === o.remaining) {
        want[slot] = KEPT;
        ids[n++] = id;
        continue;
      }
      // Out of the book the order no longer changes: it is the cancelled order as it was.
      book.cancel(id);
      steps.push({ kind: 'maker_cancel', order: o as RestingOrder });
    }
    ids.length = n;
    let traded = false;
    let bidEdge: number | null = null;
    let askEdge: number | null = null;
    for (let i = 0; i < wanted.n; i++) {
      const intent = wanted.intent[i]!;
      const price = wanted.price[i]!;
      const bid = sideOf(intent) === 'bid';
      if (bid) bidEdge = bidEdge === null ? price : Math.min(bidEdge, price);
      else askEdge = askEdge === null ? price : Math.max(askEdge, price);
      const slot = slotOf(intent, price);
      const kept = want[slot] === KEPT;
      want[slot] = 0;
      if (kept) continue;
      const id = sim.nextId();
      const order: IncomingOrder = {
        id, userId, intent, limitPrice: price, qty: wanted.qty[i]!, tif: 'GTC', postOnly: false,
        expiresAt: null, takerFeeBps: 0, seq: id,
      };
      const result = crosses(book, bid, price) ? match(book, order, nowMs) : rest(book, order);
      if (result.rested > 0) ids.push(id);
      const makerLeft = result.fills.length === 0 ? [] : result.fills.map((f) => book.peek(f.makerOrderId)?.remaining ?? 0);
      steps.push({ kind: 'maker_place', order, result, makerLeft });
      for (const f of result.fills) applyFillToMaker(sim.inv, f, userId);
      if (result.fills.length > 0) traded = true;
    }
    if (!traded) {
      sim.edges = { bid: bidEdge, ask: askEdge };
      return;
    }
  }
  throw new Error(`maker ${userId}: requote did not settle`);
}

/** True when a quote on a side (bid: true) at a price would meet a resting order on the other side (then it is matched, not just added). */
function crosses(book: OrderBook, bid: boolean, price: number): boolean {
  if (bid) {
    const ask = book.bestAsk();
    return ask !== null && ask <= price;
  }
  const best = book.bestBid();
  return best !== null && best >= price;
}

/** What match does with an order that crosses nothing: it rests whole. */
function rest(book: OrderBook, o: IncomingOrder): MatchResult {
  book.adopt({ id: o.id, userId: o.userId, intent: o.intent, price: o.limitPrice, remaining: o.qty!, seq: o.seq, expiresAt: null });
  return { fills: [], selfTradeCancelled: [], expired: [], rested: o.qty!, filledQty: 0 };
}

/** The farthest price of a set of quotes on each side of the book (null: none on that side). */
function edgesOf(qs: readonly { intent: Intent; price: number }[]): { bid: number | null; ask: number | null } {
  let bid: number | null = null;
  let ask: number | null = null;
  for (const q of qs) {
    if (sideOf(q.intent) === 'bid') bid = bid === null ? q.price : Math.min(bid, q.price);
    else ask = ask === null ? q.price : Math.max(ask, q.price);
  }
  return { bid, ask };
}

/**
 * The farthest price of the maker's quotes on a side of the book, or null when it quotes none
 * there. Only the maker's requotes change its orders between fills of its own, so the edges its
 * last requote left hold until the next one; a fresh sim finds them once in the book.
 */
function windowEdge(book: OrderBook, sim: MakerSim, side: 'bid' | 'ask'): number | null {
  if (sim.edges === undefined) {
    sim.edges = edgesOf(makerOrders(book, sim.params.userId, sim));
  }
  return sim.edges[side];
}

/**
 * Matches an incoming, validated and reserved order with the maker in the book (module comment),
 * then requotes. Without a maker this is exactly {@link match}. Returns the taker's merged result
 * (as match would give it: fills of all phases, rested part from the last) and every step in order.
 * FOK is decided on a copy first, so a FOK that cannot fill completely changes nothing.
 */
export function matchWithMaker(
  book: OrderBook, o: IncomingOrder, nowMs: number, sim: MakerSim | null,
): { result: MatchResult; steps: MakerStep[] } {
  const steps: MakerStep[] = [];
  if (sim === null) {
    const result = match(book, o, nowMs);
    for (let i = 0; i < result.fills.length; i++) steps.push({ kind: 'fill', fill: result.fills[i]!, makerLeft: 0 });
    return { result, steps: fillsWithLeft(book, steps) };
  }
  if (o.tif === 'FOK') {
    const trial = { ...sim, inv: { ...sim.inv }, orderIds: undefined, edges: undefined };
    let n = TRIAL_ID_BASE;
    const probe = phases(book.clone(), { ...o, tif: 'IOC' }, nowMs, { ...trial, nextId: () => n++ }, []);
    if (probe.filledQty < (o.qty ?? 0)) {
      return { result: { fills: [], selfTradeCancelled: [], expired: [], rested: 0, filledQty: 0, rejected: 'fok_not_fillable' }, steps };
    }
  }
  const result = phases(book, o, nowMs, sim, steps);
  return { result, steps };
}

function fillsWithLeft(book: OrderBook, steps: MakerStep[]): MakerStep[] {
  for (const s of steps) if (s.kind === 'fill') s.makerLeft = book.get(s.fill.makerOrderId)?.remaining ?? 0;
  return steps;
}

function phases(book: OrderBook, o: IncomingOrder, nowMs: number, sim: MakerSim, steps: MakerStep[]): MatchResult {
  const makerId = sim.params.userId;
  const takerSide = sideOf(o.intent);
  const merged: MatchResult = { fills: [], selfTradeCancelled: [], expired: [], rested: 0, filledQty: 0 };
  let notional = 0;
  for (;;) {
    const edge = windowEdge(book, sim, takerSide === 'bid' ? 'ask' : 'bid');
    const capped = edge !== null && (takerSide === 'bid' ? edge < o.limitPrice : edge > o.limitPrice);
    const leftQty = o.qty === undefined ? undefined : o.qty - merged.filledQty;
    // Field by field rather than a spread: one object shape, and this runs once per phase.
    const part: IncomingOrder = {
      id: o.id, userId: o.userId, intent: o.intent,
      limitPrice: capped ? edge : o.limitPrice,
      qty: leftQty, spendKop: o.spendKop,
      // A capped phase must not rest: the order goes on after the maker requotes.
      tif: capped ? 'IOC' : o.tif,
      postOnly: o.postOnly, expiresAt: o.expiresAt, takerFeeBps: o.takerFeeBps, seq: o.seq,
      priorNotionalKop: kop(notional),
    };
    const r = match(book, part, nowMs);
    if (r.rejected !== undefined) {
      // Rejected as a whole only when nothing filled yet; a later phase that finds nothing ends the order.
      if (merged.fills.length === 0) return r;
      break;
    }
    for (const f of r.fills) {
      steps.push({ kind: 'fill', fill: f, makerLeft: book.peek(f.makerOrderId)?.remaining ?? 0 });
      applyFillToMaker(sim.inv, f, makerId);
      notional += f.qty * ownPrice(o.intent, f.price);
    }
    merged.fills.push(...r.fills);
    merged.selfTradeCancelled.push(...r.selfTradeCancelled);
    merged.expired.push(...r.expired);
    merged.filledQty += r.filledQty;
    merged.rested = r.rested;
    // Only the maker's own fills change its quote: without one its orders still equal it.
    let makerFilled = false;
    for (let i = 0; i < r.fills.length; i++) if (r.fills[i]!.makerUserId === makerId) makerFilled = true;
    if (makerFilled) requote(book, sim, nowMs, steps);
    if (!capped || r.filledQty === 0 || (leftQty !== undefined && r.filledQty === leftQty)) break;
  }
  return merged;
}
