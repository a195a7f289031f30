import type { MiddlewareFn } from 'telegraf';
import { languageFromTelegram } from '../../domain/services/users';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';

/**
 * The one error boundary (STYLE §7), outermost. An unexpected error in any handler is logged and
 * the user is told, in their language, that something went wrong and nothing was changed (true:
 * every money change is one database transaction, so a failed handler committed nothing). Every
 * callback query gets an answer (else the client spins for a while) and a pre-checkout query a
 * refusal (else the payment hangs until Telegram's 10 s timeout). Never rethrows, so one bad
 * update cannot stop long polling.
 */
export function errorBoundary(rt: BotRuntime): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    // Until the user middleware reads the stored choice, speak the client's language.
    ctx.lang = languageFromTelegram(ctx.from?.language_code);
    try {
      await next();
    } catch (err) {
      rt.logger.error({ err, updateId: ctx.update.update_id, updateType: ctx.updateType }, 'update failed');
      await apologize(ctx).catch((e: unknown) => rt.logger.warn({ err: e }, 'could not report a failed update'));
      return;
    }
    if (ctx.callbackQuery && !ctx.callbackAnswered) {
      await ctx.answerCbQuery().catch((e: unknown) => rt.logger.warn({ err: e }, 'answerCallbackQuery failed'));
    }
  };
}

async function apologize(ctx: BotContext): Promise<void> {
  const text = ctx.tp('errors.internal');
  if (ctx.preCheckoutQuery) {
    await ctx.answerPreCheckoutQuery(false, text);
  } else if (ctx.callbackQuery) {
    if (!ctx.callbackAnswered) await ctx.answerCbQuery(text, { show_alert: true });
  } else if (ctx.chat) {
    await ctx.reply(text);
  }
}
