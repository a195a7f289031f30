import { Composer } from 'telegraf';
import { message } from 'telegraf/filters';
import { creditPayment, validatePreCheckout } from '../../domain/services/payments';
import { balancesOf } from '../../domain/services/users';
import { kop } from '../../domain/money';
import { depositBlock } from '../../domain/services/responsible-use';
import { depositAllowed } from './responsible-use';
import { withdrawFailureText } from './withdraw-shared';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { DEPOSIT_SCENE } from '../scenes/deposit';
import { button, failureText, htmlExtra, show } from '../ui';
import { homeRow } from '../views/menu';
import { recordPaymentFailure } from '../payment-failures';
import { rewardAfterDeposit } from './invite';

/** Deposits through Telegram Payments: invoice (scene), pre-checkout answer, crediting the payment. */
export function depositFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();

  const start = async (ctx: BotContext) => {
    // DESIGN §6: without a provider token RUB invoices are disabled.
    if (!rt.config.paymentProviderToken) return show(ctx, ctx.t('deposit.unavailable'), [homeRow(ctx)]);
    if (!(await depositAllowed(rt, ctx))) return;
    await ctx.scene.enter(DEPOSIT_SCENE);
  };
  c.command('deposit', start);
  onButton(c, cb.deposit, start);

  // Bot API: answer within 10 seconds or the payment fails; one indexed read, no Telegram calls before it.
  c.on('pre_checkout_query', async (ctx) => {
    const q = ctx.preCheckoutQuery;
    const r = (await depositBlock(rt.ds.manager, ctx.user.id, kop(q.total_amount))) ?? await validatePreCheckout(rt.ds, {
      payload: q.invoice_payload, currency: q.currency, totalAmount: q.total_amount, userId: ctx.user.id,
    });
    if (!r.ok) await recordPaymentFailure(rt, q.id);
    await ctx.answerPreCheckoutQuery(r.ok, r.ok ? undefined : withdrawFailureText(ctx, r, false));
  });

  // Credited once per telegram_payment_charge_id (domain); a repeated message only gets "already credited".
  c.on(message('successful_payment'), async (ctx) => {
    const p = ctx.message.successful_payment;
    const r = await creditPayment(rt.ds, {
      payload: p.invoice_payload, currency: p.currency, totalAmount: p.total_amount, userId: ctx.user.id,
      telegramChargeId: p.telegram_payment_charge_id, providerChargeId: p.provider_payment_charge_id,
    });
    if (!r.ok) {
      // Money was taken but matches no invoice of this user: a human must look at it.
      rt.logger.error({ code: r.code, chargeId: p.telegram_payment_charge_id, userId: ctx.user.id }, 'payment not credited');
      await recordPaymentFailure(rt, p.telegram_payment_charge_id);
      await ctx.reply(failureText(ctx, r), htmlExtra());
      return;
    }
    // Also on a repeat: the process that credited it may have died before paying the reward (paid once, domain).
    await rewardAfterDeposit(rt, ctx);
    const { available } = await balancesOf(rt.ds.manager, ctx.user.id);
    const key = r.credited ? 'deposit.credited' : 'deposit.already_credited';
    await ctx.reply(ctx.t(key, { amount: r.amount, available }), htmlExtra([
      [button(ctx.tp('menu.markets'), cb.categories.encode({})), button(ctx.tp('menu.portfolio'), cb.portfolio.encode({}))],
    ]));
  });
  return c;
}
