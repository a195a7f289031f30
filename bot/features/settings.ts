/**
 * /settings (private chat): the quick-bet stake of group and inline cards (presets or typed),
 * how notifications arrive (at once, or as an hourly / daily summary: the notifications pipeline
 * reads `users.notify_mode` for every message), and the interface language.
 */
import { Composer } from 'telegraf';
import { message } from 'telegraf/filters';
import type { NotifyMode } from '../../domain/entities';
import { kop, parseRubToKop } from '../../domain/money';
import { NOTIFY_MODES, setDefaultStake, setNotifyMode, STAKE_MAX, STAKE_MIN, STAKE_PRESETS } from '../../domain/services/preferences';
import { setLanguage } from '../../domain/services/users';
import { LANGUAGES } from '../../infra/i18n';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { button, failureText, notice, show, type Keyboard } from '../ui';
import { LANGUAGE_NAME_KEY } from '../../messages/labels';
import { homeRow } from '../views/menu';

/** A typed stake is awaited this long after "Other amount". */
const TYPING_TTL_SEC = 10 * 60;
const PRESETS_PER_ROW = 3;

const MODE_KEY: Record<NotifyMode, string> = {
  instant: 'settings.mode_instant',
  hourly: 'settings.mode_hourly',
  daily: 'settings.mode_daily',
};

function typingKey(rt: BotRuntime, ctx: BotContext): string {
  return rt.key('stake-typing', ctx.user.id);
}

/** A button label, ticked when it is the current choice. */
function choice(ctx: BotContext, label: string, current: boolean): string {
  return current ? ctx.tp('settings.current', { label }) : label;
}

export async function showSettings(ctx: BotContext): Promise<void> {
  const u = ctx.user;
  const text = [
    ctx.t('settings.title'), '',
    ctx.t('settings.stake', { amount: u.defaultStakeKop }),
    ctx.t('settings.notify', { mode: ctx.tp(MODE_KEY[u.notifyMode]) }),
    ctx.t('settings.language', { language: ctx.tp(LANGUAGE_NAME_KEY[u.language]) }),
    '', ctx.t('settings.stake_hint'),
  ].join('\n');
  const presets = STAKE_PRESETS.map((amount) =>
    button(choice(ctx, ctx.tp('settings.stake_button', { amount }), amount === u.defaultStakeKop), cb.settingsStake.encode({ kop: amount })));
  presets.push(button(ctx.tp('settings.stake_other'), cb.settingsStakeTyped.encode({})));
  const rows: Keyboard = [];
  for (let i = 0; i < presets.length; i += PRESETS_PER_ROW) rows.push(presets.slice(i, i + PRESETS_PER_ROW));
  rows.push(NOTIFY_MODES.map((mode) => button(choice(ctx, ctx.tp(MODE_KEY[mode]), mode === u.notifyMode), cb.settingsNotify.encode({ mode }))));
  rows.push(LANGUAGES.map((lang) => button(choice(ctx, ctx.tp(LANGUAGE_NAME_KEY[lang]), lang === u.language), cb.settingsLanguage.encode({ lang }))));
  rows.push([button(ctx.tp('responsible.button'), cb.responsible.encode({}))]);
  rows.push(homeRow(ctx));
  await show(ctx, text, rows);
}

/** Sets the stake (a preset or a typed amount, kop) and shows the settings again. */
async function takeStake(rt: BotRuntime, ctx: BotContext, stakeKop: number): Promise<void> {
  const r = await setDefaultStake(rt.ds.manager, ctx.user.id, stakeKop);
  if (!r.ok) return notice(ctx, failureText(ctx, r, false));
  await rt.redis.del(typingKey(rt, ctx));
  ctx.user.defaultStakeKop = kop(stakeKop);
  if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.tp('settings.saved'));
  await showSettings(ctx);
}

export function settingsFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('settings', showSettings);
  onButton(c, cb.settings, showSettings);
  onButton(c, cb.settingsStake, (ctx, { kop: amount }) => takeStake(rt, ctx, amount));
  onButton(c, cb.settingsStakeTyped, async (ctx) => {
    await rt.redis.set(typingKey(rt, ctx), '1', { EX: TYPING_TTL_SEC });
    await show(ctx, ctx.t('settings.ask_stake', { min: STAKE_MIN, max: STAKE_MAX }), [[button(ctx.tp('settings.back'), cb.settings.encode({}))]]);
  });
  onButton(c, cb.settingsNotify, async (ctx, { mode }) => {
    await setNotifyMode(rt.ds.manager, ctx.user.id, mode);
    ctx.user.notifyMode = mode;
    await ctx.answerCbQuery(ctx.tp('settings.saved'));
    await showSettings(ctx);
  });
  onButton(c, cb.settingsLanguage, async (ctx, { lang }) => {
    await setLanguage(rt.ds.manager, ctx.user.id, lang);
    ctx.user.language = lang;
    ctx.lang = lang;
    await ctx.answerCbQuery(ctx.tp('settings.saved'));
    await showSettings(ctx);
  });
  // The amount typed after "Other amount" (any other text goes on to the next handlers).
  c.on(message('text'), async (ctx, next) => {
    if (ctx.message.text.startsWith('/') || !(await rt.redis.exists(typingKey(rt, ctx)))) return next();
    const amount = parseRubToKop(ctx.message.text);
    if (amount === null) return notice(ctx, ctx.tp('errors.amount_not_number'));
    await takeStake(rt, ctx, amount);
  });
  return c;
}
