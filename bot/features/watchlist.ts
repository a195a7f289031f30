/**
 * The watchlist (issue 11): ⭐ on a private market card adds or removes the market; /watchlist
 * lists the watched markets with the YES price, its 24 h change and buttons to open or remove each.
 */
import { Composer } from 'telegraf';
import { watchedMarkets } from '../../domain/read/watchlist';
import { toggleWatch, unwatch } from '../../domain/services/watchlist';
import { cb } from '../../messages/callback-data';
import { signedPoints } from '../../messages/labels';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { button, failureText, notice, show, type Keyboard } from '../ui';
import { redrawMarketMessage } from '../views/market-card';
import { homeRow } from '../views/menu';

const BUTTON_TITLE_MAX = 36;

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}


async function showWatchlist(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const list = await watchedMarkets(rt.ds.manager, ctx.user.id);
  if (list.length === 0) return show(ctx, ctx.t('watchlist.empty'), [homeRow(ctx)]);
  const lines = [ctx.t('watchlist.title'), ''];
  const rows: Keyboard = [];
  list.forEach((w, i) => {
    const closed = w.status === 'open' ? '' : ctx.t('watchlist.closed');
    lines.push(ctx.t('watchlist.item', { n: i + 1, title: w.title, yes: w.yesPrice, change: signedPoints(w.change24h) }) + closed);
    rows.push([
      button(ctx.tp('watchlist.open', { n: i + 1, title: shorten(w.title, BUTTON_TITLE_MAX) }), cb.market.encode({ marketId: w.marketId })),
      button(ctx.tp('watchlist.remove', { n: i + 1 }), cb.unwatch.encode({ marketId: w.marketId })),
    ]);
  });
  rows.push([button(ctx.tp('watchlist.alerts_button'), cb.alerts.encode({}))], homeRow(ctx));
  await show(ctx, lines.join('\n'), rows);
}

export function watchlistFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('watchlist', (ctx) => showWatchlist(rt, ctx));
  onButton(c, cb.watchlist, (ctx) => showWatchlist(rt, ctx));
  onButton(c, cb.watch, async (ctx, { marketId }) => {
    const r = await toggleWatch(rt.ds.manager, ctx.user.id, marketId);
    if (!r.ok) return notice(ctx, failureText(ctx, r, false));
    await ctx.answerCbQuery(ctx.tp(r.watched ? 'watchlist.added' : 'watchlist.removed'));
    await redrawMarketMessage(rt, ctx, marketId, 'card');
  });
  onButton(c, cb.unwatch, async (ctx, { marketId }) => {
    await unwatch(rt.ds.manager, ctx.user.id, marketId);
    await ctx.answerCbQuery(ctx.tp('watchlist.removed'));
    await showWatchlist(rt, ctx);
  });
  return c;
}
