/**
 * A bot's pending updates and getUpdates semantics (https://core.telegram.org/bots/api#getupdates):
 * - update_id increases by one per update;
 * - an update is confirmed (and forgotten) once getUpdates is called with an offset above its id;
 *   a negative offset keeps only the last |offset| updates;
 * - `timeout` > 0 is long polling: the call returns as soon as at least one update is available;
 * - a second concurrent getUpdates terminates the first with 409 Conflict;
 * - allowed_updates filters update types created after it was set; [] means all types except
 *   chat_member, message_reaction and message_reaction_count; omitted keeps the previous setting.
 */
import type { Update } from 'telegraf/types';
import { ApiError } from './errors';
import { newFirstUpdateId } from './ids';

const NOT_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

interface Waiter {
  resolve: (u: Update[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  limit: number;
}

/** getUpdates parameters after validation. `timeout` is in seconds. */
export interface PollRequest {
  offset?: number;
  limit: number;
  timeout: number;
  allowedUpdates?: string[];
}

/** The queue of one bot. */
export class UpdateQueue {
  private items: Update[] = [];
  private nextId = newFirstUpdateId();
  private waiter: Waiter | undefined;
  private allowed: Set<string> | null = null;
  /** Every update ever created, for inspection by tests (not trimmed by confirmation). */
  readonly history: Update[] = [];

  /**
   * Enqueue an update; wakes a pending long poll.
   * @returns the update_id, or null when allowed_updates excludes this type (Telegram would not create it).
   */
  push(body: Record<string, unknown>): number | null {
    const type = Object.keys(body)[0] ?? '';
    if (!this.isAllowed(type)) return null;
    const update = { update_id: this.nextId++, ...body } as unknown as Update;
    this.items.push(update);
    this.history.push(update);
    this.wake();
    return update.update_id;
  }

  /** Number of unconfirmed updates (getWebhookInfo.pending_update_count). */
  get pending(): number {
    return this.items.length;
  }

  /** True while a long-polling getUpdates is waiting. */
  get isPolling(): boolean {
    return this.waiter !== undefined;
  }

  /** Set allowed_updates (from getUpdates or setWebhook). */
  setAllowed(list: string[] | undefined): void {
    if (list === undefined) return;
    this.allowed = list.length ? new Set(list) : null;
  }

  /** The current allowed_updates as getWebhookInfo reports it (undefined = default). */
  get allowedList(): string[] | undefined {
    return this.allowed ? [...this.allowed] : undefined;
  }

  /** Forget all pending updates (deleteWebhook/setWebhook with drop_pending_updates). */
  drop(): void {
    this.items = [];
  }

  /**
   * getUpdates. Resolves immediately when updates are available or timeout is 0, otherwise at the
   * first new update or after `timeout` seconds with [].
   * @param onAbort registers a callback for the client hanging up, so the waiter is released.
   * @rejects ApiError 409 when a newer getUpdates call terminates this one.
   */
  poll(req: PollRequest, onAbort: (cb: () => void) => void): Promise<Update[]> {
    this.setAllowed(req.allowedUpdates);
    this.confirm(req.offset);
    // The newer request wins, as on Telegram.
    if (this.waiter) {
      const old = this.waiter;
      this.waiter = undefined;
      clearTimeout(old.timer);
      old.reject(new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
    }
    if (this.items.length > 0 || req.timeout <= 0) return Promise.resolve(this.items.slice(0, req.limit));
    return new Promise<Update[]>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        limit: req.limit,
        timer: setTimeout(() => this.release(waiter, []), req.timeout * 1000),
      };
      this.waiter = waiter;
      onAbort(() => this.release(waiter, []));
    });
  }

  /** Answer a pending long poll with [] (server shutdown). */
  close(): void {
    if (this.waiter) this.release(this.waiter, []);
  }

  private confirm(offset: number | undefined): void {
    if (offset === undefined || offset === 0) return;
    if (offset < 0) {
      this.items = this.items.slice(offset);
      return;
    }
    this.items = this.items.filter((u) => u.update_id >= offset);
  }

  private wake(): void {
    const w = this.waiter;
    if (w) this.release(w, this.items.slice(0, w.limit));
  }

  private release(w: Waiter, updates: Update[]): void {
    if (this.waiter !== w) return;
    this.waiter = undefined;
    clearTimeout(w.timer);
    w.resolve(updates);
  }

  private isAllowed(type: string): boolean {
    return this.allowed ? this.allowed.has(type) : !NOT_BY_DEFAULT.has(type);
  }
}
