import { Queue, Worker, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { marketsWaiting, marketsWithStaleCommands } from '../domain/read/sweeps';
import { BookCache } from '../domain/services/book-cache';
import type { CommandResult, MatchingCommand } from '../domain/services/commands';
import { drainMarkets, type MarketDrain } from '../domain/services/matching';
import { mergeWatch, NO_WATCH } from '../domain/services/price-watch';
import { faultPoint } from '../infra/faults';
import { tradeMetrics } from '../infra/metrics';
import { withRequestId } from '../infra/request-context';
import { createRedis, redisOptions } from '../infra/redis';
import { CommandRecorder } from '../jobs/command-log';
import {
  bullPrefix, marketEventsChannel, MATCHING_QUEUE, resultChannel, signalDrain, signalDrains, type DrainJob, type ResultMessage,
} from '../jobs/queues';
import { noticeMessages } from '../messages/notices';
import { lateResultMessages } from '../messages/order-result';
import { lateUnnotified, markLateNotified, type LateResult } from '../domain/services/command-log';
import { referralRewardMessages } from '../messages/referrals';
import { rewardReferrals } from '../domain/services/referrals';
import { awardAchievements } from '../domain/services/achievements';
import { moscowDay } from '../domain/services/achievement-rules';
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
  /** Most recorded commands of one market applied in one transaction (default {@link BATCH_MAX}). */
  batchMax?: number;
  /** Drain jobs run at once in this process (default 8); one market's run one at a time here. */
  concurrency?: number;
  /** Told after a transaction committed, with its markets (they may have moved): posted cards get redrawn (workers/cards.ts). */
  onCommitted?: (marketIds: readonly number[]) => Promise<void>;
  /** Referral rewards (issue 12) checked for everyone who traded in a committed batch; absent: none paid here. */
  referral?: ReferralPolicy;
  /** Most books kept in memory (default BOOK_CACHE_MAX, domain/services/book-cache.ts). */
  bookCacheMax?: number;
  /** Most markets one drain transaction takes along (default {@link GROUP_MARKETS}); 1: one market per transaction. */
  groupMarkets?: number;
}

/**
 * Most markets whose waiting commands one drain transaction applies (issue 13, many markets): with
 * 10 000 open markets most drains find one command, and a commit per command would cap the
 * throughput at what the disk commits; taking up to this many markets along (and at most
 * `batchMax` commands in all) keeps a transaction near the size of a busy market's batch. The
 * transaction's fixed cost dominates there: bench `markets` at 10 000 markets, 10 000 orders,
 * 1 260 orders/s with 16, 1 890 with 64, 2 410 with 256, 2 530–2 560 with 512–1 000.
 */
export const GROUP_MARKETS = 256;

/**
 * Most commands of a market in one drain transaction. A drain takes what is waiting, so this only
 * bounds a backlog's batches (a quiet market's batch is the few commands that came meanwhile).
 * Each batch costs about 17 ms besides its commands (its ~30 statements' round trips, the commit,
 * the after-commit step), measured with `npm run bench` persist on 2 cores: orders/s 3 100 at 100,
 * 5 500 at 500, 7 500 at 2 000. 2 000 keeps a backlog's transaction near 300 ms; a command in a
 * backlog waits for the batches before it either way.
 */
export const BATCH_MAX = 2_000;

/** How often the sweep looks for commands left waiting, and how old they must be to be signalled again, ms. */
export const SWEEP_MS = 2_000;
export const STALE_MS = 1_000;
/**
 * A late command's result notice not marked sent this long after it applied is sent again by the
 * sweep (the after-commit step died, or the notifier's Redis was away), ms. Deduplicated by the
 * notifier, so a notice that did go out is not doubled.
 */
export const LATE_REDELIVER_MS = 10_000;
/** Most late notices redelivered per sweep. */
const LATE_REDELIVER_MAX = 500;
/**
 * The age that counts as stale while drain jobs wait in the queue, ms: a backlog is being worked
 * through and its commands wait for their jobs, so resignalling every market behind it (10 000
 * markets: thousands of jobs every sweep) would only slow it down. A signal really lost meanwhile
 * is sent again after this long.
 */
