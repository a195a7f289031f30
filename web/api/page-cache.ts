/**
 * Reads of the Mini App API kept briefly in memory, so a hundred open pages do not each run the
 * same queries (issue 10's benchmark: market page p95 ≤ 50 ms with 100 users).
 *
 * - Market pages (the same for every viewer), per market and timeframe, until that market's next
 *   committed batch — the matching worker's announcement on marketEventsChannel bumps the market's
 *   generation before the live streams hear of it (live.ts).
 * - Portfolios, per user and page, until any batch commits anywhere (a fill of a resting order
 *   may be in a market the cached page does not show yet) or the user's own place/cancel returns.
 * - Either at most `ttlMs` old, which bounds staleness for changes no batch announces (a deadline
 *   passing, a resolution, a deposit).
 * - Signed-in callers (Telegram id → user id and language) for `CALLER_TTL_MS`: a user row is never
 *   deleted, so the only staleness is a language switch seen up to that much later.
 *
 * Concurrent misses of one key share one load (lru-cache `fetch`).
 */
import { LRUCache } from 'lru-cache';

/** How long a page may be served without an announcement, ms. */
export const PAGE_TTL_MS = 1_000;
/** How long a caller lookup is reused, ms. */
export const CALLER_TTL_MS = 10_000;

/** How a missing page is made (lru-cache's fetch context). */
interface Loader {
  load(): Promise<string | undefined>;
}

/**
 * Serialized pages per (scope, part): `scope` is what an announcement names (a market id, a user
 * id), `part` what else the page depends on (timeframe, page number). A load that returns
 * undefined (no page to show) is not kept.
 */
export class PageCache {
  // Kept as UTF-8 bytes: every hit is written to the socket as is, without encoding the string again.
  private readonly pages: LRUCache<string, Buffer, Loader>;
  /**
   * The generation of each recently bumped scope, bounded (issue 13: 10 000 markets and their
   * traders must not grow it without end). Generations come from one clock that only goes up; a
   * scope not held (never bumped, or dropped) is at `floor`, which moves past the clock whenever a
   * scope is dropped, so a dropped scope never comes back to a generation its old pages are under.
   */
  private readonly scopes: LRUCache<number, number>;
  private clock = 0;
  private floor = 0;
  private all = 0;

  /** @param scopesMax most scope generations held (default `max`). */
  constructor(ttlMs = PAGE_TTL_MS, max = 20_000, scopesMax = max) {
    this.scopes = new LRUCache<number, number>({
      max: scopesMax, dispose: (_gen, _scope, reason) => {
        if (reason === 'evict') this.floor = ++this.clock;
      },
    });
    this.pages = new LRUCache<string, Buffer, Loader>({
      max, ttl: ttlMs, fetchMethod: async (_key, _stale, { context }) => {
        const page = await context.load();
        return page === undefined ? undefined : Buffer.from(page);
      },
    });
  }

  /** The page of `scope` and `part` (UTF-8 bytes), made by `load` once per generation and ttl. */
  get(scope: number, part: string, load: () => Promise<string | undefined>): Promise<Buffer | undefined> {
    // A load that started before a bump is stored under the old generation and never read again.
    return this.pages.fetch(`${this.all}:${scope}:${this.scopes.get(scope) ?? this.floor}:${part}`, { context: { load } });
  }

  /** Something of `scope` changed: later reads of it load afresh. */
  bump(scope: number): void {
    this.scopes.set(scope, ++this.clock);
  }

  /** Scope generations held now (tests). */
  get scopeCount(): number {
    return this.scopes.size;
  }

  /** Something of every scope may have changed. */
  bumpAll(): void {
    this.all++;
    this.scopes.clear();
  }
}

/** Reuses `load(key)` results for `ttlMs`; undefined results are not kept (asked again next time). */
export class TtlCache<K extends string | number, V extends object> {
  private readonly entries: LRUCache<K, V>;

  constructor(load: (key: K) => Promise<V | undefined>, ttlMs = CALLER_TTL_MS, max = 50_000) {
    this.entries = new LRUCache<K, V>({ max, ttl: ttlMs, fetchMethod: (key) => load(key) });
  }

  get(key: K): Promise<V | undefined> {
    return this.entries.fetch(key);
  }
}
