/**
 * Withdrawals, the admins' side: Approve (a second admin above WITHDRAW_QUORUM_KOP), Reject with a
 * typed reason, Mark paid with a typed payout reference, and /withdrawals (requests by state).
 * Each step is one domain transaction; a repeated tap or a repeated reference changes nothing.
 * The request an admin is typing a reason or reference for is kept in Redis for a few minutes, and
 * forgotten as soon as the admin sends a command or presses another button.
 */
import { Composer, type MiddlewareFn } from 'telegraf';
import { message } from 'telegraf/filters';
import { getWithdrawal, withdrawalsByState, type WithdrawalRow } from '../../domain/read/withdrawals';
import { approveWithdrawal, markWithdrawalPaid, rejectWithdrawal, type StepResult } from '../../domain/services/withdrawals';
import { th } from '../../infra/i18n';
import { asAdmin } from '../admin';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { button, notice, show, type Keyboard } from '../ui';
import { adminButtons, STATUS_KEY, withdrawalLine, withdrawalText } from '../views/withdrawal';
import { adminChats, sendAfterCommit, tellOwner, withdrawFailureText } from './withdraw-shared';

/** A reason or reference is awaited this long after the tap. */
const TYPING_TTL_SEC = 10 * 60;
type Awaiting = 'reject' | 'paid';

function awaitingKey(rt: BotRuntime, ctx: BotContext): string {
  return rt.key('withdraw-typing', ctx.from!.id);
}

/** A command or a button other than Reject / Mark paid (those start a new wait). */
function movesOn(ctx: BotContext): boolean {
  if (ctx.message && 'text' in ctx.message) return ctx.message.text.startsWith('/');
  const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  return data !== undefined && !cb.withdrawReject.trigger.test(data) && !cb.withdrawPaid.trigger.test(data);
}

async function showRequest(ctx: BotContext, w: WithdrawalRow, lead?: string): Promise<void> {
  await show(ctx, [...(lead ? [lead, ''] : []), withdrawalText(ctx.lang, w, { admin: true })].join('\n'), adminButtons(ctx.lang, w));
}

async function showList(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const states = await withdrawalsByState(rt.ds.manager);
  const lines = [ctx.t('withdraw.list_title')];
  const rows: Keyboard = [];
  for (const s of states) {
    lines.push('', ctx.t('withdraw.list_state', { status: ctx.tp(STATUS_KEY[s.status]), count: s.count }));
    for (const w of s.latest) lines.push(withdrawalLine(ctx.lang, w));
    for (const w of s.latest.filter((x) => x.status === 'pending' || x.status === 'approved')) {
      rows.push([button(ctx.tp('withdraw.open_button', { id: w.id, amount: w.amountKop }), cb.withdrawOpen.encode({ id: w.id }))]);
    }
  }
  await show(ctx, lines.join('\n'), rows);
}

/** After a committed step: the admin's screen, the owner's notice, the other admins' copy. */
async function afterStep(rt: BotRuntime, ctx: BotContext, r: StepResult, ownerNotice: string | null, lead: string): Promise<void> {
  if (!r.ok) return notice(ctx, withdrawFailureText(ctx, r, false), true);
  const w = r.withdrawal;
  if (!r.changed) {
    if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.tp('withdraw.admin_nothing_changed'));
    else await ctx.reply(ctx.tp('withdraw.admin_nothing_changed'));
    return showRequest(ctx, w);
  }
  await showRequest(ctx, w, lead);
  if (ownerNotice) await tellOwner(rt, ctx, w, ownerNotice, { reason: w.rejectReason ?? '', ref: w.payoutRef ?? '' });
  for (const a of await adminChats(rt)) {
    if (a.chatId === ctx.from!.id) continue;
    await sendAfterCommit(rt, ctx, a.chatId, [th(a.language, `withdraw.admin_step_${w.status}`, { id: w.id }), '', withdrawalText(a.language, w, { admin: true })].join('\n'), adminButtons(a.language, w));
  }
}

