import { TelegramError, type MiddlewareFn } from 'telegraf';
import type { BotContext } from '../context';

/** Retries after a 429 at most this often per call; the Bot FAQ's limits make one wait usually enough. */
const MAX_ATTEMPTS = 3;
/** A longer flood wait is not worth holding the update for: fail and let the error boundary speak. */
const MAX_WAIT_SEC = 10;

/**
 * Honours Telegram's flood control for replies: a call answered 429 is repeated after
 * `parameters.retry_after` seconds (Bot API: "Too Many Requests: retry after N"; about one message
 * per second per chat, Bot FAQ). Telegraf gives every update its own `Telegram` instance, so the
 * wrapper is installed on that instance and affects nothing else.
 */
export function floodWait(): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    const tg = ctx.telegram;
    const call = tg.callApi.bind(tg);
    tg.callApi = (async (...args: Parameters<typeof call>) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await call(...args);
        } catch (err) {
          const wait = err instanceof TelegramError && err.code === 429 ? err.parameters?.retry_after : undefined;
          if (wait === undefined || wait > MAX_WAIT_SEC || attempt >= MAX_ATTEMPTS) throw err;
          await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        }
      }
    }) as typeof tg.callApi;
    return next();
  };
}
