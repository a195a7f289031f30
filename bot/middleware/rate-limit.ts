import type { MiddlewareFn } from 'telegraf';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { languageFromTelegram } from '../../domain/services/users';
import { t } from '../../infra/i18n';
import { updateMetrics } from '../../infra/metrics';
import type { BotContext } from '../context';
import { claimOnce, type BotRuntime } from '../runtime';

/**
 * Per-user rate limit of updates (issue 15, seed 000 §2): RATE_LIMIT_POINTS updates per
 * RATE_LIMIT_WINDOW per Telegram user, counted in Redis (rate-limiter-flexible), so it holds across
 * bot processes. Registered right after the redelivery guard, so a redelivered update is never
 * counted twice. An update over the limit changes nothing; the user is told "slow down" once per
 * window (a button press: in its callback answer, which Telegram needs anyway), further ones are
 * dropped silently. Payments (pre-checkout queries, successful_payment) and chat-member updates are
 * never limited: Telegram must get their answer, and money must never be lost to a limiter.
 * The language is the Telegram client's (the stored one is loaded later, by user.ts).
 */
export function rateLimit(rt: BotRuntime): MiddlewareFn<BotContext> {
  const { points, windowMs } = rt.config.rateLimit;
  const limiter = new RateLimiterRedis({
    storeClient: rt.redis, useRedisPackage: true, keyPrefix: rt.key('rl'), points, duration: Math.max(1, Math.ceil(windowMs / 1000)),
  });
  return async (ctx, next) => {
    const from = ctx.from;
    const limited = ctx.message || ctx.callbackQuery || ctx.inlineQuery;
    if (!from || from.is_bot || !limited || (ctx.message && 'successful_payment' in ctx.message)) return next();
    try {
      await limiter.consume(String(from.id));
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      updateMetrics.rateLimited.inc();
      rt.logger.info({ userId: from.id, retryMs: res.msBeforeNext }, 'update rate-limited');
      const sec = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      const tellNow = await claimOnce(rt, rt.key('rl-told', from.id), sec);
      const text = t(languageFromTelegram(from.language_code), 'ops.slow_down');
      if (ctx.callbackQuery) await ctx.answerCbQuery(tellNow ? text : undefined);
      else if (tellNow && ctx.message && ctx.chat?.type === 'private') await ctx.reply(text);
      return;
    }
    return next();
  };
}
