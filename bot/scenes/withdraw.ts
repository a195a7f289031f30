/**
 * The withdraw scene: amount (preset or typed) → payout destination (SBP phone + bank, or a card)
 * → preview (amount, fee, what arrives, expected time) with Confirm. The preview's draft id goes
 * into the Confirm button and becomes the request's idempotency key (features/withdraw.ts), so a
 * double tap places one request. Every check is the domain's (withdrawal-rules.ts); bad input
 * gets a clear answer and the step waits for another try.
 */
import { randomBytes } from 'node:crypto';
import { Scenes } from 'telegraf';
import { message } from 'telegraf/filters';
import { kop, parseRubToKop, type Kop } from '../../domain/money';
import { payoutMethod } from '../../domain/services/payout-methods';
import { previewWithdrawal } from '../../domain/services/withdrawals';
import { parseBankName, parseCardNumber, parsePhone, type Destination } from '../../domain/services/withdrawal-rules';
import { balancesOf } from '../../domain/services/users';
import { cb, DRAFT_ID_LENGTH } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { button, notice, show, type Keyboard } from '../ui';
import { destinationText } from '../views/withdrawal';
import { withdrawFailureText, withdrawPolicy } from '../features/withdraw-shared';

export const WITHDRAW_SCENE = 'withdraw';

/** Preset amounts, kop (500 / 1 000 / 5 000 / 10 000 ₽); only those within the balance are offered. */
const PRESETS = [50_000, 100_000, 500_000, 1_000_000];

/** The scene's draft (session UI state only; balances are read fresh at every step). */
export interface WithdrawDraft {
  step: 'amount' | 'method' | 'phone' | 'bank' | 'card' | 'preview';
  amountKop?: number;
  phone?: string;
  destination?: Destination;
  draftId?: string;
}

export function withdrawDraft(ctx: BotContext): WithdrawDraft {
  return ctx.scene.state as WithdrawDraft;
}

function cancelRow(ctx: BotContext): Keyboard[number] {
  return [button(ctx.tp('order.cancel'), cb.cancel.encode({}))];
}

async function askAmount(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const policy = withdrawPolicy(rt);
  const { available } = await balancesOf(rt.ds.manager, ctx.user.id);
  Object.assign(withdrawDraft(ctx), { step: 'amount' });
  const presets = PRESETS.filter((p) => p >= policy.minKop && p <= Math.min(available, policy.maxKop));
  const rows: Keyboard = [];
  if (presets.length > 0) rows.push(presets.map((amount) => button(ctx.tp('order.amount_button', { amount }), cb.withdrawAmount.encode({ kop: amount }))));
  if (available >= policy.minKop) {
    const all = Math.min(available, policy.maxKop);
    rows.push([button(ctx.tp('withdraw.all_button', { amount: all }), cb.withdrawAmount.encode({ kop: all }))]);
  }
  rows.push(cancelRow(ctx));
  await show(ctx, ctx.t('withdraw.ask_amount', { available, min: policy.minKop, max: policy.maxKop }), rows);
}

/** A typed amount with more than two decimals (a fraction of a kopeck). */
const SUB_KOPECK = /^\s*\d[\d\s]*[.,]\d{3,}\s*(?:\u20bd|rub\.?|\u0440\u0443\u0431\.?)?\s*$/i;

async function takeAmount(rt: BotRuntime, ctx: BotContext, amountKop: number | null, typed?: string): Promise<void> {
  if (amountKop === null) {
    return notice(ctx, ctx.tp(typed !== undefined && SUB_KOPECK.test(typed) ? 'withdraw.errors.sub_kopeck' : 'errors.amount_not_number'));
  }
  const q = await previewWithdrawal(rt.ds.manager, withdrawPolicy(rt), ctx.user.id, kop(amountKop));
  if (!q.ok) return notice(ctx, withdrawFailureText(ctx, q, false));
  Object.assign(withdrawDraft(ctx), { step: 'method', amountKop });
  await show(ctx, ctx.t('withdraw.ask_method', { amount: amountKop }), [
    [button(ctx.tp('withdraw.method_sbp'), cb.withdrawMethod.encode({ kind: 'sbp' })), button(ctx.tp('withdraw.method_card'), cb.withdrawMethod.encode({ kind: 'card' }))],
    cancelRow(ctx),
  ]);
}

