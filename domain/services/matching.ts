import { ConstantBackoff, handleWhen, retry } from 'cockatiel';
import type { DataSource, EntityManager } from 'typeorm';
import { InsufficientFundsError, post, userAccountsOf, type Move } from '../ledger/ledger';
import { BookCache } from './book-cache';
import { databaseAnswers, isConnectionError, markApplied, pendingCommands, pendingCommandsOf, recordCommands, type LateCommand, type PendingCommand } from './command-log';
import type { CommandResult, MatchingCommand } from './commands';
import { writeDeferred, writeTakerVolume, type AccountLookup, type DeferredRows } from './market-batch-writer';
import type { OrderBook } from '../exchange';
import { MarketBatch, prefetchPlaces, type GroupLedger, type GroupPrefetch, type Notice } from './market-batch';
import { mergeWatch, NO_WATCH, watchBatch, type WatchOutcome } from './price-watch';
import { fail } from './result';

/** Postgres errors after which the whole transaction may simply be run again. */
const RETRYABLE = new Set(['40P01' /* deadlock */, '40001' /* serialization */]);

/** A balance read before the flush went stale (another market spent it): rerun with fresh reads. */
function retryable(e: unknown): boolean {
  return e instanceof InsufficientFundsError || RETRYABLE.has((e as { code?: string }).code ?? '');
}
/**
 * Reruns a batch after a deadlock, a serialization failure or a stale balance: up to 5 runs in all
 * (4 retries), each at once, since the conflicting transaction has just ended. Other errors pass through.
 */
export const conflictRetry = retry(handleWhen(retryable), { maxAttempts: 4, backoff: new ConstantBackoff(0) });

export interface BatchOutcome {
  results: CommandResult[];
  /** Messages for counterparties, to send after commit. */
  notices: Notice[];
  /** Alerts fired and trigger sells to queue, after commit (price-watch.ts). */
  watch: WatchOutcome;
}

/**
 * Applies one market's commands, in order, in ONE transaction under the market row lock
 * (DESIGN §5: correctness from the transaction and row locks, not from there being one worker;
 * STYLE §5: the market is re-read and re-checked inside the transaction).
 *
 * A deadlock or serialization failure reruns the batch from a fresh book. If a batch of several
 * commands fails otherwise, each command is retried in its own transaction so that one bad
 * command cannot hold back the others; the bad one then fails alone.
 */
export async function applyCommands(
  ds: DataSource, cache: BookCache, marketId: number, cmds: readonly MatchingCommand[], nowMs: () => number = Date.now,
): Promise<BatchOutcome> {
  try {
    return await runWithRetry(ds, cache, marketId, cmds, nowMs);
  } catch (e) {
    if (cmds.length === 1) throw e;
    const results: CommandResult[] = [];
    const notices: Notice[] = [];
    let watch = NO_WATCH;
    for (const c of cmds) {
      const one = await runWithRetry(ds, cache, marketId, [c], nowMs);
      results.push(...one.results);
      notices.push(...one.notices);
      watch = mergeWatch(watch, one.watch);
    }
    return { results, notices, watch };
  }
}

async function runWithRetry(
  ds: DataSource, cache: BookCache, marketId: number, cmds: readonly MatchingCommand[], nowMs: () => number,
): Promise<BatchOutcome> {
  return conflictRetry.execute(async () => {
    try {
      return await runOnce(ds, cache, marketId, cmds, nowMs());
    } catch (e) {
      // The cached book may hold this attempt's changes: every failed run rereads it.
      cache.discard(marketId);
      throw e;
    }
  });
}

/**
 * Where a run's commands come from and what it writes before commit: a fixed list (applyCommands),
 * or the market's unapplied recorded commands, marked applied in the same transaction (drainMarket).
 * `take` runs under the market row lock; null from it means nothing to do.
 */
interface CommandSource {
  take(m: EntityManager): Promise<readonly MatchingCommand[] | null>;
  done(m: EntityManager, results: readonly CommandResult[], watch: WatchOutcome): Promise<void>;
  /** Called last in the transaction, just before it commits. */
  beforeCommit?: () => void;
}

