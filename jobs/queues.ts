import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import type { DataSource } from 'typeorm';
import { appliedResults, markLate } from '../domain/services/command-log';
import type { CommandResult, MatchingCommand } from '../domain/services/commands';
import { fail } from '../domain/services/result';
import { createRedis } from '../infra/redis';
import { currentRequestId } from '../infra/request-context';
import { CommandLogUnavailableError, CommandRecorder, type RecorderOptions } from './command-log';

/** BullMQ key prefix: a Redis Cluster hash tag, so every key of a queue lives in one slot (DESIGN §8). */
export function bullPrefix(prefix: string): string {
  return `{${prefix}}`;
}

/**
 * The one matching queue of all markets (issue 13). Its jobs carry no command, only the signal that
 * a market has recorded commands to apply (`DrainJob`); the commands live in Postgres (`commands`).
 */
export const MATCHING_QUEUE = 'matching';

/** Data of a drain job: apply the recorded, unapplied commands of this market. */
export interface DrainJob {
  marketId: number;
}

/**
 * Signals a market: adds a drain job with id `jobId` (a repeat of the id while the job waits or
 * runs adds nothing). Jobs are removed when done or failed, so an id never blocks a later signal,
 * and one attempt suffices: commands a failed drain left unapplied are signalled again by the sweep.
 */
export async function signalDrain(queue: Queue, marketId: number, jobId: string): Promise<void> {
  const data: DrainJob = { marketId };
  await queue.add('drain', data, { jobId, removeOnComplete: true, removeOnFail: true });
}

/**
 * {@link signalDrain} of many markets in one round trip (BullMQ addBulk): the signals of one group
 * commit, `drain-<market>-<seq>` each.
 */
export async function signalDrains(queue: Queue, signals: readonly { marketId: number; seq: number }[]): Promise<void> {
  if (signals.length === 0) return;
  await queue.addBulk(signals.map(({ marketId, seq }) => ({
    name: 'drain', data: { marketId } satisfies DrainJob, opts: { jobId: `drain-${marketId}-${seq}`, removeOnComplete: true, removeOnFail: true },
  })));
}

export const SETTLE_QUEUE = 'settle';
export const MAINTENANCE_QUEUE = 'maintenance';
/** Fan-out of resolution news (proposals, disputes) to holders and admins: workers/resolution-news.ts. */
export const RESOLUTION_NEWS_QUEUE = 'resolution-news';

