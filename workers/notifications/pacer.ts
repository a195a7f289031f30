/**
 * Telegram's budgets as spacing rules kept in Redis, shared by every worker process:
 * - per chat: one message every (1000 + jitter) / perChatPerSec ms, or for groups and channels
 *   (negative ids) every (60 000 + jitter) / groupPerMin ms when that is longer;
 * - bot-wide: a GCRA handing out one slot every (1000 + jitter) / globalPerSec ms;
 * - "not before" times from 429s, per chat and bot-wide.
 * Smooth spacing instead of windows means no burst can ever cross a window boundary twice.
 */
import type IORedis from 'ioredis';
import type { NotifyKeys } from './keys';
import { ACQUIRE, HOLD, PENALIZE } from './scripts';
import type { NotifyLimits } from './types';

/** A reserved slot (`sleepMs` until it) or, unreserved, when to try again. */
export type Slot = { reserved: true; sleepMs: number } | { reserved: false; retryInMs: number };

/** Milliseconds between two sends, derived from the limits. */
export interface Spacing {
  privateMs: number;
  groupMs: number;
  globalMs: number;
}

/** Integer spacings (ms) so max + 1 sends never fit in one window even `jitterMs` apart. */
export function spacing(l: NotifyLimits): Spacing {
  const privateMs = Math.ceil((1000 + l.jitterMs) / l.perChatPerSec);
  return {
    privateMs,
    groupMs: Math.max(privateMs, Math.ceil((60_000 + l.jitterMs) / l.groupPerMin)),
    globalMs: Math.ceil((1000 + l.jitterMs) / l.globalPerSec),
  };
}

/** Reserves send slots and records 429s. */
export class Pacer {
  readonly spacing: Spacing;

  constructor(
    private readonly redis: IORedis,
    private readonly keys: NotifyKeys,
    private readonly limits: NotifyLimits,
  ) {
    this.spacing = spacing(limits);
  }

  /** Try to reserve the next send to `chatId`. */
  async acquire(chatId: number): Promise<Slot> {
    const k = this.keys;
    const chatMs = chatId < 0 ? this.spacing.groupMs : this.spacing.privateMs;
    const [reserved, ms] = (await ACQUIRE.run(
      this.redis,
      [k.chatNext(chatId), k.chatNotBefore(chatId), k.globalNotBefore(), k.globalTat()],
      [chatMs, this.spacing.globalMs, this.limits.horizonMs],
    )) as [number, number];
    return reserved === 1 ? { reserved: true, sleepMs: Number(ms) } : { reserved: false, retryInMs: Number(ms) };
  }

  /**
   * Re-check a slot reserved `sleepMs` ago: a 429 that arrived while this job slept (another
   * worker's, or a bot-wide one) must hold it too. @returns ms still to wait (0: send now).
   */
  async hold(chatId: number): Promise<number> {
    return Number(await HOLD.run(this.redis, [this.keys.chatNotBefore(chatId), this.keys.globalNotBefore()], []));
  }

  /**
   * Honour a 429: nothing to `chatId` (and with `global`, to any chat) for retry_after seconds plus
   * the jitter margin, counted from now (after the answer arrived, so never shorter than Telegram's).
   * @returns the wait in ms.
   */
  async penalize(chatId: number, retryAfterSec: number, global: boolean): Promise<number> {
    const waitMs = Math.max(1, Math.ceil(retryAfterSec * 1000) + this.limits.jitterMs);
    await PENALIZE.run(this.redis, [this.keys.chatNotBefore(chatId), this.keys.globalNotBefore()], [waitMs, global ? '1' : '0']);
    return waitMs;
  }
}