/** The preview: the same domain quote the request will use, read now. */
async function showPreview(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const d = withdrawDraft(ctx);
  const q = await previewWithdrawal(rt.ds.manager, withdrawPolicy(rt), ctx.user.id, kop(d.amountKop!));
  if (!q.ok) {
    await ctx.scene.leave();
    return show(ctx, withdrawFailureText(ctx, q), [[button(ctx.tp('menu.balance'), cb.balance.encode({}))]]);
  }
  const draftId = randomBytes(DRAFT_ID_LENGTH / 2).toString('hex');
  Object.assign(d, { step: 'preview', draftId });
  const text = [
    ctx.t('withdraw.preview_title'),
    ctx.t('withdraw.preview_amount', { amount: q.amount }),
    ctx.t(q.fee > 0 ? 'withdraw.preview_fee' : 'withdraw.preview_fee_free', { fee: q.fee }),
    ctx.t('withdraw.preview_net', { net: q.net }),
    destinationText(ctx.lang, d.destination!),
    ctx.t('withdraw.preview_time', { hours: payoutMethod('manual').expectedHours }),
    ...(q.approvalsNeeded > 1 ? [ctx.t('withdraw.preview_quorum')] : []),
  ].join('\n');
  await show(ctx, text, [[button(ctx.tp('withdraw.confirm'), cb.withdrawConfirm.encode({ draft: draftId }))], cancelRow(ctx)]);
}

/** Typed text at the current step: amount, phone, bank or card number. */
async function onText(rt: BotRuntime, ctx: BotContext, text: string): Promise<void> {
  const d = withdrawDraft(ctx);
  switch (d.step) {
    case 'amount':
      return takeAmount(rt, ctx, parseRubToKop(text), text);
    case 'phone': {
      const phone = parsePhone(text);
      if (!phone) return notice(ctx, ctx.tp('withdraw.errors.phone_invalid'));
      Object.assign(d, { step: 'bank', phone });
      return show(ctx, ctx.t('withdraw.ask_bank'), [cancelRow(ctx)]);
    }
    case 'bank': {
      const bank = parseBankName(text);
      if (!bank) return notice(ctx, ctx.tp('withdraw.errors.bank_invalid'));
      d.destination = { kind: 'sbp', phone: d.phone!, bank };
      return showPreview(rt, ctx);
    }
    case 'card': {
      const number = parseCardNumber(text);
      // The typed number is removed from the chat either way; from here on it is shown masked.
      await ctx.deleteMessage().catch(() => undefined);
      if (!number) return notice(ctx, ctx.tp('withdraw.errors.card_invalid'));
      d.destination = { kind: 'card', number };
      return showPreview(rt, ctx);
    }
    default:
      return notice(ctx, ctx.tp('withdraw.use_buttons'));
  }
}

export function withdrawScene(rt: BotRuntime): Scenes.BaseScene<BotContext> {
  const scene = new Scenes.BaseScene<BotContext>(WITHDRAW_SCENE);
  scene.enter((ctx) => askAmount(rt, ctx));
  onButton(scene, cb.withdrawAmount, (ctx, { kop: amount }) => takeAmount(rt, ctx, amount as Kop));
  onButton(scene, cb.withdrawMethod, async (ctx, { kind }) => {
    const d = withdrawDraft(ctx);
    if (d.amountKop === undefined) return notice(ctx, ctx.tp('errors.button_outdated'));
    Object.assign(d, { step: kind === 'sbp' ? 'phone' : 'card' });
    await show(ctx, ctx.t(kind === 'sbp' ? 'withdraw.ask_phone' : 'withdraw.ask_card'), [cancelRow(ctx)]);
  });
  onButton(scene, cb.cancel, async (ctx) => {
    await ctx.scene.leave();
    await show(ctx, ctx.t('withdraw.cancelled'), [[button(ctx.tp('menu.balance'), cb.balance.encode({}))]]);
  });
  scene.on(message('text'), (ctx) => onText(rt, ctx, ctx.message.text));
  return scene;
}
