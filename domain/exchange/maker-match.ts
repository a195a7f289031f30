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
import type { BookNode, OrderBook } from './book';
import { ownPrice, sideOf } from './intent';
import { match, matchRecordingLeft } from './match';
import {
  FIRST_ASK_CODE, intentCode, newQuoteBuffer, QUOTE_INTENTS, quoteInto, quoteSlot, type MakerInventory, type MakerParams, type QuoteBuffer,
} from './maker';
import type { Fill, IncomingOrder, Intent, MatchResult, RestingOrder } from './types';

/** A maker in a book: how it quotes, what it holds now (updated by every fill), and where its order ids come from. */
export interface MakerSim {
  params: MakerParams;
  inv: MakerInventory;
  /** A fresh order id (and seq) for a new maker order. */
  nextId: () => number;
  /**
   * The maker's orders that may still rest in `book`, as that book's nodes in increasing id order
   * (a superset: filled ones drop out when looked at). Found by one scan of the book when absent,
   * carried over by id when the sim meets another book (a preview's copy), then kept up to date
   * here, so a requote neither scans the whole book nor looks each of its orders up by id.
   */
  resting?: { book: OrderBook; nodes: BookNode[] };
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

/**
 * Scratch for {@link requote}: the shares wanted per {@link quoteSlot} (0: none; KEPT: a resting
 * order already is that quote). Always all 0 between calls; requote is synchronous and never re-entered.
 */
const wantScratch = new Float64Array(400);
const KEPT = -1;
/** Scratch for {@link requote}: the quote of the current round. */
const wantedScratch: QuoteBuffer = newQuoteBuffer();
/**
 * Scratch for the makers' remaining after a match ({@link matchRecordingLeft}): one for the taker's
 * phases, one for a requote's crossing quotes, since a phase's requote runs before the phase is done with its own.
 */
const phaseLeft: number[] = [];
const quoteLeft: number[] = [];

/** The maker's resting orders in the book, in id order (copies). */
export function makerOrders(book: OrderBook, makerUserId: number, sim?: MakerSim): RestingOrder[] {
  if (sim === undefined) return book.orders().filter((o) => o.userId === makerUserId).sort((a, b) => a.id - b.id);
  const nodes = makerNodes(book, sim);
  const out: RestingOrder[] = [];
  let n = 0;
  for (let i = 0; i < nodes.length; i++) {
    const node = liveNode(book, nodes[i]!);
    if (node === undefined) continue;
    nodes[n++] = node;
    out.push({ ...node.order });
  }
  truncate(nodes, n);
  return out;
}

/**
 * The sim's list of possibly resting order nodes in `book`, found by one scan of the book when
 * absent. A list made for another book is carried over by id (each id looked up in `book`), as
 * the scans below would look it up.
 */
function makerNodes(book: OrderBook, sim: MakerSim): BookNode[] {
  const known = sim.resting;
  if (known !== undefined && known.book === book) return known.nodes;
  // Ids come in increasing order: first from the sorted scan, then from nextId.
  const ids = known === undefined ? makerOrders(book, sim.params.userId).map((o) => o.id) : known.nodes.map((n) => n.order.id);
  const nodes: BookNode[] = [];
  for (const id of ids) {
    const node = book.nodeOf(id);
    if (node !== undefined) nodes.push(node);
  }
  sim.resting = { book, nodes };
  return nodes;
}

/**
 * The node resting in `book` under the id of a listed node, or undefined: the listed node itself
 * while the book holds it (the usual case, no id lookup), else whatever the book has under its id.
 */
function liveNode(book: OrderBook, node: BookNode): BookNode | undefined {
  return book.holds(node) ? node : book.nodeOf(node.order.id);
}

/** Shortens a list to its first `n` entries; pop() stays in compiled code where assigning `length` calls the runtime. */
function truncate(list: unknown[], n: number): void {
  while (list.length > n) list.pop();
}

/**
 * Brings the maker's resting orders in line with `quote(params, inv)`: keeps the orders that
 * already match a wanted quote (same intent, price, shares), cancels the others and places the
 * missing ones. A new quote that crosses a user's resting order trades with it first, as a taker
 * without fee, at the user's price (never worse than the quote); then the maker requotes again.
 * Ends with the maker's orders equal to the quote of its final inventory. Mutates book and `sim.inv`.
 */
export function requote(book: OrderBook, sim: MakerSim, nowMs: number, steps: MakerStep[]): void {
  const want = wantScratch;
  const wanted = wantedScratch;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    quoteInto(sim.params, sim.inv, wanted);
    // A quote holds each (intent, price) at most once (asks are at prices above every bid), so
    // a slot per (intent, price) holding the wanted shares says which resting orders to keep.
    for (let i = 0; i < wanted.n; i++) want[quoteSlot(wanted.intent[i]!, wanted.price[i]!)] = wanted.qty[i]!;
    const nodes = cancelUnwanted(book, sim, steps);
    if (!placeMissing(book, sim, nowMs, nodes, steps)) {
      sim.edges = { bid: wanted.bidEdge, ask: wanted.askEdge };
      return;
    }
  }
  throw new Error(`maker ${sim.params.userId}: requote did not settle`);
}