const fixed = (cmds: readonly MatchingCommand[]): CommandSource => ({ take: async () => cmds, done: async () => undefined });

async function runOnce(
  ds: DataSource, cache: BookCache, marketId: number, cmds: readonly MatchingCommand[], now: number,
): Promise<BatchOutcome> {
  return (await runFrom(ds, cache, marketId, fixed(cmds), now))!;
}

/** The market row as a batch locks it, with its escrow account. */
const LOCK_MARKETS = `SELECT m.id, m.status, m.trading_paused, m.deadline, m.book_version, m.last_price, a.id AS escrow_id
       FROM markets m JOIN accounts a ON a.code = 'market:' || m.id || ':escrow'`;

interface MarketRow {
  id: string | number;
  status: string;
  trading_paused: boolean;
  deadline: Date;
  book_version: string | number;
  last_price: number | null;
  escrow_id: string | number;
}

/** One market's part of a transaction, applied and its own rows written, its shared rows not yet. */
interface MarketPart {
  out: BatchOutcome;
  version: number;
  batch: MarketBatch;
  /** The part's postings and taker volume (BatchWriter.writeShared), or, in a group, its postings. */
  shared: () => Promise<void>;
  sharedMoves: (lookup?: AccountLookup) => Promise<Move[]>;
  movedUsers: () => number[];
}

/**
 * Applies `cmds` to the locked market `row` in transaction `m`: the book (cached or rebuilt), the
 * batch, its own rows (flushOwn), alerts and triggers, then `source.done`. The shared rows are
 * left to the caller (`shared` or, for a group, `sharedMoves`).
 */
async function applyPart(
  m: EntityManager, cache: BookCache, marketId: number, row: MarketRow | undefined, cmds: readonly MatchingCommand[],
  source: CommandSource, now: number, group?: { ledger: GroupLedger; pre: GroupPrefetch; books: Map<number, OrderBook>; defer: DeferredRows },
): Promise<MarketPart | { out: BatchOutcome; version: null }> {
  if (!row) {
    const missing = { results: cmds.map(() => fail('market_not_found')), notices: [], watch: NO_WATCH };
    await source.done(m, missing.results, NO_WATCH);
    return { out: missing, version: null };
  }
  const market = {
    id: marketId,
    status: row.status,
    tradingPaused: row.trading_paused,
    deadline: row.deadline,
    bookVersion: Number(row.book_version),
    escrowAccountId: Number(row.escrow_id),
  };
  const book = group?.books.get(marketId) ?? await cache.get(m, marketId, market.bookVersion);
  const batch = new MarketBatch(m, market, book, now, group?.ledger);
  await batch.prepare(cmds, group?.pre);
  const results: CommandResult[] = [];
  for (const c of cmds) {
    const r = await batch.apply(c);
    if (r.ok && r.outcome) r.outcome.marketId = marketId;
    results.push(r);
  }
  const own = await batch.flushOwn(group?.defer);
  // Alerts and triggers see the price this batch committed, in its transaction (issue 11).
  const price = batch.committedPrice !== null && batch.committedPrice !== row.last_price ? batch.committedPrice : null;
  const watch = await watchBatch(m, { marketId, cmds, results, price, closing: batch.isClosing, now });
  await source.done(m, results, watch);
  return { out: { results, notices: batch.notices, watch }, version: own.version, batch, shared: own.shared, sharedMoves: own.sharedMoves, movedUsers: own.movedUsers };
}

/**
 * After commit: the cache holds the committed book, or forgets it when trading stopped (a closed
 * market matches nothing more, so its book would only take memory).
 */
function keepBook(cache: BookCache, marketId: number, part: MarketPart | { version: null }): void {
  if (part.version === null) return;
  const p = part as MarketPart;
  if (p.batch.isClosing || p.batch.marketStatus !== 'open') cache.release(marketId);
  else cache.commit(marketId, p.version, p.batch.book);
}

