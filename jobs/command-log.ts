/**
 * Group commit of matching commands (issue 13): every `record` made while a flush is being
 * prepared or is in flight joins the next flush, which is ONE multi-row INSERT in one transaction
 * (domain/services/command-log.ts `recordCommands`). So N concurrent submits of one process cost
 * far fewer than N commits, and each caller still learns its own outcome.
 *
 * After a flush commits, each market that got new commands is signalled once (`signal`, the drain
 * jobs of jobs/queues.ts, all of a flush in one call). Signals are not awaited by the callers: the command is durable once
 * recorded, and a signal lost with Redis is sent again by the supervisor's sweep (workers/matching.ts).
 *
 * A database outage (issue 13, "a short outage delays commands, it does not fail them"): when a
 * flush fails on a connection error or the database does not answer at all (`databaseAnswers`), the flush's commands
 * stay at the head of the line and the INSERT is retried with exponential backoff (cockatiel);
 * commands recorded meanwhile wait behind them, so nothing overtakes and `seq` keeps the order of
 * `record` calls. A command that has waited `outageRetryMs` without the database coming back is
 * refused with {@link CommandLogUnavailableError} (nothing was recorded, unless the database
 * committed an INSERT whose answer was lost: then it applies, as any recorded command does).
 */
import { ExponentialBackoff, handleType, retry, TaskCancelledError, timeout, TimeoutStrategy } from 'cockatiel';
import type { DataSource } from 'typeorm';
import { databaseAnswers, isConnectionError, recordCommands, type LoggedCommand, type Recorded } from '../domain/services/command-log';

/**
 * Thrown to a `record` caller whose command could not be recorded because the database did not
 * answer for `waitedMs` (OUTAGE_RETRY_MS); jobs/queues.ts `submit` turns it into `unavailable`.
 */
export class CommandLogUnavailableError extends Error {
  constructor(readonly waitedMs: number, override readonly cause: unknown) {
    super(`the command log did not answer for ${waitedMs} ms`);
    this.name = 'CommandLogUnavailableError';
  }
}

/** The database was not there for an attempt (the only failure retried by {@link outageRetry}). */
class DatabaseAway extends Error {
  constructor(override readonly cause: unknown) {
    super('database away');
  }
}

interface Waiting {
  item: LoggedCommand;
  resolve: (r: Recorded) => void;
  reject: (e: unknown) => void;
  /** When `record` was called (Date.now()), for OUTAGE_RETRY_MS. */
  since: number;
}

/** Most commands in one INSERT (bounds the statement's size). */
const FLUSH_MAX = 1000;

/** Default of OUTAGE_RETRY_MS (infra/config.ts), ms. */
export const OUTAGE_RETRY_MS = 30_000;

/**
 * Retries of a flush while the database is away: 100 ms doubling (with jitter) up to 1 s between
 * attempts, so a database back after a 10 s outage is used within about a second; no attempt cap,
 * the time budget is each command's (checked before every attempt).
 */
const outageRetry = retry(handleType(DatabaseAway), { maxAttempts: Number.MAX_SAFE_INTEGER, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1_000 }) });

/**
 * The shortest time one attempt may take before it counts as the database being away. Each attempt
 * may take at most what is left of its oldest command's budget (but this much at least): a server
 * that stops answering without closing the connection (frozen, or packets dropped) must not hold a
 * command past OUTAGE_RETRY_MS. A timed-out INSERT may still commit later; the retry's ON CONFLICT
 * then finds those keys, and the supervisor's sweep signals their markets.
 */
const MIN_ATTEMPT_MS = 1_000;

/** What `run` gives, or DatabaseAway once `ms` have passed without it (the database did not answer). */
function withinMs<T>(ms: number, run: () => Promise<T>): Promise<T> {
  return timeout(ms, TimeoutStrategy.Aggressive).execute(run).catch((err: unknown) => {
    throw err instanceof TaskCancelledError ? new DatabaseAway(err) : err;
  });
}

export interface RecorderOptions {
  /** How long a command may wait for the database to answer again, ms (OUTAGE_RETRY_MS, default 30 000). */
  outageRetryMs?: number;
  /** Told when a flush first found the database away, and when that flush ended (recorded or refused). */
  onOutage?: (state: 'down' | 'up', err?: unknown) => void;
}

export class CommandRecorder {
  private waiting: Waiting[] = [];
  private running = false;
  private readonly signals = new Set<Promise<void>>();
  private readonly outageRetryMs: number;
  /** Transactions (flushes) run so far: with concurrent callers, fewer than the commands recorded. */
  transactions = 0;
  /** Flush attempts that found the database away (so tests can see an outage was ridden out, not missed). */
  outageRetries = 0;