/**
 * Ends an admin's wait for a reason or reference (registered before every feature, bot/index.ts):
 * it is the admin's very next message, and a command or any other button first means they moved
 * on, to a flow that may itself ask for typed text (a limit, an amount), which must never be taken
 * for a payout reference.
 */
export function endAdminTyping(rt: BotRuntime): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (ctx.from && rt.config.adminIds.has(ctx.from.id) && movesOn(ctx)) await rt.redis.del(awaitingKey(rt, ctx));
    return next();
  };
}

export function withdrawalsAdminFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('withdrawals', (ctx) => asAdmin(rt, ctx, () => showList(rt, ctx)));
  onButton(c, cb.withdrawList, (ctx) => asAdmin(rt, ctx, () => showList(rt, ctx)));
  onButton(c, cb.withdrawOpen, (ctx, { id }) => asAdmin(rt, ctx, async () => {
    const w = await getWithdrawal(rt.ds.manager, id);
    if (!w) return notice(ctx, ctx.tp('errors.button_outdated'));
    await showRequest(ctx, w);
  }));

  onButton(c, cb.withdrawApprove, (ctx, { id }) => asAdmin(rt, ctx, async () => {
    const r = await approveWithdrawal(rt.ds, ctx.user.id, id);
    const approved = r.ok && r.withdrawal.status === 'approved';
    await afterStep(rt, ctx, r, approved ? 'approved' : null, ctx.t(approved ? 'withdraw.admin_approved' : 'withdraw.admin_waiting_second'));
  }));

  const ask = (what: Awaiting) => (ctx: BotContext, { id }: { id: number }) => asAdmin(rt, ctx, async () => {
    const w = await getWithdrawal(rt.ds.manager, id);
    if (!w) return notice(ctx, ctx.tp('errors.button_outdated'));
    const open = what === 'paid' ? w.status === 'approved' : w.status === 'pending' || w.status === 'approved';
    if (!open) {
      await ctx.answerCbQuery(ctx.tp('withdraw.admin_nothing_changed'));
      return showRequest(ctx, w);
    }
    await rt.redis.set(awaitingKey(rt, ctx), `${what}:${id}`, { EX: TYPING_TTL_SEC });
    await ctx.answerCbQuery();
    // Only here, for the admin who makes the payout, is a card number shown in full.
    await ctx.reply(what === 'paid'
      ? [ctx.t('withdraw.ask_reference', { id }), withdrawalText(ctx.lang, w, { admin: true, fullDestination: true })].join('\n\n')
      : ctx.t('withdraw.ask_reason', { id }), { parse_mode: 'HTML' });
  });
  onButton(c, cb.withdrawReject, ask('reject'));
  onButton(c, cb.withdrawPaid, ask('paid'));

  // The reason or reference typed after the tap (other text goes on to the next handlers).
  c.on(message('text'), async (ctx, next) => {
    const text = ctx.message.text;
    if (text.startsWith('/') || !rt.config.adminIds.has(ctx.from.id)) return next();
    const awaiting = await rt.redis.get(awaitingKey(rt, ctx));
    if (!awaiting) return next();
    const [what, idText] = awaiting.split(':') as [Awaiting, string];
    const id = Number(idText);
    if (what === 'reject') {
      const r = await rejectWithdrawal(rt.ds, ctx.user.id, id, text);
      if (!r.ok && (r.code === 'withdraw_reason_required' || r.code === 'withdraw_reason_too_long')) return notice(ctx, withdrawFailureText(ctx, r, false));
      await rt.redis.del(awaitingKey(rt, ctx));
      return afterStep(rt, ctx, r, 'rejected', ctx.t('withdraw.admin_rejected'));
    }
    const r = await markWithdrawalPaid(rt.ds, ctx.user.id, id, text);
    if (!r.ok && r.code === 'withdraw_reference_invalid') return notice(ctx, withdrawFailureText(ctx, r, false));
    await rt.redis.del(awaitingKey(rt, ctx));
    await afterStep(rt, ctx, r, 'paid', ctx.t('withdraw.admin_paid'));
  });
  return c;
}
