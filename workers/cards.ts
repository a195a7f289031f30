/**
 * Keeps posted market cards (inline messages, group posts: domain/services/cards.ts) up to date.
 *
 * Batching, so a busy market never floods a group with edits: a committed matching transaction
 * adds its markets to the current CARD_REFRESH_MS window's set in Redis and schedules that
 * window's one delayed BullMQ job (deduped by job id); the job, at the window's end, looks up which
 * of the window's markets have cards at all (one statement) and redraws those from the market as
 * it is then, so every trade of the window lands in one edit. With 10 000 open markets almost none
 * has a card: a job and a query per market and window cost more than the trades (bench markets).
 * The edit goes through the notifications
 * pipeline with a `coalesceKey` per card (a pending edit is replaced by the newer one), paced on
 * the card's lane at the group budget; "message is not modified" and 429 are the pipeline's to
 * handle, and an edit identical to the last one sent is not made at all.
 *
 * Changes from outside the matching queue (resolution, settlement, a deadline passing) are caught
 * by a sweep every SWEEP_EVERY_MS: cards whose shown state differs from their market's are redrawn.
 * A settled market's cards get their last edit and are then left alone.
 */
import type { WorkerContext } from './context';
import { createHash } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { sharedCardMarkup, sharedCardModel, sharedCardText } from '../messages/shared-card';
import { cardFactsOf, marketsWithStaleCards } from '../domain/read/card-facts';
import { activeCards, markShown, marketsWithActiveCards } from '../domain/services/cards';
import { redisOptions } from '../infra/redis';
import { bullPrefix } from '../jobs/queues';
import { cardsChangedKey } from '../infra/ops-keys';
import { CRASH_SAFE, keepScheduler } from './resilience';

export const CARDS_QUEUE = 'cards';
/** A market's cards are redrawn at most once per window (ms): ≤ 12 edits a minute per card, well inside a group's 20. */
export const CARD_REFRESH_MS = 5_000;
/** How often cards are checked against state changes that do not pass through matching. */
const SWEEP_EVERY_MS = 10_000;
const SWEEP_SCHEDULER = 'cards-sweep';

/** The bot's username for the cards' deep links comes from `telegram` (getMe). */
export type CardsDeps = WorkerContext;

interface WindowJob {
  window: number;
}

/** A window's set of changed markets outlives its job by this much, ms (a job retried late still finds it). */
const CHANGED_TTL_MS = 3_600_000;

export class CardRefresher {
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private scheduler: { stop(): void } | null = null;
  private username: Promise<string> | null = null;

  constructor(private readonly deps: CardsDeps) {
    this.queue = new Queue(CARDS_QUEUE, { connection: redisOptions(deps.redisUrl), prefix: bullPrefix(deps.prefix) });
  }

  /** Starts the worker and the sweep scheduler (one sweep per period however many processes run). */
  async start(): Promise<void> {
    this.scheduler = await keepScheduler(this.queue, SWEEP_SCHEDULER, { every: SWEEP_EVERY_MS }, {
      name: 'sweep', opts: { removeOnComplete: true, removeOnFail: 100 },
    }, this.deps.logger);
    this.worker = new Worker(CARDS_QUEUE, (job: Job) => (job.name === 'sweep' ? this.sweep() : this.refreshWindow((job.data as WindowJob).window)), {
      connection: redisOptions(this.deps.redisUrl), prefix: bullPrefix(this.deps.prefix), concurrency: 4, ...CRASH_SAFE,
    });
    this.worker.on('failed', (job, err) => this.deps.logger.warn({ err, jobId: job?.id }, 'card redraw failed'));
  }

  /**
   * These markets may have moved (one committed transaction's): schedules one redraw of their cards
   * at the end of the current window. Called after the change committed, so the redraw (which runs
   * later) reads it. Two round trips whatever the number of markets.
   */
  async marketsChanged(marketIds: readonly number[]): Promise<void> {
    if (marketIds.length === 0) return;
    const now = Date.now();
    const window = Math.floor(now / CARD_REFRESH_MS);
    const key = cardsChangedKey(this.deps.prefix, window);
    const redis = await this.queue.client;
    await redis.multi().sadd(key, ...marketIds.map(String)).pexpire(key, CHANGED_TTL_MS).exec();
    const data: WindowJob = { window };
    await this.queue.add('window', data, {
      jobId: `cards-${window}`, delay: Math.max(0, (window + 1) * CARD_REFRESH_MS - now),
      attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { age: 3600 },
    });
  }

  /**
   * The window's job: redraws the cards of its changed markets that have any. A market is taken
   * off the set only once redrawn, and the set is read again until empty, so a market added while
   * the job runs is not lost, and a retried job redoes only what is left.
   */
  async refreshWindow(window: number): Promise<void> {
    const key = cardsChangedKey(this.deps.prefix, window);
    const redis = await this.queue.client;
    for (;;) {
      const ids = (await redis.smembers(key)).map(Number);
      if (ids.length === 0) return;
      for (const marketId of await marketsWithActiveCards(this.deps.ds.manager, ids)) await this.refresh(marketId);
      await redis.srem(key, ...ids.map(String));
    }
  }

  /** Redraws every active card of a market whose text or keyboard changed since it was last sent. */
  async refresh(marketId: number): Promise<void> {
    const m = this.deps.ds.manager;
    const cards = await activeCards(m, marketId);
    if (cards.length === 0) return;
    const facts = (await cardFactsOf(m, [marketId])).get(marketId);
    if (!facts) return;
    const model = sharedCardModel(facts);
    const username = await this.botUsername();
    for (const card of cards) {
      const text = sharedCardText(card.language, model);
      const replyMarkup = sharedCardMarkup(card.language, model, username);
      const hash = createHash('sha1').update(text).update(JSON.stringify(replyMarkup)).digest('hex');
      if (hash === card.shownHash && model.state === card.shownState) continue;
      if (hash !== card.shownHash) {
        await this.deps.notifier.notify({
          kind: 'edit_text', text, parseMode: 'HTML', replyMarkup, coalesceKey: `card-${card.id}`,
          ...(card.inlineMessageId !== null
            ? { chatId: card.laneId, inlineMessageId: card.inlineMessageId }
            : { chatId: card.chatId!, messageId: card.messageId! }),
        });
      }
      await markShown(m, card.id, { hash, state: model.state, final: model.state === 'settled' });
    }
  }

  private async sweep(): Promise<void> {
    for (const marketId of await marketsWithStaleCards(this.deps.ds.manager)) await this.refresh(marketId);
  }

  private botUsername(): Promise<string> {
    this.username ??= this.deps.telegram.getMe().then((me) => me.username);
    // A failed lookup is retried on the next redraw instead of being cached.
    this.username.catch(() => (this.username = null));
    return this.username;
  }

  async close(): Promise<void> {
    this.scheduler?.stop();
    await this.worker?.close();
    await this.queue.close();
  }
}