export const BUSY_STALE_MS = 10_000;
/** Alerts and trigger sells a crash left undelivered are looked for every this many sweeps. */
const REDELIVER_EVERY = 5;

/**
 * Applies recorded matching commands (issue 13, docs/RELIABILITY.md). Commands live in Postgres
 * (`commands`, recorded by jobs/queues.ts before anyone is answered); Redis carries only drain
 * jobs on ONE queue for all markets, so the Redis connections are bounded whatever the number of
 * markets (one Worker of `concurrency` jobs per process).
 *
 * A drain job applies its market's unapplied commands, oldest first, in batches of `batchMax`, each
 * batch one transaction under the market row lock that also marks them applied
 * (domain/services/matching.ts `drainMarkets`), until none is left. A market with few waiting
 * commands takes along up to `groupMarkets` − 1 other markets' in the same transaction (10 000
 * quiet markets must not cost a commit per order); those are held here until that batch's
 * after-commit step is done. After each commit the notices are queued, the results announced
 * (one message per transaction on `resultChannel`, one market event per market), then alerts and
 * trigger notices and `onCommitted`. Memory per market is bounded too: the books are an LRU of
 * `bookCacheMax`, and a closed market's is dropped.
 *
 * Nothing rests on Redis or on this process surviving: every SWEEP_MS (and at start) the markets
 * with commands unapplied for STALE_MS are signalled again, so a lost job, a Redis restarted empty
 * or a worker killed mid-batch (its transaction rolled back, the commands still unapplied) resume
 * by themselves. The worker uses CRASH_SAFE options: a job may stall any number of times.
 */
export class MatchingSupervisor {
  private readonly conn: IORedis;
  private readonly queue: Queue;
  private readonly recorder: CommandRecorder;
  private worker: Worker | null = null;
  private readonly cache: BookCache;
  /**
   * This process's running drain per market, and whether another signal came while it ran; also
   * the markets another market's drain took along (until that batch's after-commit step is done).
   * Entries leave when their drain ends, so this holds at most `concurrency` × `groupMarkets` markets.
   */
  private readonly running = new Map<number, { done: Promise<void>; again: boolean; held: boolean }>();
  private sweeper: NodeJS.Timeout | null = null;
  private sweeps = 0;
  private closed = false;
  /**
   * `user:Moscow day` of traders whose season place and trading achievements were checked after a
   * fill today. Both depend only on whether the user traded on a day (first fill, a run of days,
   * the season of the day), so later fills the same day cannot earn more: checking once per user
   * and day takes the per-trader queries off the hot path. A restarted process checks again (the
   * checks are idempotent).
   */
  private readonly checkedToday = new LRUCache<string, true>({ max: 100_000 });
  /** The markets whose waiting commands are looked up in the next shared statement (see {@link hasWaiting}). */
  private checks: { ids: Set<number>; found: Promise<Set<number>> } | null = null;

  constructor(private readonly deps: MatchingDeps) {
    this.cache = new BookCache(deps.bookCacheMax);
    this.conn = createRedis(deps.redisUrl);
    this.queue = new Queue(MATCHING_QUEUE, { connection: this.conn, prefix: bullPrefix(deps.prefix) });
    // While Redis is away signals fail (the sweep resends them once it is back): log, never crash.
    this.queue.on('error', (err) => deps.logger.warn({ err }, 'matching queue error'));
    this.recorder = new CommandRecorder(deps.ds, (signals) => signalDrains(this.queue, signals),
      (err) => deps.logger.warn({ err }, 'could not signal a market'));
  }

  /** Starts the worker and the sweep (which runs once now). */
  async start(): Promise<void> {
    this.worker = new Worker(MATCHING_QUEUE, (job: Job<DrainJob>) => this.drain(job.data.marketId), {
      connection: redisOptions(this.deps.redisUrl), prefix: bullPrefix(this.deps.prefix), concurrency: this.deps.concurrency ?? 8, ...CRASH_SAFE,
    });
    this.worker.on('failed', (job, err) => this.deps.logger.error({ err, jobId: job?.id, marketId: job?.data.marketId }, 'drain job failed'));
    this.worker.on('error', (err) => this.deps.logger.warn({ err }, 'matching worker error'));
    await this.sweep().catch((err: unknown) => this.deps.logger.error({ err }, 'command sweep failed'));
    this.sweeper = setInterval(() => void this.sweep().catch((err: unknown) => this.deps.logger.error({ err }, 'command sweep failed')), SWEEP_MS);
  }

