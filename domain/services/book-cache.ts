import { LRUCache } from 'lru-cache';
import type { EntityManager } from 'typeorm';
import { OrderBook } from '../exchange';
import type { Intent } from '../exchange/types';
import { int, type DbNumber } from '../read/rows';

/**
 * Rebuilds a market's book from its open orders, in time priority (seq = order id: ids are
 * allocated under the market lock, so their order is the order of arrival).
 */
export async function loadBook(m: EntityManager, marketId: number): Promise<OrderBook> {
  return (await loadBooks(m, [marketId])).get(marketId)!;
}

/** {@link loadBook} of several markets in one statement (every id gets a book, empty if it has no open order). */
export async function loadBooks(m: EntityManager, marketIds: readonly number[]): Promise<Map<number, OrderBook>> {
  const books = new Map(marketIds.map((id) => [id, new OrderBook()]));
  if (marketIds.length === 0) return books;
  const rows: { id: DbNumber; market_id: DbNumber; user_id: DbNumber; intent: Intent; price: number; remaining: number; expires_at: Date | null }[] =
    await m.query(
      `SELECT id, market_id, user_id, intent, price, remaining, expires_at FROM orders
        WHERE market_id = ANY($1::bigint[]) AND status = 'open' ORDER BY id`,
      [marketIds],
    );
  for (const r of rows) {
    const id = int(r.id);
    books.get(int(r.market_id))!.add({
      id,
      userId: int(r.user_id),
      intent: r.intent,
      price: r.price,
      remaining: r.remaining,
      seq: id,
      expiresAt: r.expires_at ? r.expires_at.getTime() : null,
    });
  }
  return books;
}

/** Default most books a worker keeps in memory (issue 13: 10 000 open markets must not mean 10 000 books). */
export const BOOK_CACHE_MAX = 2_000;

/**
 * In-memory books of a matching worker, each valid only at the market's `book_version` it was
 * built or last committed at. Another worker committing to the market bumps the version, so a
 * stale book is never used: it is rebuilt from the database under the market lock.
 *
 * Bounded: at most `max` books, the least recently used dropped first (rebuilt on its next batch,
 * one indexed read of the market's open orders), so memory does not grow with the number of
 * markets; a market whose trading stopped is forgotten at once (`release`).
 */
export class BookCache {
  private readonly books: LRUCache<number, { version: number; book: OrderBook }>;

  /** @param max most books kept (default {@link BOOK_CACHE_MAX}), at least 1. */
  constructor(max = BOOK_CACHE_MAX) {
    this.books = new LRUCache({ max: Math.max(1, max) });
  }

  /** The book at `version`, from memory when current, else rebuilt from the database. */
  async get(m: EntityManager, marketId: number, version: number): Promise<OrderBook> {
    const hit = this.books.get(marketId);
    if (hit && hit.version === version) return hit.book;
    this.books.delete(marketId);
    return loadBook(m, marketId);
  }

  /** {@link get} of several markets (market id → version), the missing books rebuilt in one statement. */
  async getMany(m: EntityManager, versions: ReadonlyMap<number, number>): Promise<Map<number, OrderBook>> {
    const out = new Map<number, OrderBook>();
    const missing: number[] = [];
    for (const [id, version] of versions) {
      const hit = this.books.get(id);
      if (hit && hit.version === version) out.set(id, hit.book);
      else {
        this.books.delete(id);
        missing.push(id);
      }
    }
    for (const [id, book] of await loadBooks(m, missing)) out.set(id, book);
    return out;
  }

  /** Records the book as committed at `version`. */
  commit(marketId: number, version: number, book: OrderBook): void {
    this.books.set(marketId, { version, book });
  }

  /** Forgets a book whose transaction rolled back (matching mutated it in memory). */
  discard(marketId: number): void {
    this.books.delete(marketId);
  }

  /** Forgets the book of a market whose trading stopped (closed, resolved, settled): nothing will match in it. */
  release(marketId: number): void {
    this.books.delete(marketId);
  }

  /** Books held now (tests, metrics). */
  get size(): number {
    return this.books.size;
  }

  /** Whether the book of `marketId` is held (tests). */
  has(marketId: number): boolean {
    return this.books.has(marketId);
  }
}
