import { ConstantBackoff, handleWhen, retry } from 'cockatiel';
import type { DataSource } from 'typeorm';
import { InsufficientFundsError } from '../ledger/ledger';
import { BookCache } from './book-cache';
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

async function runOnce(
  ds: DataSource, cache: BookCache, marketId: number, cmds: readonly MatchingCommand[], now: number,
): Promise<BatchOutcome> {
  let committed: { version: number; batch: MarketBatch } | null = null;
  const out = await ds.transaction(async (m) => {
    const [row] = await m.query(
      `SELECT m.status, m.trading_paused, m.deadline, m.book_version, m.last_price, a.id AS escrow_id
         FROM markets m JOIN accounts a ON a.code = 'market:' || m.id || ':escrow'
        WHERE m.id = $1 FOR UPDATE OF m`, [marketId]);
    if (!row) return { results: cmds.map(() => fail('market_not_found')), notices: [], watch: NO_WATCH };
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
    committed = { version: await batch.flush(), batch };
    // Alerts and triggers see the price this batch committed, in its transaction (issue 11).
    const price = batch.committedPrice !== null && batch.committedPrice !== row.last_price ? batch.committedPrice : null;
    const watch = await watchBatch(m, { marketId, cmds, results, price, closing: batch.isClosing, now });
    return { results, notices: batch.notices, watch };
  });
  const c = committed as { version: number; batch: MarketBatch } | null;
  if (c) cache.commit(marketId, c.version, c.batch.book);
  return out;
}
