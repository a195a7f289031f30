import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { finalizeDue } from '../domain/services/resolution';
import { redisOptions } from '../infra/redis';
import { bullPrefix, MAINTENANCE_QUEUE, type Queues } from '../jobs/queues';

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
  const resolved: { id: string; admin: string | null }[] = await ds.query(
    `SELECT m.id, u.telegram_id AS admin FROM markets m LEFT JOIN users u ON u.id = m.proposed_by WHERE m.status = 'resolved'`);
  for (const m of resolved) await queues.enqueueSettlement(Number(m.id), m.admin === null ? undefined : Number(m.admin));
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
  await queue.upsertJobScheduler('tick', { every: TICK_MS }, { name: 'tick', opts: { removeOnComplete: true, removeOnFail: 100 } });
  const worker = new Worker(MAINTENANCE_QUEUE, async () => {
    const due: { id: string }[] = await deps.ds.query(`SELECT id FROM markets WHERE status = 'open' AND deadline <= now()`);
    for (const m of due) {
      await deps.queues.enqueue({ type: 'close', idempotencyKey: `close-${m.id}`, marketId: Number(m.id) });
    }
    await settleDue(deps.ds, deps.queues);
    const expiring: { market_id: string }[] = await deps.ds.query(
      `SELECT DISTINCT market_id FROM orders WHERE status = 'open' AND expires_at <= now()`);
    const bucket = Math.floor(Date.now() / TICK_MS);
    for (const m of expiring) {
      await deps.queues.enqueue({ type: 'expire', idempotencyKey: `expire-${m.market_id}-${bucket}`, marketId: Number(m.market_id) });
    }
  }, opts);
  worker.on('failed', (_job, err) => deps.logger.error({ err }, 'maintenance tick failed'));
  return {
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}
