/**
 * Responsible use (issue 9), from /settings: deposit limits per day and month (lowered at once,
 * raised or removed only after 24 h), self-exclusion (24 h, 7 days, 30 days, indefinitely; no
 * early end), and the terms every deposit needs accepted first (`depositAllowed`).
 */
import { Composer } from 'telegraf';
import { message } from 'telegraf/filters';
import { kop, parseRubToKop } from '../../domain/money';
import {
  acceptTerms, depositBlock, formatUntil, isForever, LIMIT_MAX, LIMIT_MIN, needsTerms, responsibleState, selfExclude, setDepositLimit,
  TERMS_VERSION, type ExclusionPeriod, type LimitPeriod, type LimitState,
} from '../../domain/services/responsible-use';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { DEPOSIT_SCENE } from '../scenes/deposit';
import { button, notice, show } from '../ui';
import { withdrawFailureText } from './withdraw-shared';

const TYPING_TTL_SEC = 10 * 60;
const PERIODS: readonly ExclusionPeriod[] = ['24h', '7d', '30d', 'forever'];

function typingKey(rt: BotRuntime, ctx: BotContext): string {
  return rt.key('limit-typing', ctx.user.id);
}

function limitText(ctx: BotContext, period: LimitPeriod, s: LimitState): string {
  const now = s.limitKop === null ? ctx.tp('responsible.no_limit') : ctx.tp('responsible.limit_amount', { amount: s.limitKop });
  const lines = [ctx.t(`responsible.limit_${period}`, { value: now })];
  if (s.next) {
    lines.push(ctx.t('responsible.limit_next', {
      value: s.next.limitKop === null ? ctx.tp('responsible.no_limit') : ctx.tp('responsible.limit_amount', { amount: s.next.limitKop }),
      at: formatUntil(s.next.at),
    }));
  }
  return lines.join('\n');
}

export async function showResponsible(rt: BotRuntime, ctx: BotContext, lead?: string): Promise<void> {
  const s = await responsibleState(rt.ds.manager, ctx.user.id);
  const lines = [
    ...(lead ? [lead, ''] : []),
    ctx.t('responsible.title'),
    ctx.t(needsTerms(s) ? 'responsible.terms_not_accepted' : 'responsible.terms_accepted', { version: TERMS_VERSION }),
    limitText(ctx, 'day', s.day),
    limitText(ctx, 'month', s.month),
    s.excludedUntil
      ? (isForever(s.excludedUntil) ? ctx.t('responsible.excluded_forever') : ctx.t('responsible.excluded_until', { until: formatUntil(s.excludedUntil) }))
      : ctx.t('responsible.not_excluded'),
    '', ctx.t('responsible.hint'),
  ];
  await show(ctx, lines.join('\n'), [
    [button(ctx.tp('responsible.set_day'), cb.limitSet.encode({ period: 'day' })), button(ctx.tp('responsible.none_day'), cb.limitNone.encode({ period: 'day' }))],
    [button(ctx.tp('responsible.set_month'), cb.limitSet.encode({ period: 'month' })), button(ctx.tp('responsible.none_month'), cb.limitNone.encode({ period: 'month' }))],
    PERIODS.map((period) => button(ctx.tp(`responsible.exclude_${period}`), cb.excludePick.encode({ period }))),
    [button(ctx.tp('settings.back'), cb.settings.encode({}))],
  ]);
}

/**
 * Whether the user may start a deposit: not self-excluded, and the current terms accepted (else
 * the terms are shown with an Accept button and false is returned).
 */
export async function depositAllowed(rt: BotRuntime, ctx: BotContext): Promise<boolean> {
  const block = await depositBlock(rt.ds.manager, ctx.user.id, kop(0));
  if (block) {
    await show(ctx, withdrawFailureText(ctx, block), [[button(ctx.tp('menu.home'), cb.home.encode({}))]]);
    return false;
  }
  if (!needsTerms(await responsibleState(rt.ds.manager, ctx.user.id))) return true;
  await show(ctx, ctx.t('responsible.terms'), [
    [button(ctx.tp('responsible.terms_accept'), cb.termsAccept.encode({ version: TERMS_VERSION }))],
    [button(ctx.tp('order.cancel'), cb.home.encode({}))],
  ]);
  return false;
}

async function takeLimit(rt: BotRuntime, ctx: BotContext, period: LimitPeriod, amount: number | null): Promise<void> {
  const r = await setDepositLimit(rt.ds.manager, ctx.user.id, period, amount);
  if (!r.ok) return notice(ctx, withdrawFailureText(ctx, r, false));
  await rt.redis.del(typingKey(rt, ctx));
  await showResponsible(rt, ctx, r.immediate ? ctx.t('responsible.limit_saved') : ctx.t('responsible.limit_later', { at: formatUntil(r.at) }));
}

export function responsibleUseFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  onButton(c, cb.responsible, (ctx) => showResponsible(rt, ctx));
  onButton(c, cb.termsAccept, async (ctx, { version }) => {
    if (version !== TERMS_VERSION) return notice(ctx, ctx.tp('errors.button_outdated'));
    await acceptTerms(rt.ds.manager, ctx.user.id, version);
    await ctx.answerCbQuery(ctx.tp('responsible.terms_thanks'));
    if (await depositAllowed(rt, ctx)) await ctx.scene.enter(DEPOSIT_SCENE);
  });
  onButton(c, cb.limitSet, async (ctx, { period }) => {
    await rt.redis.set(typingKey(rt, ctx), period, { EX: TYPING_TTL_SEC });
    await show(ctx, ctx.t('responsible.ask_limit', { min: LIMIT_MIN, max: LIMIT_MAX }), [[button(ctx.tp('settings.back'), cb.responsible.encode({}))]]);
  });
  onButton(c, cb.limitNone, (ctx, { period }) => takeLimit(rt, ctx, period, null));
  onButton(c, cb.excludePick, async (ctx, { period }) => {
    await show(ctx, ctx.t('responsible.exclude_confirm_text', { period: ctx.tp(`responsible.exclude_${period}`) }), [
      [button(ctx.tp('responsible.exclude_confirm'), cb.excludeConfirm.encode({ period }))],
      [button(ctx.tp('settings.back'), cb.responsible.encode({}))],
    ]);
  });
  onButton(c, cb.excludeConfirm, async (ctx, { period }) => {
    const until = await selfExclude(rt.ds.manager, ctx.user.id, period);
    await showResponsible(rt, ctx, isForever(until) ? ctx.t('responsible.excluded_forever') : ctx.t('responsible.excluded_until', { until: formatUntil(until) }));
  });
  // The limit typed after "Set limit" (any other text goes on to the next handlers).
  c.on(message('text'), async (ctx, next) => {
    if (ctx.message.text.startsWith('/')) return next();
    const period = await rt.redis.get(typingKey(rt, ctx));
    if (period !== 'day' && period !== 'month') return next();
    const amount = parseRubToKop(ctx.message.text);
    if (amount === null) return notice(ctx, ctx.tp('errors.amount_not_number'));
    await takeLimit(rt, ctx, period, amount);
  });
  return c;
}
