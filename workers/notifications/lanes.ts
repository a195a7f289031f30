/**
 * Per-chat lanes: the FIFO of a chat's pending notifications in Redis, and the pump generation that
 * says which single BullMQ job may send from it. Why this keeps order with many processes:
 *
 * - the order is fixed once, when `notify` appends to the lane in one atomic script (so it is the
 *   order in which producers' calls reached Redis);
 * - only the pump whose generation equals the chat's `pump` key may take or remove the head, and
 *   every step checks that generation inside its script; a pump job sends only the head and hands
 *   over to a new generation (a new job) after it, so two jobs never send for one chat at once,
 *   whichever worker process they run in;
 * - a retried job sends the same head again (at-least-once), never a later message first.
 */
import type IORedis from 'ioredis';
import type { NotifyKeys } from './keys';
import { ADVANCE, CLAIM, DROP, NOTIFY, RESTART, TAKE_DIGEST } from './scripts';

/**
 * How long a pump generation stays valid without progress (ms); every step renews it, and a
 * handoff adds its delay on top. It runs out when a process died between two steps: then the next
 * notify for the chat (or the hourly sweep) starts a new pump. Should a live pump outwait it (a
 * retry_after over 10 minutes), the new pump takes over and the old one finds itself stale, so
 * there is still only one sender.
 */
export const PUMP_LEASE_MS = 10 * 60_000;

/**
 * What an enqueue did: 'queued' (with `gen` > 0 when the chat had no pump and job `gen` must be
 * added), 'coalesced', 'duplicate' (dedupe key seen), or for a digest 'changed' (lines taken meanwhile).
 */
export interface EnqueueResult<S extends string> {
  state: S;
  gen: number;
}

/** The head of a lane as the pump sees it. */
export type Claim = { state: 'item'; id: string; payload: string } | { state: 'idle' | 'stale' };

/** After a head is done: stop, continue in this job, or hand over to pump `gen` after `delayMs`. */
export interface Advance {
  state: 'idle' | 'more' | 'stale';
  gen: number;
  delayMs: number;
}

/** Lane operations; all of them are single Lua scripts (see scripts.ts). */
export class LaneStore {
  constructor(
    private readonly redis: IORedis,
    private readonly keys: NotifyKeys,
  ) {}

  /** Append a job (JSON) to its chat's lane; `dedupeTtlMs` > 0 makes `dedupeKey` a once-only event. */
  async enqueue(chatId: number, payload: string, coalesceKey: string | undefined, dedupe?: { key: string; ttlMs: number }): Promise<EnqueueResult<'queued' | 'coalesced' | 'duplicate'>> {
    const k = this.keys;
    const res = await NOTIFY.run(
      this.redis,
      [k.lane(chatId), k.items(chatId), k.pump(chatId), k.chats(), k.gen(), k.dedupe(dedupe?.key ?? '')],
      [chatId, payload, coalesceKey ?? '', PUMP_LEASE_MS, dedupe?.ttlMs ?? 0],
    );
    return toEnqueueResult(res);
  }

  /** The head of the lane for pump `gen`. */
  async claim(chatId: number, gen: number): Promise<Claim> {
    const k = this.keys;
    const res = (await CLAIM.run(this.redis, [k.lane(chatId), k.items(chatId), k.pump(chatId), k.chats()], [gen, PUMP_LEASE_MS, chatId])) as string[];
    return res[0] === 'item' ? { state: 'item', id: String(res[1]), payload: String(res[2]) } : { state: res[0] as 'idle' | 'stale' };
  }

  /**
   * Remove head `id`. With `digest`, its line is filed for the user's next summary in the same step.
   * With `handoff`, a new generation is created for the next job (see Advance).
   */
  async advance(chatId: number, gen: number, id: string, opts: { handoff: boolean; digest?: { userId: number; line: string; loud?: boolean } }): Promise<Advance> {
    const k = this.keys;
    const userId = opts.digest?.userId ?? 0;
    const res = (await ADVANCE.run(
      this.redis,
      [
        k.lane(chatId), k.items(chatId), k.pump(chatId), k.chats(), k.gen(),
        k.chatNext(chatId), k.chatNotBefore(chatId), k.globalNotBefore(), k.digest(userId), k.digestUsers(), k.digestLoud(),
      ],
      [gen, id, opts.handoff ? '1' : '0', PUMP_LEASE_MS, chatId, opts.digest?.line ?? '', userId, opts.digest?.loud === false ? '0' : '1'],
    )) as [string, number, number];
    return { state: res[0] as Advance['state'], gen: Number(res[1]), delayMs: Number(res[2]) };
  }

  /** Drop the chat's lane and the user's digest lines. @returns how many messages were dropped (-1: stale pump). */
  async drop(chatId: number, gen: number, userId: number | undefined): Promise<number> {
    const k = this.keys;
    const id = userId ?? 0;
    return Number(await DROP.run(
      this.redis,
      [k.lane(chatId), k.items(chatId), k.pump(chatId), k.chats(), k.digest(id), k.digestUsers(), k.digestLoud()],
      [gen, chatId, id],
    ));
  }

  /** The pending digest lines of a user, oldest first. */
  digestLines(userId: number): Promise<string[]> {
    return this.redis.lrange(this.keys.digest(userId), 0, -1);
  }

  /** Users with pending digest lines. */
  async digestUsers(): Promise<number[]> {
    return (await this.redis.smembers(this.keys.digestUsers())).map(Number);
  }

  /** Whether any pending digest line of the user came from a message meant to sound (not silent). */
  async digestLoud(userId: number): Promise<boolean> {
    return (await this.redis.sismember(this.keys.digestLoud(), userId)) === 1;
  }

  /** Replace the first `count` digest lines of a user by one queued summary (payload JSON) for `chatId`. */
  async takeDigest(userId: number, count: number, chatId: number, payload: string): Promise<EnqueueResult<'queued' | 'changed'>> {
    const k = this.keys;
    const res = await TAKE_DIGEST.run(
      this.redis,
      [k.digest(userId), k.digestUsers(), k.lane(chatId), k.items(chatId), k.pump(chatId), k.chats(), k.gen(), k.digestLoud()],
      [count, userId, chatId, payload, PUMP_LEASE_MS],
    );
    return toEnqueueResult(res);
  }

  /** Forget a user's digest lines (the user is gone or blocked the bot). */
  async discardDigest(userId: number): Promise<void> {
    await this.redis.multi().del(this.keys.digest(userId)).srem(this.keys.digestUsers(), userId).srem(this.keys.digestLoud(), userId).exec();
  }

  /** Chats with pending messages. */
  async pendingChats(): Promise<number[]> {
    return (await this.redis.smembers(this.keys.chats())).map(Number);
  }

  /** A new pump generation for a chat whose pump lease ran out; 0 when it has one or nothing is pending. */
  async restart(chatId: number): Promise<number> {
    const k = this.keys;
    return Number(await RESTART.run(this.redis, [k.lane(chatId), k.items(chatId), k.pump(chatId), k.chats(), k.gen()], [chatId, PUMP_LEASE_MS]));
  }
}

function toEnqueueResult<S extends string>(res: unknown): EnqueueResult<S> {
  const [state, gen] = res as [S, number];
  return { state, gen: Number(gen) };
}