  private signal(marketId: number, jobId: string): Promise<void> {
    return signalDrain(this.queue, marketId, jobId);
  }

  /**
   * Signals again every market whose commands wait for more than STALE_MS (BUSY_STALE_MS while
   * drain jobs wait in the queue), but those this process is draining. The job id is new each time,
   * so a job still locked by a dead process does not swallow the signal.
   */
  private async sweep(): Promise<void> {
    const now = Date.now();
    const busy = (await this.queue.getWaitingCount().catch(() => 0)) > 0;
    const stale = await marketsWithStaleCommands(this.deps.ds.manager, busy ? BUSY_STALE_MS : STALE_MS);
    // A market this process is draining (or holds for a drain) is being served: its drain looks
    // until nothing waits. With thousands of markets behind a backlog, signalling them again would
    // only add jobs; if they still wait when no longer held, the next sweep signals them.
    await Promise.all(stale.filter((s) => !this.running.has(s.marketId)).map((s) => this.signal(s.marketId, `sweep-${s.marketId}-${s.seq}-${now}`)));
    // Results owed to users who were told "queued", whose notice a crash or an outage lost.
    const late = await lateUnnotified(this.deps.ds, LATE_REDELIVER_MS, LATE_REDELIVER_MAX);
    if (late.length > 0) await this.tellLate(late);
    // Alerts and trigger sells a crash left between commit and delivery (issue 11).
    if (this.sweeps++ % REDELIVER_EVERY === 0) {
      await redeliverPending(this.deps, (sells) => this.recordSells(sells));
    }
  }

  /**
   * Sends the result notices of late commands and then marks them sent: a crash between the two
   * leaves them unmarked, and the repeat is dropped by the notifier's dedupe key (`late-<seq>`).
   */
  private async tellLate(late: readonly LateResult[]): Promise<void> {
    for (const job of await lateResultMessages(this.deps.ds.manager, late)) await this.deps.notifier.notify(job);
    await markLateNotified(this.deps.ds, late.map((l) => l.seq));
  }

  private async recordSells(sells: readonly MatchingCommand[]): Promise<void> {
    await Promise.all(sells.map((cmd) => this.recorder.record({ cmd, reqId: cmd.idempotencyKey })));
  }

  /**
   * Drains a market; a signal for a market this process is draining (or has taken along in another
   * market's drain) joins that drain (which then looks once more), so one process holds one
   * database connection per market at most and each market's after-commit steps run in order.
   */
  async drain(marketId: number): Promise<void> {
    const run = this.running.get(marketId);
    if (run) {
      run.again = true;
      // Taken along by another drain: that one applies what waits, and this market looks again
      // after it. The job ends now rather than hold a worker slot meanwhile (the commands are
      // durable; the sweep resignals them if this process dies first).
      return run.held ? undefined : run.done;
    }
    return this.begin(marketId, Promise.resolve(), true);
  }

  /**
   * Registers this process's drain of `marketId`: once `gate` resolves it drains (at once if
   * `first`, then as long as signals came meanwhile), then leaves `running`.
   */
  private begin(marketId: number, gate: Promise<void>, first: boolean): Promise<void> {
    const state = { done: Promise.resolve(), again: false, held: !first };
    state.done = (async () => {
      try {
        await gate;
        state.held = false;
        let go = first || (state.again && !this.closed);
        while (go) {
          state.again = false;
          await this.drainAll(marketId);
          go = state.again && !this.closed;
        }
      } finally {
        this.running.delete(marketId);
      }
    })();
    this.running.set(marketId, state);
    return state.done;
  }

