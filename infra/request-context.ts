/**
 * The request id of the work in progress (issue 15): the Telegram `update_id` in the bot, carried
 * in matching jobs (`reqId`) and notification jobs, so one bet can be followed through every
 * process's logs. Node's AsyncLocalStorage holds it; the logger (infra/logger.ts) adds it to every
 * line through pino's `mixin`, so child loggers made anywhere below inherit it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const store = new AsyncLocalStorage<{ reqId: string }>();

/** Runs `fn` with `reqId` as the current request id (no id: `fn` runs in the current context). */
export function withRequestId<T>(reqId: string | undefined, fn: () => T): T {
  return reqId ? store.run({ reqId }, fn) : fn();
}

/** The current request id, if any. */
export function currentRequestId(): string | undefined {
  return store.getStore()?.reqId;
}

/** pino `mixin`: `{ reqId }` on every line logged inside a request. */
export function requestIdMixin(): { reqId?: string } {
  const reqId = currentRequestId();
  return reqId ? { reqId } : {};
}
