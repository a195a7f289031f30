/**
 * Price alerts (issue 11): from a card, 🔔 → a preset (±5 / ±10 points from the current YES price,
 * or a 5 / 10 point move within 24 h) sets an alert in two taps; a typed number 1..99 sets a level
 * (above the current price: "rises to", below: "falls to"). /alerts lists the alerts with pause /
 * resume and delete buttons, and the stop-loss / take-profit triggers with cancel buttons.
 */
import { Composer } from 'telegraf';
import { message } from 'telegraf/filters';
import { levelAlert, presetAlerts, type AlertKind } from '../../domain/alerts/alert-rules';
import { getMarket } from '../../domain/read/markets';
import { quote } from '../../domain/read/quotes';
import { alertsOf, triggersOf } from '../../domain/read/watchlist';
import { createAlert, deleteAlert, setAlertPaused } from '../../domain/services/alerts';
import { cancelTrigger } from '../../domain/services/triggers';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import { parseWholeNumber } from '../parse';
import type { BotRuntime } from '../runtime';
import { button, failureText, notice, show, type Keyboard } from '../ui';
import { awaitedLevel, awaitLevel, levelDone, triggerWhat } from '../views/level-typing';
import { homeRow } from '../views/menu';

const LIST_TITLE_MAX = 60;

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}

/** "YES price rises to 60%" and the like, HTML-escaped. */
function alertWhat(ctx: BotContext, kind: AlertKind, level: number): string {
  return ctx.t(`alerts.what_${kind}`, { level });
}

function presetLabel(ctx: BotContext, kind: AlertKind, level: number): string {
  return ctx.tp(`alerts.preset_${kind}`, { level });
}

