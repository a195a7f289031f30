/**
 * The notifications worker: one BullMQ queue holding one pump job per chat with pending messages
 * (see lanes.ts for why that keeps per-chat order) plus the hourly tick. All budget state lives in
 * Redis (pacer.ts), so any number of worker processes together stay within Telegram's limits.
 *
 * BullMQ's own rate limiter meters job activations slightly faster than the global send rate: ready
 * chats wait in BullMQ's queue instead of all being fetched and bounced back to the delayed set,
 * while the exact spacing is still decided in Redis at send time.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import type { Logger } from 'pino';
import type { Telegram } from 'telegraf';
import type { DataSource } from 'typeorm';
import type { Language } from '../../domain/entities';
import { createRedis } from '../../infra/redis';
import { NOTIFICATIONS_QUEUE, NotifyKeys } from './keys';
import { LaneStore } from './lanes';
import { Pacer } from './pacer';
import { runPump } from './pump';
import { DIGEST_JOB, type PumpData } from './pumpJobs';
import { runTick, scheduleTick } from './tick';
import { DEFAULT_LIMITS, type NotifyLimits } from './types';
import { Recipients } from './users';

/** Options of {@link startNotificationsWorker}. */
export interface NotificationsWorkerOptions {
  /** Redis URL, or an ioredis instance made with `maxRetriesPerRequest: null` (infra/redis createRedis). */
  connection: string | IORedis;
  /** BullMQ key prefix, the same as the producers'. */
  prefix: string;
  /** A telegraf Telegram client (`new Telegram(token, { apiRoot })`). */
  telegram: Telegram;
  ds: DataSource;
  logger: Logger;
  /** Localized first line of a digest summary (Telegram HTML), e.g. `(lang) => t(lang, 'notify.summary_header')`. */
  summaryHeader: (lang: Language) => string;
  /** Override Telegram's limits (tests scale them; production keeps the defaults). */
  limits?: Partial<NotifyLimits>;
  /** Jobs in flight per process (default 64: ≥ 30/s × (horizon + request time), with room for slow requests). */
  concurrency?: number;
  /** Abort a Bot API request after this long, ms (default 15 000); it is then retried. */
  sendTimeoutMs?: number;
}

/** A running worker. */
export interface NotificationsWorker {
  /** Stop fetching, let jobs in flight finish (each waits ≤ horizonMs + sendTimeoutMs), close connections. */
  close(): Promise<void>;
}

/** Start processing; also (re)registers the hourly tick. */
export async function startNotificationsWorker(opts: NotificationsWorkerOptions): Promise<NotificationsWorker> {
  const ownsRedis = typeof opts.connection === 'string';
  const redis = typeof opts.connection === 'string' ? createRedis(opts.connection) : opts.connection;
  const keys = new NotifyKeys(opts.prefix);
  const limits: NotifyLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const lanes = new LaneStore(redis, keys);
  const pacer = new Pacer(redis, keys, limits);
  const recipients = new Recipients(opts.ds);
  const queue = new Queue(NOTIFICATIONS_QUEUE, { connection: redis, prefix: opts.prefix });
  const log = opts.logger.child({ component: 'notifications' });
  const pumpCtx = { lanes, pacer, recipients, telegram: opts.telegram, queue, log, sendTimeoutMs: opts.sendTimeoutMs ?? 15_000 };
  const tickCtx = { lanes, recipients, queue, log, summaryHeader: opts.summaryHeader };

  const worker = new Worker(
    NOTIFICATIONS_QUEUE,
    async (job: Job, token?: string) => {
      if (job.name === DIGEST_JOB) return runTick(tickCtx, job);
      if (!token) throw new Error('BullMQ gave no lock token');
      return runPump(pumpCtx, job as Job<PumpData>, token);
    },
    {
      connection: redis,
      prefix: opts.prefix,
      concurrency: opts.concurrency ?? 64,
      // One activation per ~0.9 global spacing: see the module comment.
      limiter: { max: 1, duration: Math.max(1, Math.floor(pacer.spacing.globalMs * 0.9)) },
    },
  );
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, chatId: (job?.data as Partial<PumpData> | undefined)?.chatId, err: err.message }, 'notification failed'));
  worker.on('error', (err) => log.error({ err }, 'notifications worker error'));
  const tick = await scheduleTick(queue, log);

  return {
    async close() {
      tick.stop();
      await worker.close();
      await queue.close();
      if (ownsRedis) await redis.quit();
    },
  };
}