async function runFrom(
  ds: DataSource, cache: BookCache, marketId: number, source: CommandSource, now: number,
): Promise<BatchOutcome | null> {
  let committed: MarketPart | { version: null } | null = null;
  const out = await ds.transaction(async (m) => {
    const [row]: MarketRow[] = await m.query(`${LOCK_MARKETS} WHERE m.id = $1 FOR UPDATE OF m`, [marketId]);
    const cmds = await source.take(m);
    if (cmds === null) return null;
    const part = await applyPart(m, cache, marketId, row, cmds, source, now);
    if (part.version !== null) await (part as MarketPart).shared();
    committed = part;
    source.beforeCommit?.();
    return part.out;
  });
  if (committed) keepBook(cache, marketId, committed);
  return out;
}

/** One drained batch: the recorded commands applied (in `seq` order) and what they did. */
export interface DrainOutcome extends BatchOutcome {
  cmds: PendingCommand[];
  /** Those of `cmds` the bot answered "queued": their results are owed to a chat (command-log.ts markLate). */
  late: LateCommand[];
}

export interface DrainOptions {
  /** Most commands applied in one transaction. */
  max: number;
  /** Called inside the transaction just before it commits (crash tests' fault point). */
  beforeCommit?: () => void;
  nowMs?: () => number;
}

/**
 * Applies the oldest unapplied recorded commands of a market (issue 13): at most `max`, in `seq`
 * order, in ONE transaction under the market row lock, which also marks them applied with their
 * results and records the trigger sells the batch fired (so those are durable by construction;
 * they apply in a following batch). Returns null when the market has nothing unapplied.
 *
 * Two drains of one market (two processes, a retried job) serialize on the row lock and each takes
 * the oldest unapplied commands after it, so the order is `seq` whatever fails and retries; a
 * command is marked applied in the transaction that applied it, so it is never applied twice.
 *
 * Failures: deadlocks and stale balances rerun the batch (conflictRetry). Any other error reruns
 * the oldest command alone; if that fails too while the database answers, it is a poison command:
 * it is marked applied with `internal` so it cannot hold the market back. If the database does
 * not answer or the error is a connection error (an outage, `isConnectionError`), the error is
 * thrown and every command stays recorded and unapplied, to be drained in `seq` order once it is back.
 */
export async function drainMarket(ds: DataSource, cache: BookCache, marketId: number, opts: DrainOptions): Promise<DrainOutcome | null> {
  const nowMs = opts.nowMs ?? Date.now;
  const run = (max: number) => conflictRetry.execute(async () => {
    let taken: PendingCommand[] = [];
    let late: LateCommand[] = [];
    const source: CommandSource = {
      take: async (m) => {
        taken = await pendingCommands(m, marketId, max);
        return taken.length > 0 ? taken.map((p) => p.cmd) : null;
      },
      done: async (m, results, watch) => {
        late = await markApplied(m, taken.map((p) => p.seq), results);
        if (watch.sells.length > 0) await recordCommands(m, watch.sells.map((s) => ({ cmd: s, reqId: s.idempotencyKey })));
      },
      beforeCommit: opts.beforeCommit,
    };
    try {
      const out = await runFrom(ds, cache, marketId, source, nowMs());
      return out ? { ...out, cmds: taken, late, watch: { ...out.watch, sells: [] } } : null;
    } catch (e) {
      cache.discard(marketId);
      throw e;
    }
  });
  try {
    return await run(opts.max);
  } catch (e) {
    if (isConnectionError(e)) throw e;
    let last = e;
    if (opts.max > 1) {
      try {
        return await run(1);
      } catch (e1) {
        last = e1;
      }
    }
    // A connection cut (the database going away or coming back) is an outage, never a poison
    // command: the commands stay unapplied and the sweep signals the market again.
    if (isConnectionError(last) || !(await databaseAnswers(ds))) throw last;
    return poison(ds, marketId);
  }
}