/**
 * Keeps each resting maker order that is a wanted quote (marking its slot KEPT) and cancels the
 * others, in id order. Returns the sim's list of nodes, now exactly the kept ones, still in id order.
 */
function cancelUnwanted(book: OrderBook, sim: MakerSim, steps: MakerStep[]): BookNode[] {
  const want = wantScratch;
  const nodes = makerNodes(book, sim);
  let n = 0;
  for (let i = 0; i < nodes.length; i++) {
    const node = liveNode(book, nodes[i]!);
    if (node === undefined) continue;
    const o = node.order;
    const slot = quoteSlot(intentCode(o.intent), o.price);
    if (want[slot] === o.remaining) {
      want[slot] = KEPT;
      // Most nodes stay where they are: a store only when one moves (each store of a node is a write barrier).
      if (nodes[n] !== node) nodes[n] = node;
      n++;
      continue;
    }
    // Out of the book the order no longer changes: it is the cancelled order as it was.
    book.remove(node);
    steps.push({ kind: 'maker_cancel', order: o });
  }
  truncate(nodes, n);
  return nodes;
}

/**
 * Places the wanted quotes that no kept order already is, in quote order, and clears `want` for
 * the next call. New resting orders join `nodes` (their ids only grow). Returns true when one of
 * them traded, so the inventory and with it the quote changed.
 */
