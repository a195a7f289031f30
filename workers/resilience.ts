/**
 * What keeps BullMQ work alive through crashes and a Redis that lost its data (issue 13).
 *
 * - A worker process that dies leaves its active jobs locked; BullMQ's stalled check moves them
 *   back to wait once the lock expires. By default a job stalled twice is failed ("job stalled more
 *   than allowable limit") and never runs again: our jobs are idempotent, so a job may stall any
 *   number of times and a short lock lets its market resume within seconds of the crash.
 * - Job schedulers live in Redis: `keepScheduler` upserts one now and again every few seconds, so a
 *   Redis that restarted empty gets it back without restarting the workers.
 */
import type { JobSchedulerTemplateOptions, Queue, RepeatOptions, WorkerOptions } from 'bullmq';
import type { Logger } from 'pino';

/**
 * Worker options for idempotent jobs: a 5 s lock (renewed every 2.5 s while the job runs), the
 * stalled check every 2.5 s, and no limit on how often a job may stall (BullMQ docs, "Stalled Jobs").
 */
export const CRASH_SAFE: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> = {
  lockDuration: 5_000, stalledInterval: 2_500, maxStalledCount: Number.MAX_SAFE_INTEGER,
};

/** How often schedulers are upserted again, ms. */
export const SCHEDULER_REFRESH_MS = 10_000;

/**
 * Upserts job scheduler `id` of `queue` now (errors reach the caller) and every `everyMs` after
 * (errors logged: Redis may be down). upsertJobScheduler only updates an existing scheduler, so
 * repeating it never adds a job. Returns a stopper.
 */
export async function keepScheduler(
  queue: Queue, id: string, repeat: Omit<RepeatOptions, 'key'>, template: { name?: string; data?: unknown; opts?: JobSchedulerTemplateOptions },
  logger: Pick<Logger, 'warn'>, everyMs = SCHEDULER_REFRESH_MS,
): Promise<{ stop(): void }> {
  const upsert = () => queue.upsertJobScheduler(id, repeat, template);
  await upsert();
  const timer = setInterval(() => void upsert().catch((err: unknown) => logger.warn({ err, scheduler: id }, 'could not refresh job scheduler')), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
