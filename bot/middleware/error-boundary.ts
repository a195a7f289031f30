import type { MiddlewareFn } from 'telegraf';
import { languageFromTelegram } from '../../domain/services/users';
import type { BotContext } from '../context';
import { claimOnce, type BotRuntime } from '../runtime';
import { databaseAnswers, isConnectionError } from '../../domain/services/command-log';
import { paymentOf, RedeliveryNeeded } from '../redelivery';
import { reportUncreditedPayment } from '../payment-failures';

/** Telegram keeps an undelivered update for at most 24 hours. */
const PAYMENT_DELAYED_TTL_SEC = 24 * 60 * 60;

/**
 * The one error boundary (STYLE §7), outermost. An unexpected error in any handler is logged and
 * the user is told, in their language, that something went wrong and nothing was changed (true:
 * every money change is one database transaction, so a failed handler committed nothing). Every
 * callback query gets an answer (else the client spins for a while) and a pre-checkout query a
 * refusal (else the payment hangs until Telegram's 10 s timeout). Rethrows only for a
 * successful_payment the database could not record (as {@link RedeliveryNeeded}: the update must
 * come again, bot/redelivery.ts), so one bad update cannot stop long polling. A payment that failed
 * otherwise is recorded for the money monitor and answered "received, not credited automatically".
 */
export function errorBoundary(rt: BotRuntime): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    // Until the user middleware reads the stored choice, speak the client's language.
    ctx.lang = languageFromTelegram(ctx.from?.language_code);
    try {
      await next();
    } catch (err) {
      rt.logger.error({ err, updateId: ctx.update.update_id, updateType: ctx.updateType }, 'update failed');
      // A payment Telegram has taken but the database could not record: not "nothing changed, try
      // again" but "it will be credited", and the update must come again (bot/redelivery.ts).
      const payment = paymentOf(ctx.update);
      if (payment && (err instanceof RedeliveryNeeded || isConnectionError(err) || !(await databaseAnswers(rt.ds)))) {
        await tellPaymentDelayed(rt, ctx, payment.telegram_payment_charge_id)
          .catch((e: unknown) => rt.logger.warn({ err: e }, 'could not report a delayed payment'));
        throw err instanceof RedeliveryNeeded ? err : new RedeliveryNeeded('payment not recorded: the database is away', { cause: err });
      }
      if (payment) {
        // Any other failure would fail again if redelivered: a human credits or refunds it, and the
        // user must not be told "nothing changed, try again".
        await reportUncreditedPayment(rt, ctx, payment);
        return;
      }
      await apologize(ctx).catch((e: unknown) => rt.logger.warn({ err: e }, 'could not report a failed update'));
      return;
    }
    if (ctx.callbackQuery && !ctx.callbackAnswered) {
      await ctx.answerCbQuery().catch((e: unknown) => rt.logger.warn({ err: e }, 'answerCallbackQuery failed'));
    }
  };
}

/** "Payment received, it will be credited", once per charge (the update may come many times during an outage). */
async function tellPaymentDelayed(rt: BotRuntime, ctx: BotContext, chargeId: string): Promise<void> {
  if (await claimOnce(rt, rt.key('pay-delayed', chargeId), PAYMENT_DELAYED_TTL_SEC)) await ctx.reply(ctx.tp('deposit.credit_delayed'));
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
