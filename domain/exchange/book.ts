/**
 * The in-memory order book of one market, in YES prices (DESIGN §2). Pure, no I/O.
 *
 * Prices are only 1..99, so each side is a plain array of 100 price levels indexed by price; a
 * level is a doubly linked FIFO queue (O(1) append, O(1) cancel from the middle) and an id map
 * finds any order's node. Best bid / best ask are cached and re-found by a short scan (at most
 * 99 steps) only when the best level empties. Matching lives in match.ts; this file only stores.
 */
import type { Price, Shares } from '../money';
import { sideOf } from './intent';
import type { BookLevel, BookSide, Intent, RestingOrder } from './types';

/** Thrown on a programming error (duplicate id, bad price/qty): the book only takes validated orders. */
export class BookError extends Error {}

/**
 * A resting order's place in its level queue. Exported for match.ts and maker-match.ts only (not
 * re-exported from the package index); everyone else sees copies of {@link RestingOrder}.
 */
export interface BookNode {
  readonly order: RestingOrder;
  readonly side: BookSide;
  prev: BookNode | null;
  next: BookNode | null;
  /** True from insertion until {@link OrderBook.remove}; a removed node never comes back. */
  inBook: boolean;
}

interface Level {
  head: BookNode | null;
  tail: BookNode | null;
  qty: Shares;
  count: number;
}

const MIN_PRICE = 1;
const MAX_PRICE = 99;
/** Sentinels for an empty side: no bid is below 1, no ask above 99. */
const NO_BID = MIN_PRICE - 1;
const NO_ASK = MAX_PRICE + 1;

function emptyLevels(): Level[] {
  const levels: Level[] = [];
  for (let p = 0; p <= NO_ASK; p++) levels.push({ head: null, tail: null, qty: 0, count: 0 });
  return levels;
}

const INTENT_CODE: Record<Intent, number> = { BUY_YES: 1, SELL_YES: 2, BUY_NO: 3, SELL_NO: 4 };

/** Time priority within a price level: lower seq first, id breaks ties so the order is total. */
function before(a: RestingOrder, b: RestingOrder): boolean {
  return a.seq < b.seq || (a.seq === b.seq && a.id < b.id);
}

/** A step of 32-bit FNV-1a over one integer's decimal digits and a separator; the hash is not security-relevant. */
function fnvMix(h: number, n: number): number {
  const s = String(n);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0x2c, 0x01000193);
}

export class OrderBook {
  private readonly bids = emptyLevels();
  private readonly asks = emptyLevels();
  private readonly byId = new Map<number, BookNode>();
  /** GTD orders, so that {@link expireDue} does not scan the whole book. */
  private readonly gtd = new Set<BookNode>();
  private bestBidPrice = NO_BID;
  private bestAskPrice = NO_ASK;

  /** Number of resting orders. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Rests a copy of `order` on its side (from its intent) at `order.price`, in time priority by
   * `seq` (then id). Appending is O(1); an order older than the level's tail (e.g. while a
   * restarted worker reloads orders in any order) is walked back into place, so the resulting
   * book, and its {@link hash}, do not depend on the order of `add` calls.
   * Does NOT match: a caller adding a crossing order gets a crossed book (match() never does).
   * @throws BookError on a duplicate id, a price outside 1..99 or a remaining that is not a whole share ≥ 1.
   */
  add(order: RestingOrder): void {
    if (this.byId.has(order.id)) throw new BookError(`duplicate order id ${order.id}`);
    if (!Number.isInteger(order.price) || order.price < MIN_PRICE || order.price > MAX_PRICE) {
      throw new BookError(`order ${order.id}: price ${order.price} outside 1..99`);
    }
    if (!Number.isSafeInteger(order.remaining) || order.remaining < 1) {
      throw new BookError(`order ${order.id}: remaining ${order.remaining} is not whole shares ≥ 1`);
    }
    this.insert({ ...order });
  }

  /**
   * Rests `order` ITSELF, not a copy, without {@link add}'s checks: for the house maker's new
   * quotes (maker-match.ts), which hand over a fresh object they keep no reference to, with a new
   * id, a price in 1..99 and whole shares ≥ 1 by construction. Saves add's copy on a hot path.
   * Returns its node, so that the maker can keep track of it without looking it up by id.
   */
  adopt(order: RestingOrder): BookNode {
    return this.insert(order);
  }

  /** Links an order object the book owns into its level, the id map and the best prices; returns its node. */
  private insert(order: RestingOrder): BookNode {
    const side = sideOf(order.intent);
    const node: BookNode = { order, side, prev: null, next: null, inBook: true };
    const level = (side === 'bid' ? this.bids : this.asks)[order.price]!;
    let after = level.tail;
    while (after !== null && before(node.order, after.order)) after = after.prev;
    node.prev = after;
    node.next = after === null ? level.head : after.next;
    if (node.next === null) level.tail = node;
    else node.next.prev = node;
    if (after === null) level.head = node;
    else after.next = node;
    level.qty += order.remaining;
    level.count++;
    this.byId.set(order.id, node);
    if (order.expiresAt !== null) this.gtd.add(node);
    if (side === 'bid') {
      if (order.price > this.bestBidPrice) this.bestBidPrice = order.price;
    } else if (order.price < this.bestAskPrice) {
      this.bestAskPrice = order.price;
    }
    return node;
  }

  /** Removes the order; returns it (with its unfilled `remaining`), or null if it is not in the book. */
  cancel(id: number): RestingOrder | null {
    const node = this.byId.get(id);
    if (node === undefined) return null;
    this.remove(node);
    return node.order;
  }

