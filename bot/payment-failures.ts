import { paymentFailuresKey } from '../infra/ops-keys';
import type { SuccessfulPayment } from 'telegraf/types';
import { th } from '../infra/i18n';
import { adminChats } from './features/withdraw-shared';
import type { BotContext } from './context';
import type { BotRuntime } from './runtime';

/** Kept this long; the money monitor looks at its own window only. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * Records a failed payment (a refused pre-checkout query, a charge that matched no invoice) for the
 * money monitor's burst alert (workers/monitor.ts). `id` makes a redelivered failure count once.
 * Never throws: monitoring must not break a payment answer.
 */
export async function recordPaymentFailure(rt: BotRuntime, id: string): Promise<void> {
  const key = paymentFailuresKey(rt.config.queuePrefix);
  const now = Date.now();
  try {
    await rt.redis.zAdd(key, { score: now, value: id }, { NX: true });
    await rt.redis.zRemRangeByScore(key, 0, now - KEEP_MS);
  } catch (err) {
    rt.logger.warn({ err }, 'could not record a payment failure');
  }
}

/**
 * A successful_payment whose credit failed for a reason other than an outage (a bug: it would fail
 * again if redelivered). Telegram has taken the money, so: recorded for the money monitor, every
 * admin told at once (charge id, amount in kop as money, the payer's Telegram id), and the payer
 * told it is safe and not to pay again. Never throws.
 */
export async function reportUncreditedPayment(rt: BotRuntime, ctx: BotContext, payment: SuccessfulPayment): Promise<void> {
  await recordPaymentFailure(rt, payment.telegram_payment_charge_id);
  const warn = (err: unknown) => rt.logger.warn({ err }, 'could not report an uncredited payment');
  await ctx.reply(ctx.tp('deposit.credit_failed')).catch(warn);
  try {
    const vars = { charge: payment.telegram_payment_charge_id, amount: payment.total_amount, user: ctx.from?.id ?? 0 };
    for (const admin of await adminChats(rt)) {
      await ctx.telegram.sendMessage(admin.chatId, th(admin.language, 'deposit.admin_credit_failed', vars), { parse_mode: 'HTML' }).catch(warn);
    }
  } catch (err) {
    warn(err);
  }
}
