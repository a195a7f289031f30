import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { createRedis } from '../../infra/redis';
import { currentRequestId } from '../../infra/request-context';
import { NOTIFICATIONS_QUEUE, NotifyKeys } from './keys';
import { LaneStore } from './lanes';
import { addPump } from './pumpJobs';
import { notificationJobSchema, type NotificationJob } from './types';

/** How long a dedupeKey is remembered (ms): longer than any redelivery of the event that caused it. */
export const DEFAULT_DEDUPE_TTL_MS = 30 * 24 * 3600_000;

/** What notify did with the job. */
export type NotifyOutcome = 'queued' | 'coalesced' | 'duplicate';

/**
 * The producer side of the notifications pipeline, used by the bot and the other workers after
 * their transaction committed.
 *
 * Deduplication: the brief's "dedupeKey → BullMQ jobId" cannot work here, because a message is not
 * its own job (it waits in its chat's lane behind earlier ones), and a jobId only dedupes while the
 * job record exists. So `dedupeKey` is an idempotency key set in the same atomic script that
 * enqueues (SET NX with a TTL): the same event is accepted once, and a failure leaves no marker.
 */
export class Notifier {
  private readonly redis: IORedis;
  private readonly ownsRedis: boolean;
  private readonly queue: Queue;
  private readonly lanes: LaneStore;

  /**
   * @param connection a Redis URL (the Notifier opens and closes its own connection) or a shared
   *   ioredis instance (left open by close()).
   * @param prefix BullMQ key prefix (config QUEUE_PREFIX); the worker must use the same.
   */
  constructor(connection: string | IORedis, prefix: string, private readonly opts: { dedupeTtlMs?: number } = {}) {
    this.ownsRedis = typeof connection === 'string';
    this.redis = typeof connection === 'string' ? createRedis(connection) : connection;
    this.queue = new Queue(NOTIFICATIONS_QUEUE, { connection: this.redis, prefix });
    this.lanes = new LaneStore(this.redis, new NotifyKeys(prefix));
  }

  /**
   * Queue one notification. Per chat, jobs are delivered in the order their notify() calls reached
   * Redis: calls from one caller keep their call order even without awaiting each (one connection,
   * one command per call, issued synchronously).
   * @returns 'duplicate' when `dedupeKey` was seen before, 'coalesced' when it replaced a pending
   *   job with the same `coalesceKey`, else 'queued'.
   * @throws ZodError when the job is malformed (missing text, both message id forms, ...).
   */
  async notify(job: NotificationJob): Promise<NotifyOutcome> {
    const reqId = job.reqId ?? currentRequestId();
    const valid = notificationJobSchema.parse(reqId ? { ...job, reqId } : job);
    const dedupe = valid.dedupeKey ? { key: valid.dedupeKey, ttlMs: this.opts.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS } : undefined;
    const res = await this.lanes.enqueue(valid.chatId, JSON.stringify(valid), valid.coalesceKey, dedupe);
    if (res.gen > 0) await addPump(this.queue, valid.chatId, res.gen);
    return res.state;
  }

  /** Close the queue (and the connection when the Notifier opened it). */
  async close(): Promise<void> {
    await this.queue.close();
    if (this.ownsRedis) await this.redis.quit();
  }
}
