/**
 * /settings (private chat): the quick-bet stake of group and inline cards (presets or typed),
 * how notifications arrive (at once, or as an hourly / daily summary: the notifications pipeline
 * reads `users.notify_mode` for every message), the interface language, and Notifications
 * (issue 11): each topic on/off and silent, and quiet hours in Moscow time (typed, e.g. 23-08).
 */
import { Composer } from 'telegraf';
import { message } from 'telegraf/filters';
import type { NotifyMode } from '../../domain/entities';
import { kop, parseRubToKop } from '../../domain/money';
import { NOTIFICATION_TOPICS, parseQuietHours, type NotificationTopic } from '../../domain/services/notification-rules';
import { NOTIFY_MODES, setDefaultStake, setNotifyMode, setQuietHours, setTopicSwitch, STAKE_MAX, STAKE_MIN, STAKE_PRESETS } from '../../domain/services/preferences';
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

const TOPIC_KEY: Record<NotificationTopic, string> = {
  fills: 'settings.topic_fills',
  outcomes: 'settings.topic_outcomes',
  alerts: 'settings.topic_alerts',
  triggers: 'settings.topic_triggers',
  digests: 'settings.topic_digests',
};

function typingKey(rt: BotRuntime, ctx: BotContext): string {
  return rt.key('stake-typing', ctx.user.id);
}

function quietTypingKey(rt: BotRuntime, ctx: BotContext): string {
  return rt.key('quiet-typing', ctx.user.id);
}

/** "23:00–08:00" or "none". */
function quietText(ctx: BotContext): string {
  const { quietFrom: from, quietTo: to } = ctx.user;
  if (from === null || to === null) return ctx.tp('settings.quiet_none');
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  return `${hh(from)}–${hh(to)}`;
}

/** Notifications: one line and one row of two buttons (on/off, sound/silent) per topic, then quiet hours. */
export async function showNotificationSettings(ctx: BotContext): Promise<void> {
  const u = ctx.user;
  const off = new Set(u.notifyOff ?? []);
  const silent = new Set(u.notifySilent ?? []);
  const lines = NOTIFICATION_TOPICS.map((topic) => ctx.t('settings.topic_line', {
    topic: ctx.tp(TOPIC_KEY[topic]),
    state: ctx.tp(off.has(topic) ? 'settings.topic_off' : silent.has(topic) ? 'settings.topic_silent' : 'settings.topic_on'),
  }));
  const text = [ctx.t('settings.topics_title'), '', ...lines, '', ctx.t('settings.quiet', { hours: quietText(ctx) }), '', ctx.t('settings.quiet_hint')].join('\n');
  const rows: Keyboard = NOTIFICATION_TOPICS.map((topic) => [
    button(ctx.tp(off.has(topic) ? 'settings.topic_button_off' : 'settings.topic_button_on', { topic: ctx.tp(TOPIC_KEY[topic]) }),
      cb.settingsTopic.encode({ topic, what: 'off', on: off.has(topic) ? 'no' : 'yes' })),
    button(ctx.tp(silent.has(topic) ? 'settings.silent_button_on' : 'settings.silent_button_off'),
      cb.settingsTopic.encode({ topic, what: 'silent', on: silent.has(topic) ? 'no' : 'yes' })),
  ]);
  rows.push([button(ctx.tp('settings.quiet_button'), cb.settingsQuietTyped.encode({}))]);
  if (u.quietFrom !== null) rows.push([button(ctx.tp('settings.quiet_off_button'), cb.settingsQuietOff.encode({}))]);
  rows.push([button(ctx.tp('settings.back'), cb.settings.encode({}))]);
  await show(ctx, text, rows);
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
  rows.push([button(ctx.tp('settings.topics_button'), cb.settingsTopics.encode({}))]);
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
    await rt.redis.del(quietTypingKey(rt, ctx));
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
  onButton(c, cb.settingsTopics, showNotificationSettings);
  onButton(c, cb.settingsTopic, async (ctx, { topic, what, on }) => {
    const lists = await setTopicSwitch(rt.ds.manager, ctx.user.id, topic, what, on === 'yes');
    ctx.user.notifyOff = lists.off;
    ctx.user.notifySilent = lists.silent;
    await ctx.answerCbQuery(ctx.tp('settings.saved'));
    await showNotificationSettings(ctx);
  });
  onButton(c, cb.settingsQuietOff, async (ctx) => {
    await setQuietHours(rt.ds.manager, ctx.user.id, null);
    ctx.user.quietFrom = null;
    ctx.user.quietTo = null;
    await ctx.answerCbQuery(ctx.tp('settings.saved'));
    await showNotificationSettings(ctx);
  });
  onButton(c, cb.settingsQuietTyped, async (ctx) => {
    await rt.redis.del(typingKey(rt, ctx));
    await rt.redis.set(quietTypingKey(rt, ctx), '1', { EX: TYPING_TTL_SEC });
    await show(ctx, ctx.t('settings.ask_quiet'), [[button(ctx.tp('settings.back_topics'), cb.settingsTopics.encode({}))]]);
  });
  // Quiet hours typed after "Quiet hours…" (e.g. 23-08).
  c.on(message('text'), async (ctx, next) => {
    if (ctx.message.text.startsWith('/') || !(await rt.redis.exists(quietTypingKey(rt, ctx)))) return next();
    const q = parseQuietHours(ctx.message.text);
    if (q === null) return notice(ctx, ctx.tp('errors.quiet_hours_invalid'));
    const r = await setQuietHours(rt.ds.manager, ctx.user.id, q);
    if (!r.ok) return notice(ctx, failureText(ctx, r, false));
    await rt.redis.del(quietTypingKey(rt, ctx));
    ctx.user.quietFrom = q.from;
    ctx.user.quietTo = q.to;
    await showNotificationSettings(ctx);
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
