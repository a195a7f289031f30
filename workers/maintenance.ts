import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { marketsPastDeadline, marketsWithExpiredOrders, resolvedMarkets } from '../domain/read/sweeps';
import { finalizeDue } from '../domain/services/resolution';
import { pruneCommands } from '../domain/services/command-log';
import { redisOptions } from '../infra/redis';
import { bullPrefix, MAINTENANCE_QUEUE, type Queues } from '../jobs/queues';
import { CRASH_SAFE, keepScheduler } from './resilience';
import { seasonClosed } from '../domain/read/league';
import { closeSeason } from '../domain/services/leagues';
import { previousSeason, seasonOf } from '../domain/services/league-rules';
import type { Kop } from '../domain/money';
import { seasonResultMessages } from '../messages/league';
import type { Notifier } from './notifications/producer';

/** How often the scheduler looks for due deadlines and GTD expiries. */
export const TICK_MS = 5000;
/** Most expired commands deleted per tick: 2 000/s, more than the path records at its peak. */
export const PRUNE_PER_TICK = 10_000;

/**
 * Finalizes proposals whose dispute window is over (resolution.ts), then makes sure every resolved
 * market has its settlement job. Enqueueing for all resolved markets, not only the ones finalized
 * now, also covers a process that died between resolving a market and enqueueing its job; the job
 * id is the market's, so this adds nothing while the job exists. The admin who proposed the
 * outcome is shown the progress (a private chat's id is the user's Telegram id).
 */
async function settleDue(ds: DataSource, queues: Queues): Promise<void> {
  await finalizeDue(ds);
  for (const m of await resolvedMarkets(ds.manager)) await queues.enqueueSettlement(m.marketId, m.adminChatId ?? undefined);
}

/** Season close settings (issue 12): prizes per cohort place, and the clock (tests move it). */
export interface LeagueSchedule {
  prizes: ReadonlyMap<number, Kop>;
  now?: () => Date;
}

/**
 * Closes the season before the current one (issue 12) when it is not closed yet, then tells every
 * member their result. Safe to run on every tick and in every process: the close claims the season
 * in its transaction (domain/services/leagues.ts), so only one run writes and notifies.
 */
export async function closeDueSeason(ds: DataSource, notifier: Notifier, league: LeagueSchedule): Promise<number> {
  const now = league.now?.() ?? new Date();
  const season = previousSeason(seasonOf(now));
  if (await seasonClosed(ds.manager, season)) return 0;
  const results = await closeSeason(ds, season, league.prizes, now);
  if (!results || results.length === 0) return 0;
  for (const job of await seasonResultMessages(ds.manager, results)) await notifier.notify(job);
  return results.length;
}

/**
 * A BullMQ job scheduler (one tick every TICK_MS however many processes run it) that stops
 * trading at each market's deadline, finalizes undisputed outcomes and starts their settlement,
 * expires due GTD orders and deletes applied commands past their retention — by enqueueing `close` / `expire`
 * commands on the market's own matching queue, so they apply in order with its trades and release
 * reserves under the market lock (DESIGN §4: open orders are cancelled when trading stops).
 * Sweep commands are keyed by market and time bucket, so duplicate ticks enqueue them once.
 */
export async function startMaintenance(deps: {
  ds: DataSource; redisUrl: string; prefix: string; queues: Queues; logger: Logger;
  /** League season close (issue 12); absent: seasons are not closed by this process. */
  league?: { notifier: Notifier; schedule: LeagueSchedule };
  /** Applied commands older than this (ms) are deleted, PRUNE_PER_TICK per tick; absent: kept. */
  commandsRetentionMs?: number;
}): Promise<{ close(): Promise<void> }> {
  const opts = { connection: redisOptions(deps.redisUrl), prefix: bullPrefix(deps.prefix) };
  const queue = new Queue(MAINTENANCE_QUEUE, opts);
  const scheduler = await keepScheduler(queue, 'tick', { every: TICK_MS }, { name: 'tick', opts: { removeOnComplete: true, removeOnFail: 100 } }, deps.logger);
  const worker = new Worker(MAINTENANCE_QUEUE, async () => {
    for (const marketId of await marketsPastDeadline(deps.ds.manager)) {
      await deps.queues.enqueue({ type: 'close', idempotencyKey: `close-${marketId}`, marketId });
    }
    await settleDue(deps.ds, deps.queues);
    const bucket = Math.floor(Date.now() / TICK_MS);
    for (const marketId of await marketsWithExpiredOrders(deps.ds.manager)) {
      await deps.queues.enqueue({ type: 'expire', idempotencyKey: `expire-${marketId}-${bucket}`, marketId });
    }
    if (deps.league) await closeDueSeason(deps.ds, deps.league.notifier, deps.league.schedule);
    if (deps.commandsRetentionMs) await pruneCommands(deps.ds, new Date(Date.now() - deps.commandsRetentionMs), PRUNE_PER_TICK);
  }, { ...opts, ...CRASH_SAFE });
  worker.on('failed', (_job, err) => deps.logger.error({ err }, 'maintenance tick failed'));
  return {
    close: async () => {
      scheduler.stop();
      await worker.close();
      await queue.close();
    },
  };
}
