import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import type { CommandResult, MatchingCommand } from '../domain/services/commands';
import { fail } from '../domain/services/result';
import { createRedis } from '../infra/redis';
import { currentRequestId } from '../infra/request-context';

/** BullMQ key prefix: a Redis Cluster hash tag, so every key of a queue lives in one slot (DESIGN §8). */
export function bullPrefix(prefix: string): string {
  return `{${prefix}}`;
}

/** One matching queue per market: BullMQ keeps its jobs in order and global concurrency 1 runs one at a time. */
export function matchingQueueName(marketId: number): string {
  return `match-${marketId}`;
}
export const SETTLE_QUEUE = 'settle';
export const MAINTENANCE_QUEUE = 'maintenance';
/** Fan-out of resolution news (proposals, disputes) to holders and admins: workers/resolution-news.ts. */
export const RESOLUTION_NEWS_QUEUE = 'resolution-news';

/** BullMQ job ids may not contain ':' nor be integers; ours come from idempotency keys. */
export function jobIdOf(key: string): string {
  return `j-${key.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** Where a matching worker leaves each command's result (and announces it), keyed by idempotency key. */
export function resultKey(prefix: string, key: string): string {
  return `${bullPrefix(prefix)}:mres:${key}`;
}
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
/** Announces new markets to matching supervisors. */
export function marketsChannel(prefix: string): string {
  return `${bullPrefix(prefix)}:markets`;
}

/**
 * BullMQ options of a matching command's job: the job id comes from its idempotency key (a second
 * add of the same command is a no-op while the job is kept), retried on failure.
 */
export function commandJobOptions(key: string) {
  return {
    jobId: jobIdOf(key),
    attempts: 5,
    backoff: { type: 'exponential', delay: 200 },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 86_400 },
  };
}

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
 * The producer side of the workers, used by the bot: submits matching commands and waits for
 * their results, starts settlement jobs. Results come back over one Redis pub/sub connection
 * for all markets (a BullMQ QueueEvents per market queue would hold one blocking connection each).
 */
export class Queues {
  private readonly conn: IORedis;
  private readonly sub: IORedis;
  private readonly queues = new Map<string, Queue>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscribed: Promise<unknown> | null = null;

  constructor(redisUrl: string, private readonly prefix: string) {
    this.conn = createRedis(redisUrl);
    this.sub = createRedis(redisUrl);
    this.sub.on('message', (_channel: string, key: string) => {
      for (const wake of this.waiters.get(key) ?? []) wake();
    });
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
   * Enqueues a command on its market's queue (job id from the idempotency key, so a double tap
   * enqueues once) and waits up to `waitMs` for its result. Returns `order_queued` on time-out:
   * the command still applies, exactly once, when the worker gets to it.
   */
  async submit(cmd: MatchingCommand, waitMs = 15_000): Promise<CommandResult> {
    this.subscribed ??= this.sub.subscribe(resultChannel(this.prefix));
    await this.subscribed;
    const key = resultKey(this.prefix, cmd.idempotencyKey);
    let wake!: () => void;
    const arrived = new Promise<void>((resolve) => (wake = resolve));
    const set = this.waiters.get(cmd.idempotencyKey) ?? new Set();
    set.add(wake);
    this.waiters.set(cmd.idempotencyKey, set);
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.enqueue(cmd);
      const done = await this.conn.get(key);
      if (done) return JSON.parse(done) as CommandResult;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
      if ((await Promise.race([arrived, timedOut])) === 'timeout') return fail('order_queued');
      return JSON.parse((await this.conn.get(key))!) as CommandResult;
    } finally {
      clearTimeout(timer);
      set.delete(wake);
      if (set.size === 0) this.waiters.delete(cmd.idempotencyKey);
    }
  }

  /** Adds a command to its market's queue without waiting (sweeps, benchmarks). */
  async enqueue(cmd: MatchingCommand): Promise<void> {
    // reqId: the update that caused it, so the worker's log lines and notices carry it (issue 15).
    const data = { ...cmd, reqId: currentRequestId() ?? cmd.idempotencyKey };
    await this.queue(matchingQueueName(cmd.marketId)).add(cmd.type, data, commandJobOptions(cmd.idempotencyKey));
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

  /** Tells matching supervisors that a market now exists. */
  async announceMarket(marketId: number): Promise<void> {
    await this.conn.publish(marketsChannel(this.prefix), String(marketId));
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.sub.disconnect();
    await this.conn.quit();
  }
}
