/**
 * The morning watchlist digest (issue 11): a BullMQ job scheduler at 09:00 Moscow time (one job per
 * morning however many worker processes run) sends each watcher of an open market the digest of
 * their watched markets (messages/watch-digest.ts) through the notifications pipeline, where the
 * user's switch for 'digests' (off, silent, quiet hours) applies. Rerunning a morning's job sends
 * nothing twice (dedupe key per user and Moscow day).
 */
import { Queue, Worker, type Job } from 'bullmq';
import { DateTime } from 'luxon';
import { watchersOfOpenMarkets } from '../domain/read/watchlist';
import { MOSCOW_TZ } from '../infra/format';
import { redisOptions } from '../infra/redis';
import { bullPrefix } from '../jobs/queues';
import { watchDigestMessages } from '../messages/watch-digest';
import type { WorkerContext } from './context';
import { CRASH_SAFE, keepScheduler } from './resilience';

export const WATCH_DIGEST_QUEUE = 'watch-digest';
/** Every day at 09:00 Moscow time (the hour the daily notification summaries go out). */
export const WATCH_DIGEST_CRON = '0 9 * * *';
/** Users worded and queued per database round of the job. */
const CHUNK = 200;

/** Queues the digest of every watcher for the Moscow day of `at`. @returns messages queued (duplicates of a rerun not counted). */
export async function sendWatchDigests(ctx: Pick<WorkerContext, 'ds' | 'notifier'>, at: Date): Promise<number> {
  const day = DateTime.fromJSDate(at, { zone: MOSCOW_TZ }).toISODate()!;
  const users = await watchersOfOpenMarkets(ctx.ds.manager);
  let queued = 0;
  for (let i = 0; i < users.length; i += CHUNK) {
    for (const job of await watchDigestMessages(ctx.ds.manager, users.slice(i, i + CHUNK), day)) {
      if ((await ctx.notifier.notify(job)) === 'queued') queued++;
    }
  }
  return queued;
}

/** Starts the scheduler and its worker. */
export async function startWatchDigests(ctx: Omit<WorkerContext, 'telegram'>): Promise<{ close(): Promise<void> }> {
  const opts = { connection: redisOptions(ctx.redisUrl), prefix: bullPrefix(ctx.prefix) };
  const queue = new Queue(WATCH_DIGEST_QUEUE, opts);
  const scheduler = await keepScheduler(queue, 'morning', { pattern: WATCH_DIGEST_CRON, tz: MOSCOW_TZ },
    { name: 'digest', opts: { removeOnComplete: 100, removeOnFail: 100 } }, ctx.logger);
  // The planned slot (prevMillis) names the day, so a job that runs late still digests its morning.
  const worker = new Worker(WATCH_DIGEST_QUEUE, (job: Job) => sendWatchDigests(ctx, new Date(job.opts.prevMillis ?? job.timestamp)), { ...opts, ...CRASH_SAFE });
  worker.on('failed', (_job, err) => ctx.logger.error({ err }, 'watchlist digest failed'));
  return {
    close: async () => {
      scheduler.stop();
      await worker.close();
      await queue.close();
    },
  };
}
