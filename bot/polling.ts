/**
 * Long polling that keeps every chat responsive.
 *
 * Telegraf's built-in polling handles a getUpdates batch with `Promise.all` and fetches the next
 * batch only when all of it is done, so one slow update (a card render, an order waiting for its
 * matching worker) holds up every other user; and it runs one user's updates of a batch at the
 * same time, in no particular order. This runner (the idea of grammY's runner with
 * `sequentialize`) fetches continuously, runs updates of different chats concurrently, and runs
 * each chat's updates one after another in arrival order. Pre-checkout queries get lanes of their
 * own: Telegram waits only 10 s for their answer. So do successful payments, and the batch that
 * holds one is confirmed (by the next getUpdates) only once the payment is recorded: a payment the
 * database could not record, or whose process died, is delivered again (bot/redelivery.ts).
 */
import { TelegramError, type Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Logger } from 'pino';
import { retryDelayMs } from '../infra/telegram-policy';
import type { BotContext } from './context';
import { paymentOf, RedeliveryNeeded } from './redelivery';

/** Bot API getUpdates long-poll timeout, seconds. */
const POLL_TIMEOUT_SEC = 30;
/** Updates handled at once across all chats; beyond it, fetching pauses (back-pressure). */
const MAX_IN_FLIGHT = 200;

/** The update types the bot asks for (launch.ts ALLOWED_UPDATES). */
export type UpdateType = 'message' | 'callback_query' | 'pre_checkout_query' | 'inline_query' | 'chosen_inline_result' | 'my_chat_member';

/** The lane an update runs in: its chat (plus sender), or its own for pre-checkout queries. */
function laneOf(update: Update): string {
  if ('pre_checkout_query' in update) return `pcq:${update.pre_checkout_query.id}`;
  if (paymentOf(update)) return `pay:${update.update_id}`;
  if ('message' in update) return `c:${update.message.chat.id}:${update.message.from?.id ?? 0}`;
  if ('callback_query' in update) {
    const q = update.callback_query;
    return `c:${q.message?.chat.id ?? 'inline'}:${q.from.id}`;
  }
  return `u:${update.update_id}`;
}

export class UpdateRunner {
  private readonly abort = new AbortController();
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private offset = 0;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly bot: Telegraf<BotContext>,
    private readonly logger: Logger,
    private readonly allowedUpdates: readonly UpdateType[],
  ) {}

  /** Removes any webhook (Bot API: getUpdates refuses to work while one is set) and starts fetching. */
  async start(): Promise<void> {
    await this.bot.telegram.deleteWebhook();
    this.loop = this.fetchLoop();
    this.loop.catch((err: unknown) => this.logger.fatal({ err }, 'long polling stopped'));
  }

  /**
   * Stops fetching, waits for the updates in flight, then confirms the last offset to Telegram so
   * they are not delivered again to the next process.
   */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop?.catch(() => undefined);
    await Promise.all(this.inFlight);
    if (this.offset > 0) {
      await this.bot.telegram.callApi('getUpdates', { offset: this.offset, limit: 1, timeout: 0 })
        .catch((err: unknown) => this.logger.warn({ err }, 'could not confirm the update offset'));
    }
  }

  private async fetchLoop(): Promise<void> {
    let failures = 0;
    let paymentFailures = 0;
    while (!this.abort.signal.aborted) {
      let updates: Update[];
      try {
        updates = await this.bot.telegram.callApi('getUpdates', {
          offset: this.offset, timeout: POLL_TIMEOUT_SEC, allowed_updates: [...this.allowedUpdates],
        // Telegraf types the signal with the abort-controller polyfill; Node's own AbortSignal is what it uses at runtime.
        }, { signal: this.abort.signal as never });
        failures = 0;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        // 401: the token was revoked; 409: another process polls or a webhook is set. Retrying is wrong.
        if (err instanceof TelegramError && (err.code === 401 || err.code === 409)) throw err;
        // The shared policy's delays (retry_after, else capped exponential); polling never gives up.
        const wait = retryDelayMs(err, ++failures);
        this.logger.warn({ err, waitMs: wait }, 'getUpdates failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      const payments: { updateId: number; run: Promise<unknown> }[] = [];
      for (const update of updates) {
        this.offset = update.update_id + 1;
        const run = this.dispatch(update);
        if (paymentOf(update)) payments.push({ updateId: update.update_id, run });
      }
      // The next getUpdates confirms this batch: a payment must be recorded first. One that could
      // not be is fetched again (with what came after it, dropped as redelivered) after a pause.
      const failed = (await Promise.all(payments.map(async (p) => ((await p.run) instanceof RedeliveryNeeded ? p : null))))
        .filter((p) => p !== null);
      if (failed.length > 0) {
        this.offset = Math.min(...failed.map((p) => p.updateId));
        const wait = retryDelayMs(null, ++paymentFailures);
        this.logger.warn({ updateId: this.offset, waitMs: wait }, 'payment not recorded, fetching it again');
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      if (payments.length > 0) paymentFailures = 0;
      while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    }
  }

  /** Queues the update behind the earlier ones of its lane. @returns when it ran: its error, if any (else undefined). */
  private dispatch(update: Update): Promise<unknown> {
    const lane = laneOf(update);
    let error: unknown;
    const run = (this.lanes.get(lane) ?? Promise.resolve())
      .then(() => this.bot.handleUpdate(update))
      // The error boundary handles handler errors; this only sees Telegraf's own (e.g. its 90 s
      // timeout) and a payment that must come again (bot/redelivery.ts).
      .catch((err: unknown) => {
        error = err;
        this.logger.error({ err, updateId: update.update_id }, 'update not handled');
      });
    this.lanes.set(lane, run);
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      if (this.lanes.get(lane) === run) this.lanes.delete(lane);
    });
    return run.then(() => error);
  }
}
