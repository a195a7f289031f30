import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { marketsPastDeadline, marketsWithExpiredOrders, resolvedMarkets } from '../domain/read/sweeps';
import { finalizeDue } from '../domain/services/resolution';
import { redisOptions } from '../infra/redis';
import { bullPrefix, MAINTENANCE_QUEUE, type Queues } from '../jobs/queues';
import { CRASH_SAFE, keepScheduler } from './resilience';

/** How often the scheduler looks for due deadlines and GTD expiries. */
export const TICK_MS = 5000;

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

/**
 * A BullMQ job scheduler (one tick every TICK_MS however many processes run it) that stops
 * trading at each market's deadline, finalizes undisputed outcomes and starts their settlement,
 * and expires due GTD orders — by enqueueing `close` / `expire`
 * commands on the market's own matching queue, so they apply in order with its trades and release
 * reserves under the market lock (DESIGN §4: open orders are cancelled when trading stops).
 * Sweep commands are keyed by market and time bucket, so duplicate ticks enqueue them once.
 */
export async function startMaintenance(deps: { ds: DataSource; redisUrl: string; prefix: string; queues: Queues; logger: Logger }): Promise<{ close(): Promise<void> }> {
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