/** Marks the oldest unapplied command of a market applied as `internal` (see drainMarket). */
async function poison(ds: DataSource, marketId: number): Promise<DrainOutcome | null> {
  return ds.transaction(async (m) => {
    await m.query(`SELECT id FROM markets WHERE id = $1 FOR UPDATE`, [marketId]);
    const [oldest] = await pendingCommands(m, marketId, 1);
    if (!oldest) return null;
    const results = [fail('internal')];
    const late = await markApplied(m, [oldest.seq], results);
    return { cmds: [oldest], late, results, notices: [], watch: NO_WATCH };
  });
}

/** One market's drained batch in a transaction of several markets. */
export interface MarketDrain extends DrainOutcome {
  marketId: number;
}

export interface GroupDrainOptions extends DrainOptions {
  /** Most markets in one transaction, the signalled one included; 1: `drainMarket` alone. */
  maxMarkets: number;
  /**
   * Offered the ids of other markets with unapplied commands (oldest command first), returns those
   * (at most `most`) this drain may take along. Called synchronously inside the transaction, so the caller can mark
   * them taken before any other drain of its process looks (workers/matching.ts); it may be called
   * again when the transaction is rerun and should then offer the same ones again.
   */
  claim: (candidates: number[], most: number) => number[];
  /**
   * Other markets are taken along only when the signalled one has fewer waiting commands than this
   * (default a tenth of `max`): a market with a backlog fills its own transaction.
   */
  alongBelow?: number;
}

/**
 * Like {@link drainMarket}, but when market `marketId` has few unapplied commands (`alongBelow`),
 * the same transaction also applies those of other markets with waiting commands (issue 13, many
 * markets: with fewer than one order per market per batch, a transaction per market would mean a
 * commit per order). At most `max` commands and `maxMarkets` markets in all. Returns one entry per
 * market that had commands (the signalled one first), [] when it had none.
 *
 * Each market keeps the guarantees of drainMarket: its row is locked (the signalled one waits for
 * its lock; the others are taken with SKIP LOCKED, so a market another drain holds is simply left
 * to it and no two drains wait on each other's markets), the commands taken are the oldest
 * unapplied ones of that market, applied in `seq` order and marked applied in the transaction
 * that applied them. Balances and taker volume are shared by the markets' batches in memory
 * (`GroupLedger`: a later market sees what an earlier one spent) and written once, for all, just
 * before commit, accounts locked in one global order (ledger.post).
 *
 * Failures: a conflict (deadlock, stale balance) reruns the whole transaction; any other error
 * falls back to drainMarket of the signalled market alone (its retry and poison rules). The other
 * markets' commands then stay unapplied for their own drains (each was signalled when recorded;
 * the sweep signals again what waits).
 */
export async function drainMarkets(ds: DataSource, cache: BookCache, marketId: number, opts: GroupDrainOptions): Promise<MarketDrain[]> {
  const single = async () => {
    const out = await drainMarket(ds, cache, marketId, opts);
    return out ? [{ ...out, marketId }] : [];
  };
  if (opts.maxMarkets <= 1) return single();
  const nowMs = opts.nowMs ?? Date.now;
  const touched = new Set<number>();
  try {
    return await conflictRetry.execute(async () => {
      try {
        return await runGroup(ds, cache, marketId, opts, nowMs(), touched);
      } catch (e) {
        for (const id of touched) cache.discard(id);
        throw e;
      }
    });
  } catch (e) {
    // An outage leaves every command unapplied (drainMarket's rule); other errors: the market alone.
    if (isConnectionError(e) || !(await databaseAnswers(ds))) throw e;
    return single();
  }
}

