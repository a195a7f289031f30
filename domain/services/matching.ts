import { ConstantBackoff, handleWhen, retry } from 'cockatiel';
import type { DataSource, EntityManager } from 'typeorm';
import { InsufficientFundsError } from '../ledger/ledger';
import { BookCache } from './book-cache';
import { databaseAnswers, isConnectionError, markApplied, pendingCommands, recordCommands, type LateCommand, type PendingCommand } from './command-log';
import type { CommandResult, MatchingCommand } from './commands';
import { MarketBatch, type Notice } from './market-batch';
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

async function runFrom(
  ds: DataSource, cache: BookCache, marketId: number, source: CommandSource, now: number,
): Promise<BatchOutcome | null> {
  let committed: { version: number; batch: MarketBatch } | null = null;
  const out = await ds.transaction(async (m) => {
    const [row] = await m.query(
      `SELECT m.status, m.trading_paused, m.deadline, m.book_version, m.last_price, a.id AS escrow_id
         FROM markets m JOIN accounts a ON a.code = 'market:' || m.id || ':escrow'
        WHERE m.id = $1 FOR UPDATE OF m`, [marketId]);
    const cmds = await source.take(m);
    if (cmds === null) return null;
    if (!row) {
      const missing = { results: cmds.map(() => fail('market_not_found')), notices: [], watch: NO_WATCH };
      await source.done(m, missing.results, NO_WATCH);
      return missing;
    }
    const market = {
      id: marketId,
      status: row.status as string,
      tradingPaused: row.trading_paused as boolean,
      deadline: row.deadline as Date,
      bookVersion: Number(row.book_version),
      escrowAccountId: Number(row.escrow_id),
    };
    const book = await cache.get(m, marketId, market.bookVersion);
    const batch = new MarketBatch(m, market, book, now);
    await batch.prepare(cmds);
    const results: CommandResult[] = [];
    for (const c of cmds) {
      const r = await batch.apply(c);
      if (r.ok && r.outcome) r.outcome.marketId = marketId;
      results.push(r);
    }
    const own = await batch.flushOwn();
    committed = { version: own.version, batch };
    // Alerts and triggers see the price this batch committed, in its transaction (issue 11).
    const price = batch.committedPrice !== null && batch.committedPrice !== row.last_price ? batch.committedPrice : null;
    const watch = await watchBatch(m, { marketId, cmds, results, price, closing: batch.isClosing, now });
    await source.done(m, results, watch);
    await own.shared();
    source.beforeCommit?.();
    return { results, notices: batch.notices, watch };
  });
  const c = committed as { version: number; batch: MarketBatch } | null;
  if (c) cache.commit(marketId, c.version, c.batch.book);
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