  /**
   * @param signal tells the workers each market of a flush has new commands, from `seq` on (one
   *   call per flush, so thousands of markets cost one Redis round trip); its errors go to
   *   `onSignalError` (the sweep resends).
   */
  constructor(
    private readonly ds: DataSource,
    private readonly signal: (signals: readonly { marketId: number; seq: number }[]) => Promise<void>,
    private readonly onSignalError: (err: unknown) => void = () => undefined,
    private readonly opts: RecorderOptions = {},
  ) {
    this.outageRetryMs = opts.outageRetryMs ?? OUTAGE_RETRY_MS;
  }

  /**
   * Records one command (durably, when this resolves). Resolves with its `seq` when newly recorded,
   * or with `seq: null` and the stored result (null while unapplied) when its key was known.
   * Rejects when the INSERT failed while the database answers (a bad command: nothing recorded),
   * or with {@link CommandLogUnavailableError} after the database did not answer for OUTAGE_RETRY_MS.
   */
  record(item: LoggedCommand): Promise<Recorded> {
    return new Promise<Recorded>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject, since: Date.now() });
      if (!this.running) {
        this.running = true;
        // Let every caller of this tick join the first flush.
        setImmediate(() => void this.flushAll());
      }
    });
  }

  private async flushAll(): Promise<void> {
    while (this.waiting.length > 0) {
      // One flush at a time: while it retries through an outage, later records wait behind it.
      await this.flush(this.waiting.splice(0, FLUSH_MAX));
    }
    this.running = false;
  }

  /** Records `batch` (in order) and answers each of its callers; never throws. */
  private async flush(batch: Waiting[]): Promise<void> {
    let pending = batch;
    let down = false;
    try {
      await outageRetry.execute(async () => {
        // Those past their budget are refused first; they are the oldest, so the order holds.
        const now = Date.now();
        const expired = pending.filter((w) => now - w.since >= this.outageRetryMs);
        if (expired.length > 0 && down) {
          for (const w of expired) w.reject(new CommandLogUnavailableError(now - w.since, undefined));
          pending = pending.filter((w) => now - w.since < this.outageRetryMs);
        }
        if (pending.length === 0) return;
        this.transactions++;
        const attemptMs = Math.max(MIN_ATTEMPT_MS, this.outageRetryMs - (now - pending[0]!.since));
        let recorded: Recorded[];
        try {
          recorded = await withinMs(attemptMs, () => recordCommands(this.ds, pending.map((w) => w.item)));
        } catch (err) {
          // A cut connection is an outage even if the database answers a moment later (it is back):
          // retried, never taken for a bad command. So is an attempt that got no answer in time.
          const away = err instanceof DatabaseAway || isConnectionError(err)
            || !(await withinMs(MIN_ATTEMPT_MS, () => databaseAnswers(this.ds)).catch(() => false));
          if (away) {
            this.outageRetries++;
            if (!down) this.opts.onOutage?.('down', err);
            down = true;
            throw err instanceof DatabaseAway ? err : new DatabaseAway(err);
          }
          if (pending.length === 1) {
            pending[0]!.reject(err);
            return;
          }
          // One bad command failed the group: each alone (in order), so only the bad one fails.
          const each = pending;
          pending = [];
          for (const w of each) await this.flush([w]);
          return;
        }
        this.done(pending, recorded);
      });
    } catch (err) {
      // Not reached while the retry has no attempt cap; answer everyone rather than strand them.
      for (const w of pending) w.reject(err instanceof DatabaseAway ? new CommandLogUnavailableError(Date.now() - w.since, err.cause) : err);
    }
    if (down) this.opts.onOutage?.('up');
  }

  /** Signals the markets that got new commands and answers the callers of a committed flush. */
  private done(batch: readonly Waiting[], recorded: readonly Recorded[]): void {
    const firstSeq = new Map<number, number>();
    batch.forEach((w, i) => {
      const seq = recorded[i]!.seq;
      const m = w.item.cmd.marketId;
      if (seq !== null && !firstSeq.has(m)) firstSeq.set(m, seq);
    });
    if (firstSeq.size > 0) this.track(this.signal([...firstSeq].map(([marketId, seq]) => ({ marketId, seq }))));
    batch.forEach((w, i) => w.resolve(recorded[i]!));
  }

  private track(p: Promise<void>): void {
    const q = p.catch(this.onSignalError).finally(() => this.signals.delete(q));
    this.signals.add(q);
  }

  /** Waits for the signals still being sent (at most `ms`). */
  async settle(ms = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.signals]), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }
}
