/**
 * The deposit scene: a preset or typed amount → an invoice (Telegram Payments, RUB). The money
 * arrives later as a `successful_payment` message, handled in features/deposit.ts.
 */
import { Scenes } from 'telegraf';
import { message } from 'telegraf/filters';
import { kop, parseRubToKop } from '../../domain/money';
import { MAX_DEPOSIT, MIN_DEPOSIT, createInvoice } from '../../domain/services/payments';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { depositBlock } from '../../domain/services/responsible-use';
import { withdrawFailureText } from '../features/withdraw-shared';
import { button, failureText, notice, show } from '../ui';

export const DEPOSIT_SCENE = 'deposit';

/** Preset deposits, kop (100 / 500 / 1 000 / 5 000 ₽). */
const PRESETS = [10_000, 50_000, 100_000, 500_000];

/** Creates the invoice record and sends the invoice; a refused amount leaves the scene waiting for another. */
async function sendInvoice(rt: BotRuntime, ctx: BotContext, amountKop: number | null): Promise<void> {
  if (amountKop === null) return notice(ctx, ctx.tp('errors.amount_not_number'));
  // Self-exclusion and the user's deposit limits (responsible use) come before the invoice.
  const block = await depositBlock(rt.ds.manager, ctx.user.id, kop(amountKop));
  if (block) return notice(ctx, withdrawFailureText(ctx, block, false));
  const r = await createInvoice(rt.ds, ctx.user.id, kop(amountKop));
  if (!r.ok) return notice(ctx, failureText(ctx, r, false));
  await ctx.scene.leave();
  await ctx.replyWithInvoice({
    // Bot API: title 1-32 characters, description 1-255, payload 1-128 bytes.
    title: ctx.tp('deposit.invoice_title'),
    description: ctx.tp('deposit.invoice_description', { amount: amountKop }),
    payload: r.invoice.payload,
    provider_token: rt.config.paymentProviderToken,
    currency: 'RUB',
    prices: [{ label: ctx.tp('deposit.invoice_label'), amount: amountKop }],
  });
}

export function depositScene(rt: BotRuntime): Scenes.BaseScene<BotContext> {
  const scene = new Scenes.BaseScene<BotContext>(DEPOSIT_SCENE);
  scene.enter((ctx) => show(ctx, ctx.t('deposit.ask_amount', { min: MIN_DEPOSIT, max: MAX_DEPOSIT }), [
    PRESETS.map((amount) => button(ctx.tp('order.amount_button', { amount }), cb.depositAmount.encode({ kop: amount }))),
    [button(ctx.tp('order.cancel'), cb.cancel.encode({}))],
  ]));
  onButton(scene, cb.depositAmount, (ctx, { kop }) => sendInvoice(rt, ctx, kop));
  onButton(scene, cb.cancel, async (ctx) => {
    await ctx.scene.leave();
    await show(ctx, ctx.t('deposit.cancelled'), [[button(ctx.tp('menu.home'), cb.home.encode({}))]]);
  });
  scene.on(message('text'), (ctx) => sendInvoice(rt, ctx, parseRubToKop(ctx.message.text)));
  return scene;
}