function placeMissing(book: OrderBook, sim: MakerSim, nowMs: number, nodes: BookNode[], steps: MakerStep[]): boolean {
  const want = wantScratch;
  const wanted = wantedScratch;
  const userId = sim.params.userId;
  let traded = false;
  for (let i = 0; i < wanted.n; i++) {
    const code = wanted.intent[i]!;
    const price = wanted.price[i]!;
    const slot = quoteSlot(code, price);
    const kept = want[slot] === KEPT;
    want[slot] = 0;
    if (kept) continue;
    const id = sim.nextId();
    const order: IncomingOrder = {
      id, userId, intent: QUOTE_INTENTS[code]!, limitPrice: price, qty: wanted.qty[i]!, tif: 'GTC', postOnly: false,
      expiresAt: null, takerFeeBps: 0, seq: id,
    };
    if (!crosses(book, code < FIRST_ASK_CODE, price)) {
      nodes.push(rest(book, order));
      steps.push({ kind: 'maker_place', order, result: restResult(order), makerLeft: [] });
      continue;
    }
    const result = matchRecordingLeft(book, order, nowMs, quoteLeft);
    if (result.rested > 0) nodes.push(book.nodeOf(id)!);
    const makerLeft = result.fills.length === 0 ? [] : quoteLeft.slice(0, result.fills.length);
    steps.push({ kind: 'maker_place', order, result, makerLeft });
    for (let k = 0; k < result.fills.length; k++) applyFillToMaker(sim.inv, result.fills[k]!, userId);
    if (result.fills.length > 0) traded = true;
  }
  return traded;
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

/** What match does with an order that crosses nothing: it rests whole. Returns its node. */
function rest(book: OrderBook, o: IncomingOrder): BookNode {
  return book.adopt({ id: o.id, userId: o.userId, intent: o.intent, price: o.limitPrice, remaining: o.qty!, seq: o.seq, expiresAt: null });
}

/** The result match gives an order that crosses nothing (see {@link rest}). */
function restResult(o: IncomingOrder): MatchResult {
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
  // Not sim.edges[side]: a property picked by a variable name is a slower, generic lookup.
  return side === 'bid' ? sim.edges.bid : sim.edges.ask;
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
    const trial = { ...sim, inv: { ...sim.inv }, resting: undefined, edges: undefined };
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

/**
 * The taker's phases (module comment). Returns the merged result: the first phase's own result
 * while there is only one (nothing else holds it), the later phases' lists appended to it.
 */
function phases(book: OrderBook, o: IncomingOrder, nowMs: number, sim: MakerSim, steps: MakerStep[]): MatchResult {
  const makerId = sim.params.userId;
  // One copy of the order for all phases, field by field: one object shape for match, and each of
  // the caller's fields read once (its orders come in many shapes). Each phase then sets what differs.
  const part: IncomingOrder = {
    id: o.id, userId: o.userId, intent: o.intent, limitPrice: o.limitPrice, qty: o.qty, spendKop: o.spendKop,
    tif: o.tif, postOnly: o.postOnly, expiresAt: o.expiresAt, takerFeeBps: o.takerFeeBps, seq: o.seq,
    priorNotionalKop: kop(0),
  };
  const { intent, limitPrice, qty, tif } = part;
  const takerSide = sideOf(intent);
  let merged: MatchResult | null = null;
  let notional = 0;
  for (;;) {
    const edge = windowEdge(book, sim, takerSide === 'bid' ? 'ask' : 'bid');
    const capped = edge !== null && (takerSide === 'bid' ? edge < limitPrice : edge > limitPrice);
    const leftQty = qty === undefined ? undefined : qty - (merged === null ? 0 : merged.filledQty);
    part.limitPrice = capped ? edge : limitPrice;
    part.qty = leftQty;
    // A capped phase must not rest: the order goes on after the maker requotes.
    part.tif = capped ? 'IOC' : tif;
    part.priorNotionalKop = kop(notional);
    const r = matchRecordingLeft(book, part, nowMs, phaseLeft);
    if (r.rejected !== undefined) {
      // Rejected as a whole only when nothing filled yet; a later phase that finds nothing ends the order.
      if (merged === null || merged.fills.length === 0) return r;
      break;
    }
    // Only the maker's own fills change its quote: without one its orders still equal it.
    let makerFilled = false;
    for (let i = 0; i < r.fills.length; i++) {
      const f = r.fills[i]!;
      steps.push({ kind: 'fill', fill: f, makerLeft: phaseLeft[i]! });
      applyFillToMaker(sim.inv, f, makerId);
      notional += f.qty * ownPrice(intent, f.price);
      if (f.makerUserId === makerId) makerFilled = true;
    }
    if (merged === null) merged = r;
    else append(merged, r);
    if (makerFilled) requote(book, sim, nowMs, steps);
    if (!capped || r.filledQty === 0 || (leftQty !== undefined && r.filledQty === leftQty)) break;
  }
  return merged;
}

/** Adds a later phase's result to the merged one: its lists appended, its shares added, its rested part taken. */
function append(merged: MatchResult, r: MatchResult): void {
  for (let i = 0; i < r.fills.length; i++) merged.fills.push(r.fills[i]!);
  for (let i = 0; i < r.selfTradeCancelled.length; i++) merged.selfTradeCancelled.push(r.selfTradeCancelled[i]!);
  for (let i = 0; i < r.expired.length; i++) merged.expired.push(r.expired[i]!);
  merged.filledQty += r.filledQty;
  merged.rested = r.rested;
}
