/**
 * Channel digests: a BullMQ job scheduler posts to `DIGEST_CHANNEL_ID` on `DIGEST_CRON` (Moscow
 * time) one photo (render/renderDigest: sparklines of the top movers) with a caption of the last
 * 24 h (biggest moves, new markets, outcomes, volume) and buttons into the bot at each market.
 *
 * Exactly one post per period, whatever runs: a period is named by the cron slot that ends it (the
 * scheduled run at that slot, or a run by hand before it), and the `digests` row of (channel,
 * period) decides its content once (domain/services/digest.ts claimDigest); the post goes through
 * the notifications pipeline with that same key as `dedupeKey`, so a run repeated after a crash
 * between the two steps sends the stored post again and the pipeline drops the copy. Nothing is
 * posted, or recorded, for a period in which nothing happened.
 */
import { defaultRepeatStrategy, Queue, QueueEvents, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Telegram } from 'telegraf';
import type { DataSource } from 'typeorm';
import type { Language } from '../domain/entities';
import { digestSummary, isEmptyDigest } from '../domain/read/digest';
import { claimDigest, markDigestQueued } from '../domain/services/digest';
import { MOSCOW_TZ } from '../infra/format';
import { redisOptions } from '../infra/redis';
import { MAX_DIGEST_TILES, renderDigest } from '../render';
import { digestPost, type DigestPost } from '../messages/digest-post';
import type { Notifier } from './notifications/producer';
import { bullPrefix } from '../jobs/queues';
import { CRASH_SAFE, keepScheduler } from './resilience';

export const DIGEST_QUEUE = 'channel-digest';
const SCHEDULER_ID = 'channel-digest';
/** What a digest covers, ms. */
const WINDOW_MS = 24 * 3_600_000;

/** Where and when digests go (config DIGEST_CHANNEL_ID, DIGEST_CRON, DIGEST_LANG). */
export interface DigestSchedule {
  /** Telegram chat id of the channel (the bot must be an administrator there). */
  channelId: number;
  /** Cron pattern, Moscow time. */
  cron: string;
  lang: Language;
}

/** What one digest job posts. Scheduled jobs carry the configured schedule; a run by hand may name any channel. */
export type DigestJob = DigestSchedule;

/** What a run did: posted the period's digest, found it already posted, or found nothing to post. */
export type DigestOutcome = 'posted' | 'done' | 'nothing';

/**
 * The schedule of the config, or undefined when digests are off (no channel).
 * @throws Error when DIGEST_CHANNEL_ID is not a numeric chat id (the pipeline addresses chats by id).
 */
export function digestScheduleOf(config: { digestChannelId: string; digestCron: string; digestLang: Language }): DigestSchedule | undefined {
  if (!config.digestChannelId) return undefined;
  const channelId = Number(config.digestChannelId);
  if (!Number.isSafeInteger(channelId) || channelId === 0) throw new Error(`DIGEST_CHANNEL_ID must be a numeric chat id, got ${config.digestChannelId}`);
  return { channelId, cron: config.digestCron, lang: config.digestLang };
}

/** The period `atMs` belongs to: the ISO time of the first cron slot at or after it. */
export function periodKeyOf(cron: string, atMs: number): string {
  // BullMQ's own strategy gives the first slot strictly after its argument.
  const slot = defaultRepeatStrategy(atMs - 1, { pattern: cron, tz: MOSCOW_TZ });
  if (slot === undefined) throw new Error(`cron pattern ${cron} has no next slot`);
  return new Date(slot).toISOString();
}

export interface DigestDeps {
  ds: DataSource;
  notifier: Notifier;
  /** For the bot's username (the buttons' deep links). */
  telegram: Telegram;
}

/**
 * One digest run for the moment `atMs` (a scheduled job's slot, or when a job by hand was added).
 * Safe to run any number of times, at once or after a crash: see the module comment.
 */
export async function postDigest(deps: DigestDeps, job: DigestJob, atMs: number): Promise<DigestOutcome> {
  const periodKey = periodKeyOf(job.cron, atMs);
  const claim = await claimDigest<DigestPost>(deps.ds, job.channelId, periodKey, async () => {
    const summary = await digestSummary(deps.ds.manager, atMs - WINDOW_MS, atMs, MAX_DIGEST_TILES);
    if (isEmptyDigest(summary)) return null;
    return digestPost(job.lang, summary, (await deps.telegram.getMe()).username);
  });
  if (claim.state !== 'post') return claim.state;
  const png = await renderDigest(claim.content.image);
  const sent = await deps.notifier.notify({
    chatId: job.channelId, kind: 'photo', photo: { base64Png: png.toString('base64') },
    text: claim.content.caption, parseMode: 'HTML', replyMarkup: claim.content.keyboard,
    dedupeKey: `digest-${job.channelId}-${periodKey}`,
  });
  await markDigestQueued(deps.ds, job.channelId, periodKey);
  // 'duplicate': an earlier run queued it and died before recording that.
  return sent === 'duplicate' ? 'done' : 'posted';
}

/**
 * Starts the digest worker, and the scheduler when `schedule` is given; without it an old
 * scheduler is removed (digests were switched off), while runs by hand still work.
 */
export async function startChannelDigests(
  deps: DigestDeps & { redisUrl: string; prefix: string; logger: Logger; schedule?: DigestSchedule },
): Promise<{ close(): Promise<void> }> {
  const opts = { connection: redisOptions(deps.redisUrl), prefix: bullPrefix(deps.prefix) };
  const queue = new Queue<DigestJob>(DIGEST_QUEUE, opts);
  let scheduler: { stop(): void } | undefined;
  if (deps.schedule) {
    scheduler = await keepScheduler(queue, SCHEDULER_ID, { pattern: deps.schedule.cron, tz: MOSCOW_TZ }, {
      name: 'digest', data: deps.schedule,
      opts: { attempts: 5, backoff: { type: 'exponential', delay: 10_000 }, removeOnComplete: 100, removeOnFail: 100 },
    }, deps.logger);
  } else {
    await queue.removeJobScheduler(SCHEDULER_ID);
  }
  // A scheduled job's slot is `prevMillis`; a job added by hand counts from when it was added.
  const worker = new Worker<DigestJob, DigestOutcome>(DIGEST_QUEUE, (job: Job<DigestJob>) =>
    postDigest(deps, job.data, job.opts.prevMillis ?? job.timestamp), { ...opts, ...CRASH_SAFE });
  worker.on('failed', (job, err) => deps.logger.error({ err, channelId: job?.data.channelId }, 'channel digest failed'));
  return {
    close: async () => {
      scheduler?.stop();
      await worker.close();
      await queue.close();
    },
  };
}

/**
 * Runs a digest now instead of waiting for the cron (the demo, an operator): adds a job and waits
 * for its outcome. Within a period that already has its post this posts nothing more.
 */
export async function runDigestNow(redisUrl: string, prefix: string, job: DigestJob, timeoutMs = 30_000): Promise<DigestOutcome> {
  const opts = { connection: redisOptions(redisUrl), prefix: bullPrefix(prefix) };
  const queue = new Queue<DigestJob>(DIGEST_QUEUE, opts);
  const events = new QueueEvents(DIGEST_QUEUE, opts);
  try {
    await events.waitUntilReady();
    const added = await queue.add('digest', job, { removeOnComplete: 100, removeOnFail: 100 });
    return (await added.waitUntilFinished(events, timeoutMs)) as DigestOutcome;
  } finally {
    await events.close();
    await queue.close();
  }
}