  /**
   * Takes along (up to `most`) those of `candidates` no drain of this process holds (and those `group` took
   * already, a rerun of the transaction): each is held in `running` until `group`'s release.
   */
  private claim(candidates: readonly number[], most: number, group: Map<number, (again: boolean) => void>): number[] {
    const out: number[] = [];
    for (const id of candidates) {
      if (out.length >= most) break;
      if (!group.has(id)) {
        if (this.running.has(id) || this.closed) continue;
        let open!: () => void;
        const gate = new Promise<void>((r) => (open = r));
        this.begin(id, gate, false).catch((err: unknown) => this.deps.logger.error({ err, marketId: id }, 'drain failed'));
        group.set(id, (again) => {
          if (again) this.running.get(id)!.again = true;
          open();
        });
      }
      out.push(id);
    }
    return out;
  }

  /**
   * Whether market `marketId` has commands waiting. Most signals of a market that another drain
   * took along find nothing: the lookups of one tick share one statement (sweeps.ts marketsWaiting)
   * instead of costing a transaction each.
   */
  private hasWaiting(marketId: number): Promise<boolean> {
    if (!this.checks) {
      const ids = new Set<number>();
      const found = new Promise<Set<number>>((resolve, reject) => setImmediate(() => {
        this.checks = null;
        marketsWaiting(this.deps.ds.manager, [...ids]).then(resolve, reject);
      }));
      this.checks = { ids, found };
    }
    this.checks.ids.add(marketId);
    return this.checks.found.then((s) => s.has(marketId));
  }

  /**
   * Batch after batch until none is left. The after-commit work of a batch overlaps the next
   * batch's transaction, but the batches' after-commit steps run one after another in order, so
   * each chat's notices and each waiter's result still come in `seq` order. A batch may take other
   * markets' waiting commands along (drainMarkets); those markets stay held by this drain until
   * the batch's after-commit step is done, and one it held but did not drain looks again itself.
   */
  private async drainAll(marketId: number): Promise<void> {
    const max = this.deps.batchMax ?? BATCH_MAX;
    const maxMarkets = this.deps.groupMarkets ?? GROUP_MARKETS;
    let after = Promise.resolve();
    try {
      for (;;) {
        if (!(await this.hasWaiting(marketId))) return;
        const group = new Map<number, (again: boolean) => void>();
        let outs: MarketDrain[];
        try {
          outs = await drainMarkets(this.deps.ds, this.cache, marketId, {
            max, maxMarkets, claim: (c, most) => this.claim(c, most, group), beforeCommit: () => faultPoint('matching-before-commit'),
          });
        } catch (e) {
          for (const release of group.values()) release(true);
          throw e;
        }
        const drained = new Set(outs.map((o) => o.marketId));
        for (const [id, release] of group) {
          if (!drained.has(id)) {
            release(true);
            group.delete(id);
          }
        }
        if (outs.length > 0) faultPoint('matching-after-commit');
        if (outs.length > 0) {
          after = after.then(() => withRequestId(outs[0]!.cmds[0]?.reqId, () => this.afterCommit(outs)))
            .catch((err: unknown) => this.deps.logger.error({ err, marketId }, 'after-commit step failed'));
        }
        after = after.then(() => {
          for (const release of group.values()) release(false);
        });
        if (outs[0]?.marketId !== marketId) return;
      }
    } finally {
      await after;
    }
  }

