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
import { fillEffects } from './effects';
import { ownPrice, sideOf } from './intent';
import { match } from './match';
import { quote, type MakerInventory, type MakerParams, type Quote } from './maker';
import type { Fill, IncomingOrder, MatchResult, RestingOrder } from './types';

/** A maker in a book: how it quotes, what it holds now (updated by every fill), and where its order ids come from. */
export interface MakerSim {
  params: MakerParams;
  inv: MakerInventory;
  /** A fresh order id (and seq) for a new maker order. */
  nextId: () => number;
}

/** One step of what happened, in order, for the ledger and the order rows. */
export type MakerStep =
  /** A fill of the incoming order; `makerLeft` is the resting order's remaining right after it. */
  | { kind: 'fill'; fill: Fill; makerLeft: number }
  /** A maker order taken out of the book by a requote. */
  | { kind: 'maker_cancel'; order: RestingOrder }
  /** A maker order placed by a requote (it may fill against a crossing user order first). */
  | { kind: 'maker_place'; order: IncomingOrder; result: MatchResult; makerLeft: number[] };

/** Most requote rounds per call; each round that trades consumes a user order, so this is never reached in practice. */
const MAX_ROUNDS = 1_000;

/** Applies a fill's money and shares to the maker's inventory (cash = available + reserved). */
export function applyFillToMaker(inv: MakerInventory, f: Fill, makerUserId: number): void {
  if (f.makerUserId !== makerUserId && f.takerUserId !== makerUserId) return;
  const e = fillEffects(f);
  const mine = (a: { kind: string; userId?: number }) =>
    (a.kind === 'available' || a.kind === 'reserved') && a.userId === makerUserId;
  for (const m of e.moves) {
    if (mine(m.from as { kind: string; userId?: number })) inv.cashKop -= m.amount;
    if (mine(m.to as { kind: string; userId?: number })) inv.cashKop += m.amount;
  }
  for (const s of e.shares) {
    if (s.userId !== makerUserId) continue;
    if (s.outcome === 'YES') inv.yes += s.held + s.reserved;
    else inv.no += s.held + s.reserved;
  }
}

const quoteKey = (q: { intent: string; price: number; qty: number }) => `${q.intent}:${q.price}:${q.qty}`;

/** The maker's resting orders in the book. */
export function makerOrders(book: OrderBook, makerUserId: number): RestingOrder[] {
  return book.orders().filter((o) => o.userId === makerUserId);
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
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const want = new Map<string, Quote[]>();
    for (const q of quote(sim.params, sim.inv)) {
      const key = quoteKey(q);
      want.set(key, [...(want.get(key) ?? []), q]);
    }
    for (const o of makerOrders(book, userId)) {
      const same = want.get(quoteKey({ intent: o.intent, price: o.price, qty: o.remaining }));
      if (same && same.length > 0) {
        same.pop();
        continue;
      }
      book.cancel(o.id);
      steps.push({ kind: 'maker_cancel', order: o });
    }
    const missing = [...want.values()].flat();
    // Sells before buys: they need no money, and the book reads the same whatever the order.
    let traded = false;
    for (const q of missing) {
      const id = sim.nextId();
      const order: IncomingOrder = {
        id, userId, intent: q.intent, limitPrice: q.price, qty: q.qty, tif: 'GTC', postOnly: false,
        expiresAt: null, takerFeeBps: 0, seq: id,
      };
      const result = match(book, order, nowMs);
      const makerLeft = result.fills.map((f) => book.get(f.makerOrderId)?.remaining ?? 0);
      steps.push({ kind: 'maker_place', order, result, makerLeft });
      for (const f of result.fills) applyFillToMaker(sim.inv, f, userId);
      if (result.fills.length > 0) traded = true;
    }
    if (!traded) return;
  }
  throw new Error(`maker ${userId}: requote did not settle`);
}

/** The farthest price of the maker's quotes on a side of the book, or null when it quotes none there. */
function windowEdge(book: OrderBook, makerUserId: number, side: 'bid' | 'ask'): number | null {
  let edge: number | null = null;
  for (const o of makerOrders(book, makerUserId)) {
    if (sideOf(o.intent) !== side) continue;
    if (edge === null || (side === 'ask' ? o.price > edge : o.price < edge)) edge = o.price;
  }
  return edge;
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
    const trial = { ...sim, inv: { ...sim.inv } };
    let n = 0;
    const probe = phases(book.clone(), { ...o, tif: 'IOC' }, nowMs, { ...trial, nextId: () => --n }, []);
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
    const edge = windowEdge(book, makerId, takerSide === 'bid' ? 'ask' : 'bid');
    const capped = edge !== null && (takerSide === 'bid' ? edge < o.limitPrice : edge > o.limitPrice);
    const leftQty = o.qty === undefined ? undefined : o.qty - merged.filledQty;
    const part: IncomingOrder = {
      ...o,
      limitPrice: capped ? edge : o.limitPrice,
      qty: leftQty,
      // A capped phase must not rest: the order goes on after the maker requotes.
      tif: capped ? 'IOC' : o.tif,
      priorNotionalKop: kop(notional),
    };
    const r = match(book, part, nowMs);
    if (r.rejected !== undefined) {
      // Rejected as a whole only when nothing filled yet; a later phase that finds nothing ends the order.
      if (merged.fills.length === 0) return r;
      break;
    }
    for (const f of r.fills) {
      steps.push({ kind: 'fill', fill: f, makerLeft: book.get(f.makerOrderId)?.remaining ?? 0 });
      applyFillToMaker(sim.inv, f, makerId);
      notional += f.qty * ownPrice(o.intent, f.price);
    }
    merged.fills.push(...r.fills);
    merged.selfTradeCancelled.push(...r.selfTradeCancelled);
    merged.expired.push(...r.expired);
    merged.filledQty += r.filledQty;
    merged.rested = r.rested;
    requote(book, sim, nowMs, steps);
    if (!capped || r.filledQty === 0 || (leftQty !== undefined && r.filledQty === leftQty)) break;
  }
  return merged;
}
