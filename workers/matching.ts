import { Queue, Worker, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { tradableMarkets } from '../domain/read/sweeps';
import { BookCache } from '../domain/services/book-cache';
import type { CommandResult, MatchingCommand } from '../domain/services/commands';
import { applyCommands } from '../domain/services/matching';
import { fail } from '../domain/services/result';
import { tradeMetrics } from '../infra/metrics';
import { withRequestId } from '../infra/request-context';
import { createRedis, redisOptions } from '../infra/redis';
import { bullPrefix, marketEventsChannel, marketsChannel, matchingQueueName, resultChannel, resultKey } from '../jobs/queues';
import { noticeMessages } from '../messages/notices';
import { referralRewardMessages } from '../messages/referrals';
import { rewardReferrals } from '../domain/services/referrals';
import { awardAchievements } from '../domain/services/achievements';
import { joinSeason } from '../domain/services/leagues';
import { achievementMessages } from '../messages/achievements';
import type { ReferralPolicy } from '../domain/services/referral-rules';
import type { Notifier } from './notifications/producer';
import { deliverWatch, redeliverPending } from './price-watch';
import { CRASH_SAFE } from './resilience';

export interface MatchingDeps {
  ds: DataSource;
  redisUrl: string;
  prefix: string;
  notifier: Notifier;
  logger: Logger;
  /** Most commands of one market applied in one transaction when the queue has a backlog. */
  batchMax?: number;
  /** Told after a batch committed (the market may have moved): posted cards get redrawn (workers/cards.ts). */
  onCommitted?: (marketId: number) => Promise<void>;
  /** Referral rewards (issue 12) checked for everyone who traded in a committed batch; absent: none paid here. */
  referral?: ReferralPolicy;
}

const RESULT_TTL_S = 3600;

/**
 * Runs one BullMQ worker per tradable market (DESIGN §5): the market's queue has global
 * concurrency 1, so however many worker processes run, one market's commands apply one batch at a
 * time and in queue order. Correctness does not rest on that, though: each batch re-checks the
 * market under its row lock (matching.ts).
 *
 * Batching: when a job starts and more commands of the same market wait behind it, up to
 * `batchMax` of them are applied in the SAME transaction, in queue order; their results are
 * stored and announced, and their jobs removed. A crash between commit and storing the results
 * is harmless: the jobs stay queued and the commands are idempotent by key.
 */
export class MatchingSupervisor {
  private readonly conn: IORedis;
  private readonly sub: IORedis;
  private readonly workers = new Map<number, { worker: Worker; queue: Queue }>();
  private readonly cache = new BookCache();
  private rescan: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly deps: MatchingDeps) {
    this.conn = createRedis(deps.redisUrl);
    this.sub = createRedis(deps.redisUrl);
  }

  /** Starts workers for every market not yet settled, and follows new ones. */
  async start(): Promise<void> {
    await this.sub.subscribe(marketsChannel(this.deps.prefix));
    this.sub.on('message', (_c: string, id: string) => void this.ensure(Number(id)));
    await this.scan();
    this.rescan = setInterval(() => void this.scan().catch((e) => this.deps.logger.error({ err: e }, 'market rescan failed')), 10_000);
  }

  /**
   * Follows the tradable markets, and puts each queue's concurrency setting back: it lives in Redis,
   * which may have restarted empty while this process kept running.
   */
  private async scan(): Promise<void> {
    for (const id of await tradableMarkets(this.deps.ds.manager)) await this.ensure(id);
    await Promise.all([...this.workers.values()].map(({ queue }) => queue.setGlobalConcurrency(1)));
    // Alerts and trigger sells a crash left between commit and delivery (issue 11).
    await redeliverPending(this.deps, (id) => this.queueOf(id));
  }

  /** The matching queue of a market this supervisor runs, or null. */
  private queueOf(marketId: number): Queue | null {
    return this.workers.get(marketId)?.queue ?? null;
  }

  /** Starts the worker of a market's queue once. */
  async ensure(marketId: number): Promise<void> {
    if (this.closed || this.workers.has(marketId)) return;
    const name = matchingQueueName(marketId);
    const opts = { connection: this.conn, prefix: bullPrefix(this.deps.prefix) };
    const queue = new Queue(name, opts);
    this.workers.set(marketId, { queue, worker: null as unknown as Worker });
    await queue.setGlobalConcurrency(1);
    const worker = new Worker(name, (job: Job<MatchingCommand & { reqId?: string }>) =>
      withRequestId(job.data.reqId ?? job.data.idempotencyKey, () => this.process(marketId, queue, job)), {
      connection: redisOptions(this.deps.redisUrl), prefix: bullPrefix(this.deps.prefix), concurrency: 1, ...CRASH_SAFE,
    });
    worker.on('failed', (job, err) => this.deps.logger.error({ err, jobId: job?.id, marketId }, 'matching job failed'));
    this.workers.get(marketId)!.worker = worker;
  }

  private async process(marketId: number, queue: Queue, job: Job<MatchingCommand>): Promise<CommandResult> {
    const stored = await this.conn.get(resultKey(this.deps.prefix, job.data.idempotencyKey));
    if (stored) return JSON.parse(stored) as CommandResult;
    const cmds = [job.data];
    const peers: Job<MatchingCommand>[] = [];
    const max = this.deps.batchMax ?? 100;
    if (max > 1) {
      const waiting = await queue.getJobs(['wait'], 0, max - 2, true);
      const seen = new Set([job.data.idempotencyKey]);
      for (const w of waiting) {
        if (w?.data && !seen.has(w.data.idempotencyKey)) {
          seen.add(w.data.idempotencyKey);
          cmds.push(w.data);
          peers.push(w);
        }
      }
    }
    let out: Awaited<ReturnType<typeof applyCommands>>;
    try {
      out = await applyCommands(this.deps.ds, this.cache, marketId, cmds);
    } catch (err) {
      // The last attempt failed: nothing was applied (the transaction rolled back). Say so, so
      // the user waiting on this command is not left hanging, then let BullMQ record the failure.
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        const c = job.data.idempotencyKey;
        await this.conn.multi()
          .set(resultKey(this.deps.prefix, c), JSON.stringify(fail('internal')), 'EX', RESULT_TTL_S)
          .publish(resultChannel(this.deps.prefix), c).exec();
      }
      throw err;
    }
    countResults(cmds, out.results);
    // The batch's notices are queued BEFORE its results are announced (issue 15): whoever waits on
    // a result and then notifies the same chats (an early resolution waits on its `close`, then
    // announces the outcome) queues behind them, so each chat reads "trading closed" first.
    if (out.notices.length > 0) {
      try {
        for (const n of await noticeMessages(this.deps.ds.manager, out.notices)) await this.deps.notifier.notify(n);
      } catch (err) {
        // Notices follow the commit; failing to queue one must not fail (and retry) the trade.
        this.deps.logger.error({ err, marketId }, 'could not queue notices');
      }
    }
    // Fired alerts and stop/take sells (issue 11): after the commit, like the notices.
    await deliverWatch(this.deps, out.watch, (id) => this.queueOf(id));
    const multi = this.conn.multi();
    cmds.forEach((c, i) => {
      multi.set(resultKey(this.deps.prefix, c.idempotencyKey), JSON.stringify(out.results[i]), 'EX', RESULT_TTL_S);
      multi.publish(resultChannel(this.deps.prefix), c.idempotencyKey);
    });
    multi.publish(marketEventsChannel(this.deps.prefix), String(marketId));
    await multi.exec();
    // The peers' results are stored and announced: their jobs need no turn of their own. While this
    // job is active no peer can be (global concurrency 1); one that cannot be removed just finds
    // its stored result when it runs.
    await Promise.all(peers.map((p) => p.remove().catch(() => undefined)));
    await this.afterFills(cmds, out);
    // Like the notices: after the commit, and never a reason to fail the trade.
    await this.deps.onCommitted?.(marketId).catch((err: unknown) => this.deps.logger.error({ err, marketId }, 'could not schedule card redraw'));
    return out.results[0]!;
  }

  /**
   * The growth hooks after a committed batch (issue 12): the takers and makers who traded may have
   * just completed an invitation (first fill after a deposit) or earned an achievement. Idempotent
   * in the domain, so a rerun of this job pays and awards nothing twice; a failure is logged, never
   * retried through the trade.
   */
  private async afterFills(cmds: readonly MatchingCommand[], out: Awaited<ReturnType<typeof applyCommands>>): Promise<void> {
    const policy = this.deps.referral;
    const traded = new Set<number>();
    cmds.forEach((c, i) => {
      const r = out.results[i];
      if (c.type === 'place' && r?.ok && (r.outcome?.filled ?? 0) > 0) traded.add(c.userId);
    });
    for (const n of out.notices) if (n.kind === 'fill') traded.add(n.userId);
    if (traded.size === 0) return;
    try {
      const rewards = policy ? await rewardReferrals(this.deps.ds, policy, [...traded]) : [];
      for (const job of await referralRewardMessages(this.deps.ds.manager, rewards)) await this.deps.notifier.notify(job);
      // A first fill of the season places the user in a league cohort.
      await joinSeason(this.deps.ds, [...traded]);
      // First trade, a 7-day streak, and (for inviters just rewarded) the first referral.
      const awards = [
        ...await awardAchievements(this.deps.ds, [...traded], { only: ['first_trade', 'streak_7'] }),
        ...await awardAchievements(this.deps.ds, rewards.map((r) => r.inviterId), { only: ['first_referral'] }),
      ];
      for (const job of await achievementMessages(this.deps.ds.manager, awards)) await this.deps.notifier.notify(job);
    } catch (err) {
      this.deps.logger.error({ err }, 'referral rewards or achievements after fills failed');
    }
  }

  /** The book cache (tests compare it with a rebuild). */
  get books(): BookCache {
    return this.cache;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.rescan) clearInterval(this.rescan);
    await Promise.all([...this.workers.values()].map(async ({ worker, queue }) => {
      await worker?.close();
      await queue.close();
    }));
    this.sub.disconnect();
    await this.conn.quit();
  }
}

/** Counts placed/rejected orders and their fills for `/metrics` (infra/metrics.ts). */
function countResults(cmds: readonly MatchingCommand[], results: readonly CommandResult[]): void {
  cmds.forEach((c, i) => {
    const r = results[i];
    if (c.type !== 'place' || !r) return;
    if (!r.ok) {
      tradeMetrics.orders.inc({ result: 'rejected', code: r.code });
      return;
    }
    tradeMetrics.orders.inc({ result: 'placed', code: '' });
    const o = r.outcome;
    if (o && o.filled > 0) {
      tradeMetrics.fills.inc();
      tradeMetrics.volumeShares.inc(o.filled);
      tradeMetrics.volumeKop.inc(o.costKop);
    }
  });
}