  /** A copy of the resting order with this id, or undefined. */
  get(id: number): RestingOrder | undefined {
    const node = this.byId.get(id);
    return node === undefined ? undefined : { ...node.order };
  }

  /**
   * The resting order with this id itself, not a copy, or undefined: for hot read-only paths
   * (the maker's requote). Never mutate it; it changes as the order fills.
   */
  peek(id: number): Readonly<RestingOrder> | undefined {
    return this.byId.get(id)?.order;
  }

  /** The node of the resting order with this id, or undefined: for maker-match.ts, which keeps its orders' nodes. */
  nodeOf(id: number): BookNode | undefined {
    return this.byId.get(id);
  }

  /** True while `node`, a node of THIS book, still rests in it: an id lookup saved on a hot path. */
  holds(node: BookNode): boolean {
    return node.inBook;
  }

  /** Highest bid price, or null when there are no bids. */
  bestBid(): Price | null {
    return this.bestBidPrice === NO_BID ? null : this.bestBidPrice;
  }

  /** Lowest ask price, or null when there are no asks. */
  bestAsk(): Price | null {
    return this.bestAskPrice === NO_ASK ? null : this.bestAskPrice;
  }

  /** The best `n` price levels of a side, best first, aggregated (total shares, order count). */
  levels(side: BookSide, n: number): BookLevel[] {
    const out: BookLevel[] = [];
    this.forEachLevel(side, (price, level) => {
      if (out.length >= n) return false;
      out.push({ price, qty: level.qty, orders: level.count });
      return true;
    });
    return out;
  }

  /**
   * Copies of all resting orders in a deterministic order: bids best price first, then asks best
   * price first; each level in time priority. This is also the matching priority of each side.
   */
  orders(): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (const side of ['bid', 'ask'] as const) {
      this.forEachLevel(side, (_price, level) => {
        for (let n = level.head; n !== null; n = n.next) out.push({ ...n.order });
        return true;
      });
    }
    return out;
  }

  /**
   * A stable hash of the full state (every field of every order, in {@link orders} order), as
   * 16 hex digits. Equal books give equal hashes however they were built; used to prove that a
   * restarted worker rebuilt the same book.
   */
  hash(): string {
    // Two FNV-1a lanes with different offsets make an accidental collision of two live books
    // (2^-64-ish) irrelevant; this is an equality check, not a security boundary.
    let a = 0x811c9dc5;
    let b = 0x050c5d1f;
    for (const o of this.orders()) {
      for (const n of [o.id, o.userId, o.price, o.remaining, o.seq, o.expiresAt ?? -1]) {
        a = fnvMix(a, n);
        b = fnvMix(b, n);
      }
      a = fnvMix(a, INTENT_CODE[o.intent]);
      b = fnvMix(b, INTENT_CODE[o.intent]);
    }
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }

  /** An independent copy (e.g. to try an order without touching the live book). */
  clone(): OrderBook {
    const copy = new OrderBook();
    for (const o of this.orders()) copy.add(o);
    return copy;
  }

  /**
   * Removes and returns every GTD order with `expiresAt ≤ nowMs`, sorted by (seq, id) so the
   * result does not depend on insertion history. Used by match.ts's `expire`.
   */
  expireDue(nowMs: number): RestingOrder[] {
    const due: BookNode[] = [];
    for (const node of this.gtd) if (node.order.expiresAt! <= nowMs) due.push(node);
    due.sort((x, y) => (before(x.order, y.order) ? -1 : 1));
    for (const node of due) this.remove(node);
    return due.map((n) => n.order);
  }

  /**
   * The first (highest priority) node at a price on a side, or null. For match.ts: it walks the
   * queue via `next` without mutating and commits afterwards with {@link reduce} / {@link remove}.
   */
  head(side: BookSide, price: number): BookNode | null {
    return (side === 'bid' ? this.bids : this.asks)[price]!.head;
  }

  /** Fills `qty` shares of a resting order (match.ts); removes it when nothing remains. */
  reduce(node: BookNode, qty: Shares): void {
    if (qty >= node.order.remaining) {
      this.remove(node);
      return;
    }
    node.order.remaining -= qty;
    (node.side === 'bid' ? this.bids : this.asks)[node.order.price]!.qty -= qty;
  }

  /** Unlinks a node from its level and the maps, and re-finds the best price if its level emptied. */
  remove(node: BookNode): void {
    const price = node.order.price;
    const level = (node.side === 'bid' ? this.bids : this.asks)[price]!;
    if (node.prev === null) level.head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) level.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = null;
    node.next = null;
    node.inBook = false;
    level.qty -= node.order.remaining;
    level.count--;
    this.byId.delete(node.order.id);
    if (node.order.expiresAt !== null) this.gtd.delete(node);
    if (level.count > 0) return;
    if (node.side === 'bid' && price === this.bestBidPrice) {
      let p = price - 1;
      while (p > NO_BID && this.bids[p]!.count === 0) p--;
      this.bestBidPrice = p;
    } else if (node.side === 'ask' && price === this.bestAskPrice) {
      let p = price + 1;
      while (p < NO_ASK && this.asks[p]!.count === 0) p++;
      this.bestAskPrice = p;
    }
  }

  /** Visits a side's non-empty levels best first until `visit` returns false. */
  private forEachLevel(side: BookSide, visit: (price: Price, level: Level) => boolean): void {
    if (side === 'bid') {
      for (let p = this.bestBidPrice; p > NO_BID; p--) {
        const level = this.bids[p]!;
        if (level.count > 0 && !visit(p, level)) return;
      }
    } else {
      for (let p = this.bestAskPrice; p < NO_ASK; p++) {
        const level = this.asks[p]!;
        if (level.count > 0 && !visit(p, level)) return;
      }
    }
  }
}
