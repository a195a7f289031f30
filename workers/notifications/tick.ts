/**
 * The hourly tick (a BullMQ job scheduler, so exactly one job per hour whatever the number of worker
 * processes): flush due digests, and give a new pump to any lane whose pump was lost with a crashed
 * process (its lease expired).
 */
import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import { MOSCOW_TZ } from '../../infra/format';
import { keepScheduler } from '../resilience';
import { flushDigests, type DigestContext } from './digest';
import { DIGEST_JOB, PRIORITY, addPump } from './pumpJobs';

/** Scheduler id; upserting it again (every worker start) only updates it. */
export const TICK_SCHEDULER = 'notifications-hourly';

/**
 * Register the tick: minute 0 of every hour, Moscow time (daily digests key off its 09:00), kept
 * in Redis while the worker runs (workers/resilience.ts). Returns a stopper.
 */
export function scheduleTick(queue: Queue, logger: Pick<Logger, 'warn'>): Promise<{ stop(): void }> {
  return keepScheduler(queue, TICK_SCHEDULER, { pattern: '0 * * * *', tz: MOSCOW_TZ },
    { name: DIGEST_JOB, opts: { priority: PRIORITY.tick, removeOnComplete: true, removeOnFail: 100 } }, logger);
}

/**
 * Run one tick. The time is the slot the scheduler planned (`prevMillis`), not the wall clock, so a
 * 09:00 tick that runs late still sends the daily digests.
 */
export async function runTick(ctx: DigestContext, job: Job): Promise<void> {
  const at = new Date(job.opts.prevMillis ?? Date.now());
  const queued = await flushDigests(ctx, at);
  const restarted = await restartOrphans(ctx);
  ctx.log.info({ at: at.toISOString(), queued, restarted }, 'notifications tick');
}

async function restartOrphans(ctx: DigestContext): Promise<number> {
  let restarted = 0;
  for (const chatId of await ctx.lanes.pendingChats()) {
    const gen = await ctx.lanes.restart(chatId);
    if (gen > 0) {
      await addPump(ctx.queue, chatId, gen);
      restarted++;
    }
  }
  return restarted;
}
