/**
 * Withdrawals, the user's side: /withdraw and Balance → Withdraw (scenes/withdraw.ts), Confirm
 * (one request per draft: the draft id is the idempotency key), cancelling a pending request, and
 * the withdrawal part of the Balance screen (what is pending, recent requests).
 */
import { Composer } from 'telegraf';
import { pendingWithdrawalsKop, userWithdrawals, withdrawalByKey } from '../../domain/read/withdrawals';
import { cancelWithdrawal, requestWithdrawal } from '../../domain/services/withdrawals';
import { kop } from '../../domain/money';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { withdrawDraft, WITHDRAW_SCENE } from '../scenes/withdraw';
import { button, notice, show, type Keyboard } from '../ui';
import { adminButtons, withdrawalLine, withdrawalText } from '../views/withdrawal';
import { adminChats, sendAfterCommit, withdrawFailureText, withdrawPolicy } from './withdraw-shared';
import { th } from '../../infra/i18n';

/** Requests listed on the Balance screen. */
const HISTORY = 5;

/** The Balance screen's withdrawal lines and buttons: pending total, latest requests, Cancel per pending one, Withdraw. */
export async function withdrawalSection(rt: BotRuntime, ctx: BotContext): Promise<{ lines: string[]; rows: Keyboard }> {
  const [pending, history] = await Promise.all([pendingWithdrawalsKop(rt.ds.manager, ctx.user.id), userWithdrawals(rt.ds.manager, ctx.user.id, HISTORY)]);
  const lines: string[] = [];
  if (pending > 0) lines.push(ctx.t('withdraw.balance_pending', { amount: pending }));
  if (history.length > 0) lines.push('', ctx.t('withdraw.history'), ...history.map((w) => withdrawalLine(ctx.lang, w)));
  const rows: Keyboard = history.filter((w) => w.status === 'pending')
    .map((w) => [button(ctx.tp('withdraw.cancel_request', { id: w.id, amount: w.amountKop }), cb.withdrawCancel.encode({ id: w.id }))]);
  rows.push([button(ctx.tp('withdraw.button'), cb.withdraw.encode({}))]);
  return { lines, rows };
}

export function withdrawFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const start = async (ctx: BotContext) => {
    await ctx.scene.enter(WITHDRAW_SCENE);
  };
  c.command('withdraw', start);
  onButton(c, cb.withdraw, start);

  // Outside the scene's own handlers: a second tap after the first one left the scene finds the
  // request by its key and shows it, and places nothing.
  onButton(c, cb.withdrawConfirm, async (ctx, { draft }) => {
    const key = `withdraw:${ctx.user.id}:${draft}`;
    const d = ctx.scene.current?.id === WITHDRAW_SCENE ? withdrawDraft(ctx) : undefined;
    const fresh = d?.step === 'preview' && d.draftId === draft && d.amountKop !== undefined && d.destination !== undefined;
    let r: Awaited<ReturnType<typeof requestWithdrawal>>;
    if (fresh) {
      r = await requestWithdrawal(rt.ds, withdrawPolicy(rt), { userId: ctx.user.id, amount: kop(d!.amountKop!), destination: d!.destination!, idempotencyKey: key });
    } else {
      const placed = await withdrawalByKey(rt.ds.manager, key);
      if (!placed) return notice(ctx, ctx.tp('errors.button_outdated'));
      r = { ok: true, withdrawal: placed, created: false };
    }
    if (fresh) await ctx.scene.leave();
    if (!r.ok) return show(ctx, withdrawFailureText(ctx, r), [[button(ctx.tp('menu.balance'), cb.balance.encode({}))]]);
    const w = r.withdrawal;
    if (!r.created) await ctx.answerCbQuery(ctx.tp('withdraw.already_placed'));
    await show(ctx, [ctx.t('withdraw.placed'), '', withdrawalText(ctx.lang, w)].join('\n'), [
      ...(w.status === 'pending' ? [[button(ctx.tp('withdraw.cancel_request', { id: w.id, amount: w.amountKop }), cb.withdrawCancel.encode({ id: w.id }))]] : []),
      [button(ctx.tp('menu.balance'), cb.balance.encode({}))],
    ]);
    if (r.created) {
      for (const a of await adminChats(rt)) {
        await sendAfterCommit(rt, ctx, a.chatId, [th(a.language, 'withdraw.admin_new'), '', withdrawalText(a.language, w, { admin: true })].join('\n'), adminButtons(a.language, w));
      }
    }
  });

  onButton(c, cb.withdrawCancel, async (ctx, { id }) => {
    const r = await cancelWithdrawal(rt.ds, ctx.user.id, id);
    if (!r.ok) return notice(ctx, withdrawFailureText(ctx, r, false), true);
    const w = r.withdrawal;
    await show(ctx, ctx.t(r.changed ? 'withdraw.cancelled_request' : 'withdraw.already_cancelled', { id: w.id, amount: w.amountKop }),
      [[button(ctx.tp('menu.balance'), cb.balance.encode({}))]]);
    if (r.changed) {
      for (const a of await adminChats(rt)) await sendAfterCommit(rt, ctx, a.chatId, th(a.language, 'withdraw.admin_cancelled', { id: w.id, amount: w.amountKop }));
    }
  });
  return c;
}
