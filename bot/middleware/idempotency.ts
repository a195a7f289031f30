import type { MiddlewareFn } from 'telegraf';
import type { BotContext } from '../context';
import { claimOnce, type BotRuntime } from '../runtime';
import { paymentOf } from '../redelivery';

/** Telegram keeps an undelivered update for at most 24 hours, so a key older than that can never match again. */
const UPDATE_KEY_TTL_SEC = 24 * 60 * 60;

/**
 * Every Telegram update takes effect at most once (DESIGN §3 inv. 6). Its `update_id`, and for a
 * button press also the callback query id, is claimed in Redis with SET NX + TTL before any
 * handler runs; a redelivered update (webhook retry, two bot instances behind one webhook, a
 * polling offset lost in a crash) finds the key taken and is dropped. Money-moving handlers are
 * idempotent in the domain as well (payments by charge id, orders by idempotency key), so this is
 * the first of two guards, not the only one. A successful_payment's update id is marked after it
 * was handled, not before: one that failed (or whose process died) is handled when it comes again.
 */
export function dropRedeliveredUpdates(rt: BotRuntime): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    // A payment is credited once by its charge id (domain), and one whose handling failed must be
    // handled when it comes again (bot/redelivery.ts): its update id is marked only once handled.
    if (paymentOf(ctx.update)) {
      const key = rt.key('upd', ctx.update.update_id);
      if (await rt.redis.exists(key)) {
        rt.logger.info({ updateId: ctx.update.update_id }, 'redelivered update ignored');
        return;
      }
      await next();
      await claimOnce(rt, key, UPDATE_KEY_TTL_SEC);
      return;
    }
    const query = ctx.callbackQuery;
    // Both claims in one round trip (node-redis pipelines commands of the same tick): a redelivered
    // update is dropped either way, so claiming its callback query id as well changes nothing.
    const [update, callback] = await Promise.all([
      claimOnce(rt, rt.key('upd', ctx.update.update_id), UPDATE_KEY_TTL_SEC),
      query ? claimOnce(rt, rt.key('cbq', query.id), UPDATE_KEY_TTL_SEC) : true,
    ]);
    if (!update) {
      rt.logger.info({ updateId: ctx.update.update_id }, 'redelivered update ignored');
      return;
    }
    if (query && !callback) {
      rt.logger.info({ callbackQueryId: query.id }, 'redelivered callback query ignored');
      return;
    }
    await next();
  };
}