/** BullMQ job ids may not contain ':' nor be integers; ours come from idempotency keys. */
export function jobIdOf(key: string): string {
  return `j-${key.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/**
 * Where the matching workers announce results after each committed batch: one message per batch,
 * the JSON array of `[idempotencyKey, CommandResult]` pairs (`ResultMessage`).
 */
export function resultChannel(prefix: string): string {
  return `${bullPrefix(prefix)}:mres`;
}
/**
 * Announces, after each committed matching batch, the id of the market it changed (book, trades,
 * positions): the Mini App's live streams (web/api/live.ts) listen here.
 */
export function marketEventsChannel(prefix: string): string {
  return `${bullPrefix(prefix)}:mchanged`;
}
export type ResultMessage = [string, CommandResult][];

/** Data of a settlement job: the market, and where to show the admin its progress. */
export interface SettleJob {
  marketId: number;
  /** Telegram chat of the admin who resolved it. */
  adminChatId?: number;
}

/**
 * A resolution step to tell people about (docs/RESOLUTION.md). Texts are built by the worker from
 * the market as it is then; news of a round that has since been replaced is dropped.
 * - `proposal`: an outcome was proposed or confirmed; holders hear it with how to dispute, and while
 *   it awaits confirmation the other admins are asked to confirm.
 * - `dispute`: holder `userId` disputed round `round`; every admin hears the reason.
 * - `upheld`: an admin kept the disputed proposal; `userIds`, the holders who disputed it, hear it.
 */
export type ResolutionNews =
  | { kind: 'proposal'; marketId: number; round: number; stage: 'awaiting_confirmation' | 'dispute_window' | 'resolved'; adminChatIds: number[]; actorChatId: number }
  | { kind: 'dispute'; marketId: number; round: number; userId: number; adminChatIds: number[] }
  | { kind: 'upheld'; marketId: number; round: number; userIds: number[] };

/** What makes one piece of news unique (its job id). */
export function newsKey(n: ResolutionNews): string {
  const base = `news-${n.kind}-${n.marketId}-${n.round}`;
  if (n.kind === 'proposal') return `${base}-${n.stage}`;
  // A round can be disputed and upheld again: each uphold has more disputers than the one before.
  return n.kind === 'dispute' ? `${base}-${n.userId}` : `${base}-${n.userIds.length}`;
}

/**
 * A waiting submit reads `commands.result` in case the Redis announcement was lost: first after
 * POLL_MS, then at doubling intervals up to POLL_MAX_MS, ms. Lazy on purpose: with the subscriber
 * connected an announcement is lost only when the workers could not publish, which is rare, while
 * eager polls of a backlog's thousands of waiters cost the database more than the orders' own
 * updates (persist bench: 185 polls in a 48 000-order run at 250 ms). A reconnect of the subscriber,
 * when announcements surely were missed, polls every waiter at once. POLL_MS stays below
 * DELAYED_NOTICE_MS, so a lost announcement never shows "delayed".
 */
const POLL_MS = 2_000;
const POLL_MAX_MS = 8_000;
/** How often due waiters are looked for, ms; after a reconnect the waiters are due one tick later (once resubscribed). */
const POLL_TICK_MS = 250;

/**
 * After this long without a result a submit calls its `onDelayed` (once), ms: long enough that an
 * ordinary order (well under a second) never sees it, short enough that someone waiting through a
 * database outage hears why before giving up on the button.
 */
export const DELAYED_NOTICE_MS = 2_500;

/** Options of {@link Queues.submit}. */
export interface SubmitOptions {
  /** Called once when no result came within DELAYED_NOTICE_MS (recording retried, a backlog); not awaited. */
  onDelayed?: () => void;
}

interface Waiter {
  wakes: Set<(r: CommandResult) => void>;
  nextPoll: number;
  every: number;
}

/**
 * The producer side of the workers, used by the bot: records matching commands and waits for their
 * results, starts settlement jobs. Results come back over one Redis pub/sub connection for all
 * markets, backed by a read of the command log, so a lost message strands no one.
 */
export class Queues {
  private readonly conn: IORedis;
  private readonly sub: IORedis;
  private readonly queues = new Map<string, Queue>();
  private readonly waiters = new Map<string, Waiter>();
  private subscribed: Promise<unknown> | null = null;
  private poller: NodeJS.Timeout | null = null;
  /** Group commit of commands (jobs/command-log.ts); `recorder.transactions` counts its INSERTs. */
  readonly recorder: CommandRecorder;

  /**
   * @param recorderOpts the recorder's outage budget (OUTAGE_RETRY_MS) and outage log hook.
   */
  constructor(private readonly ds: DataSource, redisUrl: string, private readonly prefix: string, recorderOpts: RecorderOptions = {}) {
    this.conn = createRedis(redisUrl);
    this.sub = createRedis(redisUrl);
    this.sub.on('message', (_channel: string, message: string) => {
      let pairs: ResultMessage;
      try {
        pairs = JSON.parse(message) as ResultMessage;
      } catch {
        return;
      }
      for (const [key, result] of pairs) this.wake(key, result);
    });
    // Announcements made while the subscriber was away are gone: look them up now.
    let connected = false;
    this.sub.on('ready', () => {
      if (connected) this.pollAllSoon();
      connected = true;
    });
    this.recorder = new CommandRecorder(ds, (signals) => signalDrains(this.queue(MATCHING_QUEUE), signals),
      () => undefined, recorderOpts);
  }

  /** The BullMQ queue of this name (created once). */
  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.conn, prefix: bullPrefix(this.prefix) });
      this.queues.set(name, q);
    }
    return q;
  }

  /**
   * Records a command in the command log (a repeated idempotency key is recorded once: a double tap
   * applies once), signals its market, and waits up to `waitMs` (counted from when it is recorded)
   * for its result. A key applied before returns its stored result at once. Returns `order_queued`
   * on time-out: the command is recorded and still applies, exactly once (see {@link markLate} to
   * have its result told later). Returns `unavailable` when the database did not answer for
   * OUTAGE_RETRY_MS (nothing recorded). While the database is away recording is retried, so the
   * result is late, not lost: `opts.onDelayed` is called once if nothing came within
   * DELAYED_NOTICE_MS. Throws only if the command could not be recorded while the database answers.
   */
  async submit(cmd: MatchingCommand, waitMs = 15_000, opts: SubmitOptions = {}): Promise<CommandResult> {
    this.subscribed ??= this.sub.subscribe(resultChannel(this.prefix)).catch(() => (this.subscribed = null));
    let wake!: (r: CommandResult) => void;
    const arrived = new Promise<CommandResult>((resolve) => (wake = resolve));
    const key = cmd.idempotencyKey;
    const waiter = this.waiters.get(key) ?? { wakes: new Set(), nextPoll: Date.now() + POLL_MS, every: POLL_MS };
    const set = waiter.wakes;
    set.add(wake);
    this.waiters.set(key, waiter);
    this.poller ??= setInterval(() => void this.poll(), POLL_TICK_MS);
    let timer: NodeJS.Timeout | undefined;
    const delayed = opts.onDelayed ? setTimeout(opts.onDelayed, DELAYED_NOTICE_MS) : undefined;
    try {
      let recorded;
      try {
        recorded = await this.record(cmd);
      } catch (err) {
        if (err instanceof CommandLogUnavailableError) return fail('unavailable');
        throw err;
      }
      if (recorded.result) return recorded.result;
      const timedOut = new Promise<CommandResult>((resolve) => (timer = setTimeout(() => resolve(fail('order_queued')), waitMs)));
      return await Promise.race([arrived, timedOut]);
    } finally {
      clearTimeout(timer);
      clearTimeout(delayed);
      set.delete(wake);
      if (set.size === 0) this.waiters.delete(key);
      if (this.waiters.size === 0 && this.poller) {
        clearInterval(this.poller);
        this.poller = null;
      }
    }
  }

  /**
   * After `submit` answered `order_queued`: asks for the command's result to be told in chat
   * `replyChatId` when it applies (the matching worker sends it once, durably: commands.late_at).
   * Returns null when so marked, or the stored result when the command was applied meanwhile (then
   * nobody will send it: the caller shows it). Throws when the database does not answer.
   */
  async markLate(key: string, replyChatId: number): Promise<CommandResult | null> {
    return markLate(this.ds, key, replyChatId);
  }

  /** Records a command and signals its market without waiting for the result (sweeps, benchmarks). */
  async enqueue(cmd: MatchingCommand): Promise<void> {
    await this.record(cmd);
  }

  private record(cmd: MatchingCommand) {
    // reqId: the update that caused it, so the worker's log lines and notices carry it (issue 15).
    return this.recorder.record({ cmd, reqId: currentRequestId() ?? cmd.idempotencyKey });
  }

  private wake(key: string, result: CommandResult): void {
    for (const w of this.waiters.get(key)?.wakes ?? []) w(result);
  }

  /** Makes every waiter due at the next poll tick (the subscriber reconnected). */
  private pollAllSoon(): void {
    const at = Date.now() + POLL_TICK_MS;
    for (const w of this.waiters.values()) w.nextPoll = Math.min(w.nextPoll, at);
  }

  /** The fallback of the announcement: results of waited-for keys read from the command log. */
  private async poll(): Promise<void> {
    const now = Date.now();
    const keys: string[] = [];
    for (const [key, w] of this.waiters) {
      // Due within this tick: a burst registered over a few ms is read in one statement.
      if (w.nextPoll > now + POLL_TICK_MS) continue;
      keys.push(key);
      w.every = Math.min(POLL_MAX_MS, w.every * 2);
      w.nextPoll = now + w.every;
    }
    for (let i = 0; i < keys.length; i += 1000) {
      try {
        for (const [key, result] of await appliedResults(this.ds, keys.slice(i, i + 1000))) this.wake(key, result);
      } catch {
        // The database is away: the keys not read are due again at the next tick.
        for (const key of keys.slice(i)) {
          const w = this.waiters.get(key);
          if (w) w.nextPoll = now + POLL_TICK_MS;
        }
        return;
      }
    }
  }

  /**
   * Starts the settlement job of a market (once: the job id is the market's).
   * @param adminChatId Telegram chat of the admin who resolved it, shown the job's progress.
   */
  async enqueueSettlement(marketId: number, adminChatId?: number): Promise<void> {
    const data: SettleJob = { marketId, adminChatId };
    const queue = this.queue(SETTLE_QUEUE);
    // A job that ran out of attempts (say, a long database outage) keeps its id: run it again, since
    // settlement resumes where it stopped and pays nobody twice (the maintenance tick calls this).
    const known = await queue.getJob(`settle-${marketId}`);
    if (known && (await known.isFailed())) {
      await known.retry('failed');
      return;
    }
    await queue.add('settle', data, {
      jobId: `settle-${marketId}`,
      attempts: 10,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 86_400 },
      removeOnFail: { age: 7 * 86_400 },
    });
  }

  /**
   * Queues the notices of a resolution step (once per step: the job id names market, round and
   * step), to be fanned out to holders and admins by the resolution-news worker.
   */
  async announceResolution(news: ResolutionNews): Promise<void> {
    await this.queue(RESOLUTION_NEWS_QUEUE).add(news.kind, news, {
      jobId: jobIdOf(newsKey(news)),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 86_400 },
      removeOnFail: { age: 7 * 86_400 },
    });
  }

  async close(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    await this.recorder.settle();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.sub.disconnect();
    await this.conn.quit();
  }
}