async function runGroup(
  ds: DataSource, cache: BookCache, marketId: number, opts: GroupDrainOptions, now: number, touched: Set<number>,
): Promise<MarketDrain[]> {
  const parts: { marketId: number; cmds: PendingCommand[]; part: MarketPart | { out: BatchOutcome; version: null } }[] = [];
  let late: LateCommand[] = [];
  await ds.transaction(async (m) => {
    const rows = new Map<number, MarketRow>();
    const [own]: MarketRow[] = await m.query(`${LOCK_MARKETS} WHERE m.id = $1 FOR UPDATE OF m`, [marketId]);
    if (own) rows.set(marketId, own);
    const taken = new Map<number, PendingCommand[]>();
    const first = await pendingCommands(m, marketId, opts.max);
    if (first.length > 0) taken.set(marketId, first);
    let budget = opts.max - first.length;
    // A busy market drains alone: busy markets then run in parallel drains, as before grouping.
    if (first.length > 0 && first.length < (opts.alongBelow ?? Math.ceil(opts.max / 10)) && budget > 0) {
      const waiting: { market_id: string }[] = await m.query(
        `SELECT market_id FROM commands WHERE applied_at IS NULL AND market_id <> $1 ORDER BY seq LIMIT $2`, [marketId, budget]);
      const candidates = [...new Set(waiting.map((r) => Number(r.market_id)))];
      const claimed = candidates.length > 0 ? opts.claim(candidates, opts.maxMarkets - 1) : [];
      if (claimed.length > 0) {
        const locked: MarketRow[] = await m.query(
          `${LOCK_MARKETS} WHERE m.id = ANY($1::bigint[]) ORDER BY m.id FOR UPDATE OF m SKIP LOCKED`, [claimed]);
        for (const r of locked) rows.set(Number(r.id), r);
        const ids = locked.map((r) => Number(r.id));
        // The oldest `budget` commands of the locked markets: for each market a prefix of its own, in seq order.
        const more = ids.length > 0 ? await pendingCommandsOf(m, ids, budget) : [];
        for (const { marketId: id, ...p } of more) {
          const list = taken.get(id) ?? [];
          list.push(p);
          taken.set(id, list);
        }
        budget -= more.length;
      }
    }
    const ledger: GroupLedger = { availDelta: new Map(), volumeAdded: new Map() };
    const defer: DeferredRows = { orders: [], markets: [] };
    // Read once for all the markets: their books not in memory, and what their place commands need.
    const versions = new Map<number, number>();
    for (const id of taken.keys()) {
      const row = rows.get(id);
      if (row) versions.set(id, Number(row.book_version));
    }
    const books = await cache.getMany(m, versions);
    const pre = await prefetchPlaces(m, [...taken].map(([id, cmds]) => ({ marketId: id, cmds: cmds.map((p) => p.cmd) })));
    const applied: { seqs: number[]; results: CommandResult[]; sells: MatchingCommand[] } = { seqs: [], results: [], sells: [] };
    for (const [id, cmds] of taken) {
      touched.add(id);
      const source: CommandSource = {
        take: async () => cmds.map((p) => p.cmd),
        done: async (_m, results, watch) => {
          applied.seqs.push(...cmds.map((p) => p.seq));
          applied.results.push(...results);
          applied.sells.push(...watch.sells);
        },
      };
      const part = await applyPart(m, cache, id, rows.get(id), cmds.map((p) => p.cmd), source, now, { ledger, pre, books, defer });
      parts.push({ marketId: id, cmds, part });
    }
    if (parts.length === 0) return;
    await writeDeferred(m, defer);
    late = await markApplied(m, applied.seqs, applied.results);
    if (applied.sells.length > 0) await recordCommands(m, applied.sells.map((s) => ({ cmd: s, reqId: s.idempotencyKey })));
    const written = parts.flatMap(({ part }) => (part.version === null ? [] : [part as MarketPart]));
    // Every batch's users' accounts in one read, then one posting statement and one lock order for all.
    const lookup: AccountLookup = { accounts: await userAccountsOf(m, [...new Set(written.flatMap((p) => p.movedUsers()))]) };
    const moves: Move[] = [];
    for (const part of written) moves.push(...await part.sharedMoves(lookup));
    await post(m, moves);
    await writeTakerVolume(m, ledger.volumeAdded, now);
    opts.beforeCommit?.();
  });
  for (const { marketId: id, part } of parts) keepBook(cache, id, part);
  const lateBySeq = new Map(late.map((l) => [l.seq, l]));
  return parts.map(({ marketId: id, cmds, part }) => ({
    ...part.out, cmds, marketId: id, watch: { ...part.out.watch, sells: [] },
    late: cmds.flatMap((p) => lateBySeq.get(p.seq) ?? []),
  }));
}