  /**
   * Everything after a transaction's commit (one market's batch, or several markets' drained
   * together); none of it may fail the batch (it is committed).
   */
  private async afterCommit(outs: readonly MarketDrain[]): Promise<void> {
    const cmds = outs.flatMap((o) => o.cmds.map((p) => p.cmd));
    const results = outs.flatMap((o) => o.results);
    const notices = outs.flatMap((o) => o.notices);
    countResults(cmds, results);
    // The batch's notices are queued BEFORE its results are announced (issue 15): whoever waits on
    // a result and then notifies the same chats (an early resolution waits on its `close`, then
    // announces the outcome) queues behind them, so each chat reads "trading closed" first.
    if (notices.length > 0) {
      try {
        // Issued at once, not one round trip each: the Notifier keeps call order per chat.
        const jobs = await noticeMessages(this.deps.ds.manager, notices);
        await Promise.all(jobs.map((n) => this.deps.notifier.notify(n)));
      } catch (err) {
        this.deps.logger.error({ err, marketIds: outs.map((o) => o.marketId) }, 'could not queue notices');
      }
    }
    // Results of commands the bot answered "queued": told once now (the sweep repeats a lost one).
    const late = outs.flatMap((o) => {
      const bySeq = new Map(o.cmds.map((p, i) => [p.seq, { cmd: p.cmd, result: o.results[i]! }]));
      return o.late.map((l) => ({ ...l, ...bySeq.get(l.seq)! }));
    });
    if (late.length > 0) {
      await this.tellLate(late).catch((err: unknown) =>
        this.deps.logger.warn({ err, marketIds: outs.map((o) => o.marketId) }, 'could not tell late results (the sweep retries)'));
    }
    // Fired alerts and finished triggers (issue 11); the batch's trigger sells are already recorded.
    await deliverWatch(this.deps, outs.reduce((w, o) => mergeWatch(w, o.watch), NO_WATCH), (sells) => this.recordSells(sells));
    const message: ResultMessage = cmds.map((c, i) => [c.idempotencyKey, results[i]!]);
    try {
      const tx = this.conn.multi().publish(resultChannel(this.deps.prefix), JSON.stringify(message));
      for (const o of outs) tx.publish(marketEventsChannel(this.deps.prefix), String(o.marketId));
      await tx.exec();
    } catch (err) {
      // Waiters also read the results from the command log.
      this.deps.logger.warn({ err, marketIds: outs.map((o) => o.marketId) }, 'could not announce results');
    }
    await this.afterFills(cmds, { results, notices });
    await this.deps.onCommitted?.(outs.map((o) => o.marketId)).catch((err: unknown) =>
      this.deps.logger.error({ err, marketIds: outs.map((o) => o.marketId) }, 'could not schedule card redraw'));
  }

  /**
   * The growth hooks after a committed batch (issue 12): the takers and makers who traded may have
   * just completed an invitation (first fill after a deposit) or earned an achievement. Idempotent
   * in the domain, so a rerun of this job pays and awards nothing twice; a failure is logged, never
   * retried through the trade.
   */
  private async afterFills(cmds: readonly MatchingCommand[], out: Pick<MarketDrain, 'results' | 'notices'>): Promise<void> {
    const policy = this.deps.referral;
    const traded = new Set<number>();
    cmds.forEach((c, i) => {
      const r = out.results[i];
      if (c.type === 'place' && r?.ok && (r.outcome?.filled ?? 0) > 0) traded.add(c.userId);
    });
    for (const n of out.notices) if (n.kind === 'fill') traded.add(n.userId);
    if (traded.size === 0) return;
    let checking: string[] = [];
    try {
      // A deposit can come between two fills of one day: invitations are checked after every fill.
      const rewards = policy ? await rewardReferrals(this.deps.ds, policy, [...traded]) : [];
      for (const job of await referralRewardMessages(this.deps.ds.manager, rewards)) await this.deps.notifier.notify(job);
      const now = new Date();
      const day = moscowDay(now);
      const keyOf = (u: number) => `${u}:${day}`;
      const fresh = [...traded].filter((u) => !this.checkedToday.has(keyOf(u)));
      // Claimed before the checks, so the hooks of other markets' batches running now skip them too.
      checking = fresh.map(keyOf);
      for (const k of checking) this.checkedToday.set(k, true);
      // A first fill of the season places the user in a league cohort.
      await joinSeason(this.deps.ds, fresh, now);
      // First trade, a 7-day streak, and (for inviters just rewarded) the first referral.
      const awards = [
        ...await awardAchievements(this.deps.ds, fresh, { now, only: ['first_trade', 'streak_7'] }),
        ...await awardAchievements(this.deps.ds, rewards.map((r) => r.inviterId), { now, only: ['first_referral'] }),
      ];
      for (const job of await achievementMessages(this.deps.ds.manager, awards)) await this.deps.notifier.notify(job);
    } catch (err) {
      // Not checked after all: the next fill checks again.
      for (const k of checking) this.checkedToday.delete(k);
      this.deps.logger.error({ err }, 'referral rewards or achievements after fills failed');
    }
  }

  /** Markets this process is draining or holds for a drain now (tests: none is left once all is applied). */
  get activeDrains(): number {
    return this.running.size;
  }

  /** The book cache (tests compare it with a rebuild). */
  get books(): BookCache {
    return this.cache;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await this.worker?.close();
    await this.recorder.settle();
    await this.queue.close();
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