/** The alert screen of a market: presets around the current YES price; a typed level is awaited. */
async function showAlertMenu(rt: BotRuntime, ctx: BotContext, marketId: number): Promise<void> {
  const market = await getMarket(rt.ds.manager, marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  const price = (await quote(rt.ds.manager, marketId)).yesPrice;
  await awaitLevel(rt, ctx, { kind: 'alert', marketId });
  const presets = presetAlerts(price).map((p) => button(presetLabel(ctx, p.kind, p.level), cb.alertSet.encode({ marketId, ...p })));
  const rows: Keyboard = [];
  for (let i = 0; i < presets.length; i += 2) rows.push(presets.slice(i, i + 2));
  rows.push([button(ctx.tp('alerts.back'), cb.market.encode({ marketId })), button(ctx.tp('watchlist.alerts_button'), cb.alerts.encode({}))]);
  await show(ctx, ctx.t('alerts.menu', { title: market.title, price }), rows);
}

/** Sets an alert and says so (or why not). */
async function setAlert(rt: BotRuntime, ctx: BotContext, marketId: number, kind: AlertKind, level: number): Promise<void> {
  const max = rt.config.alertsPerUser;
  const r = await createAlert(rt.ds, { userId: ctx.user.id, marketId, kind, level, max });
  if (!r.ok) return notice(ctx, failureText(ctx, r, false), true);
  await levelDone(rt, ctx);
  const count = (await alertsOf(rt.ds.manager, ctx.user.id)).length;
  const text = ctx.t('alerts.created', { what: alertWhat(ctx, kind, level), count, max });
  if (ctx.callbackQuery) await ctx.answerCbQuery();
  await show(ctx, text, [[button(ctx.tp('alerts.open_card'), cb.market.encode({ marketId })), button(ctx.tp('watchlist.alerts_button'), cb.alerts.encode({}))]]);
}

/** /alerts: every alert (pause / resume, delete) and every waiting trigger (cancel). */
async function showAlerts(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const [alerts, triggers] = await Promise.all([alertsOf(rt.ds.manager, ctx.user.id), triggersOf(rt.ds.manager, ctx.user.id)]);
  const lines = [ctx.t('alerts.list_title'), ''];
  const rows: Keyboard = [];
  if (alerts.length === 0) lines.push(ctx.t('alerts.list_empty'));
  alerts.forEach((a, i) => {
    const n = i + 1;
    lines.push(ctx.t('alerts.list_item', { n, title: shorten(a.title, LIST_TITLE_MAX), what: alertWhat(ctx, a.kind, a.level), state: a.paused ? ctx.tp('alerts.state_paused') : '' }));
    rows.push([
      a.paused
        ? button(ctx.tp('alerts.resume', { n }), cb.alertPause.encode({ alertId: a.id, on: 'yes' }))
        : button(ctx.tp('alerts.pause', { n }), cb.alertPause.encode({ alertId: a.id, on: 'no' })),
      button(ctx.tp('alerts.delete', { n }), cb.alertDelete.encode({ alertId: a.id })),
    ]);
  });
  if (triggers.length > 0) {
    lines.push('', ctx.t('triggers.list_title'));
    const cancels = triggers.map((t, i) => {
      const shares = t.shares === null ? ctx.tp('triggers.all_shares') : ctx.tp('triggers.some_shares', { count: t.shares });
      lines.push(ctx.t('triggers.list_item', {
        n: i + 1, title: shorten(t.title, LIST_TITLE_MAX), what: triggerWhat(ctx, t.side, t.kind, t.level), shares,
        state: t.status === 'fired' ? ctx.tp('triggers.state_fired') : '',
      }));
      return t.status === 'armed' ? button(ctx.tp('triggers.cancel', { n: i + 1 }), cb.triggerCancel.encode({ triggerId: t.id })) : null;
    }).filter((b) => b !== null);
    for (let i = 0; i < cancels.length; i += 4) rows.push(cancels.slice(i, i + 4));
  }
  rows.push(homeRow(ctx));
  await show(ctx, lines.join('\n'), rows);
}

export function alertsFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('alerts', (ctx) => showAlerts(rt, ctx));
  onButton(c, cb.alerts, (ctx) => showAlerts(rt, ctx));
  onButton(c, cb.alertMenu, (ctx, { marketId }) => showAlertMenu(rt, ctx, marketId));
  onButton(c, cb.alertSet, (ctx, { marketId, kind, level }) => setAlert(rt, ctx, marketId, kind, level));
  onButton(c, cb.alertPause, async (ctx, { alertId, on }) => {
    const r = await setAlertPaused(rt.ds.manager, ctx.user.id, alertId, on === 'no');
    if (!r.ok) return notice(ctx, failureText(ctx, r, false));
    await ctx.answerCbQuery(ctx.tp(on === 'no' ? 'alerts.paused' : 'alerts.resumed'));
    await showAlerts(rt, ctx);
  });
  onButton(c, cb.alertDelete, async (ctx, { alertId }) => {
    const r = await deleteAlert(rt.ds.manager, ctx.user.id, alertId);
    if (!r.ok) return notice(ctx, failureText(ctx, r, false));
    await ctx.answerCbQuery(ctx.tp('alerts.deleted'));
    await showAlerts(rt, ctx);
  });
  onButton(c, cb.triggerCancel, async (ctx, { triggerId }) => {
    const r = await cancelTrigger(rt.ds.manager, ctx.user.id, triggerId);
    if (!r.ok) return notice(ctx, failureText(ctx, r, false));
    await ctx.answerCbQuery(ctx.tp('triggers.cancelled'));
    await showAlerts(rt, ctx);
  });
  // A level typed after 🔔 (any other text goes on to the next handlers).
  c.on(message('text'), async (ctx, next) => {
    if (ctx.message.text.startsWith('/')) return next();
    const pending = await awaitedLevel(rt, ctx);
    if (pending?.kind !== 'alert') return next();
    const marketId = pending.marketId;
    const level = parseWholeNumber(ctx.message.text);
    const current = (await quote(rt.ds.manager, marketId)).yesPrice;
    const alert = level === null ? null : levelAlert(level, current);
    if (!alert) return notice(ctx, ctx.tp('errors.alert_level_invalid'));
    await setAlert(rt, ctx, marketId, alert.kind, alert.level);
  });
  return c;
}
