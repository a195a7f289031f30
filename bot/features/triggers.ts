/**
 * Stop-loss / take-profit (issue 11), from a position (🛡 on the card or in /portfolio): presets
 * 5 and 10 points either side of the position's own price, or a typed level (below the price: a
 * stop-loss, above: a take-profit) with an optional share count; a preview shows what will be sold
 * and the worst price; Confirm sets it. Levels are in the position's own side's price (a NO
 * position's level is a NO price, 100 − YES): domain/alerts/trigger-rules.ts.
 */
import { Composer } from 'telegraf';
import { message } from 'telegraf/filters';
import { ownPriceAt, type Side, type TriggerKind } from '../../domain/alerts/trigger-rules';
import { getMarket } from '../../domain/read/markets';
import { holdingIn } from '../../domain/read/portfolio';
import { quote } from '../../domain/read/quotes';
import { createTrigger, previewTrigger } from '../../domain/services/triggers';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { button, failureText, notice, show, type Keyboard } from '../ui';
import { awaitedLevel, awaitLevel, levelDone, triggerWhat } from '../views/level-typing';

function sideLabel(ctx: BotContext, side: Side): string {
  return ctx.tp(side === 'YES' ? 'side.yes' : 'side.no');
}

/** The trigger screen of a position. */
async function showProtect(rt: BotRuntime, ctx: BotContext, marketId: number, side: Side): Promise<void> {
  const m = rt.ds.manager;
  const market = await getMarket(m, marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  if (market.status !== 'open') return notice(ctx, ctx.tp('errors.market_closed'));
  const free = (await holdingIn(m, ctx.user.id, marketId)).free[side];
  if (free <= 0) return notice(ctx, ctx.tp('errors.trigger_no_position'));
  const own = ownPriceAt(side, (await quote(m, marketId)).yesPrice);
  await awaitLevel(rt, ctx, { kind: 'trigger', marketId, side });
  const presets = [
    ...[5, 10].map((d) => ({ kind: 'stop' as const, level: own - d })),
    ...[5, 10].map((d) => ({ kind: 'take' as const, level: own + d })),
  ].filter((p) => p.level >= 1 && p.level <= 99);
  const rows: Keyboard = [];
  const buttons = presets.map((p) => button(ctx.tp(p.kind === 'stop' ? 'triggers.preset_stop' : 'triggers.preset_take', { level: p.level }),
    cb.triggerPreview.encode({ marketId, side, kind: p.kind, level: p.level, shares: 0 })));
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  rows.push([button(ctx.tp('alerts.back'), cb.market.encode({ marketId }))]);
  await show(ctx, ctx.t('triggers.menu', { title: market.title, side: sideLabel(ctx, side), shares: free, price: own }), rows);
}

/** The preview of a trigger (what it will sell and the worst price), with Confirm. `shares` 0 = the whole position. */
async function showPreview(rt: BotRuntime, ctx: BotContext, req: { marketId: number; side: Side; kind: TriggerKind; level: number; shares: number }): Promise<void> {
  const r = await previewTrigger(rt.ds.manager, { ...req, userId: ctx.user.id, shares: req.shares || null });
  if (!r.ok) return notice(ctx, failureText(ctx, r, false), true);
  const p = r.preview;
  const text = ctx.t('triggers.preview', {
    what: triggerWhat(ctx, p.side, p.kind, p.level), shares: p.shares, side: sideLabel(ctx, p.side), worst: p.worstPrice,
  });
  await show(ctx, text, [
    [button(ctx.tp('triggers.confirm'), cb.triggerConfirm.encode(req))],
    [button(ctx.tp('alerts.back'), cb.protect.encode({ marketId: req.marketId, side: req.side }))],
  ]);
}

/** "40" or "40 100": a level in the side's own price, and optionally a share count. */
function parseLevelAndShares(text: string): { level: number; shares: number } | null {
  const m = /^\s*(\d{1,2})\s*%?(?:\s+(\d{1,9}))?\s*$/.exec(text);
  return m ? { level: Number(m[1]), shares: m[2] ? Number(m[2]) : 0 } : null;
}

export function triggersFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  onButton(c, cb.protect, (ctx, { marketId, side }) => showProtect(rt, ctx, marketId, side));
  onButton(c, cb.triggerPreview, (ctx, req) => showPreview(rt, ctx, req));
  onButton(c, cb.triggerConfirm, async (ctx, req) => {
    const r = await createTrigger(rt.ds.manager, { ...req, userId: ctx.user.id, shares: req.shares || null });
    if (!r.ok) return notice(ctx, failureText(ctx, r, false), true);
    await levelDone(rt, ctx);
    await ctx.answerCbQuery(ctx.tp('triggers.created'));
    await show(ctx, [ctx.t('triggers.created'), triggerWhat(ctx, req.side, req.kind, req.level)].join('\n'), [
      [button(ctx.tp('alerts.open_card'), cb.market.encode({ marketId: req.marketId })), button(ctx.tp('watchlist.alerts_button'), cb.alerts.encode({}))],
    ]);
  });
  // A level typed on the trigger screen: below the own price a stop-loss, above a take-profit.
  c.on(message('text'), async (ctx, next) => {
    if (ctx.message.text.startsWith('/')) return next();
    const pending = await awaitedLevel(rt, ctx);
    if (pending?.kind !== 'trigger') return next();
    const typed = parseLevelAndShares(ctx.message.text);
    const own = ownPriceAt(pending.side, (await quote(rt.ds.manager, pending.marketId)).yesPrice);
    if (!typed || typed.level === own) return notice(ctx, failureText(ctx, { ok: false, code: 'trigger_level_invalid', vars: { price: own } }, false));
    await showPreview(rt, ctx, { marketId: pending.marketId, side: pending.side, kind: typed.level < own ? 'stop' : 'take', level: typed.level, shares: typed.shares });
  });
  return c;
}
