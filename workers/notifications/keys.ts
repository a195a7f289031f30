import { chatNotBeforeKey } from '../../jobs/flood-marks';

/** The BullMQ queue of the notifications pipeline (holds "pump" jobs and the digest tick). */
export const NOTIFICATIONS_QUEUE = 'notifications';

/**
 * Our own Redis keys, next to BullMQ's under the same prefix, so one prefix (a fresh one per test
 * run) covers everything and a `{braced}` prefix puts them in BullMQ's Cluster slot.
 */
export class NotifyKeys {
  private readonly base: string;

  constructor(private readonly prefix: string) {
    this.base = `${prefix}:notify`;
  }

  /** List of item ids waiting for this chat, oldest first: the chat's FIFO lane. */
  lane(chatId: number): string {
    return `${this.base}:lane:${chatId}`;
  }

  /** Hash: item id → job JSON, `ck:<coalesceKey>` → pending item id, `#seq` → last item id. */
  items(chatId: number): string {
    return `${this.base}:items:${chatId}`;
  }

  /** The generation of the one live pump job of this chat (absent: nobody pumps it); expires as a lease. */
  pump(chatId: number): string {
    return `${this.base}:pump:${chatId}`;
  }

  /** Set of chat ids with a non-empty lane (the hourly sweep restarts pumps lost to a crash). */
  chats(): string {
    return `${this.base}:chats`;
  }

  /** Counter giving every pump generation a unique number, so pump job ids never repeat. */
  gen(): string {
    return `${this.base}:gen`;
  }

  /** Marker of an event already accepted (see Notifier.notify). */
  dedupe(key: string): string {
    return `${this.base}:dedupe:${key}`;
  }

  /** Earliest time (ms, Redis clock) the chat may get its next message. */
  chatNext(chatId: number): string {
    return `${this.base}:next:${chatId}`;
  }

  /** The chat's "not before" time after a 429 (ms, Redis clock). */
  chatNotBefore(chatId: number): string {
    // Shared with the bot's replies (jobs/flood-marks.ts): one chat, one flood wait.
    return chatNotBeforeKey(this.prefix, chatId);
  }

  /** Theoretical arrival time of the bot-wide GCRA: the next free global slot (ms, Redis clock). */
  globalTat(): string {
    return `${this.base}:global:tat`;
  }

  /** Bot-wide "not before" after a 429 that hit the whole bot (ms, Redis clock). */
  globalNotBefore(): string {
    return `${this.base}:global:nb`;
  }

  /** List of a batched user's pending digest lines, oldest first. */
  digest(userId: number): string {
    return `${this.base}:digest:${userId}`;
  }

  /** Set of user ids with pending digest lines. */
  digestUsers(): string {
    return `${this.base}:digest:users`;
  }

  /** Set of user ids with a pending digest line that should sound (not from a silent topic). */
  digestLoud(): string {
    return `${this.base}:digest:loud`;
  }
}
