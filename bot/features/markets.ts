import { Composer } from 'telegraf';
import { PAGE_SIZE, categoryCounts, listOpenMarkets } from '../../domain/read/markets';
import { CATEGORIES } from '../../domain/services/markets';
import { quote } from '../../domain/read/quotes';
import { formatKop } from '../../infra/format';
import { cb, type CategoryFilter } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { button, show, type Keyboard } from '../ui';
import { CATEGORY_KEY } from '../../messages/labels';
import { redrawMarketMessage, sendMarketCard } from '../views/market-card';
import { sendMarketRules } from '../views/market-rules';
import { homeRow } from '../views/menu';

/** Market titles on list buttons are cut so a row stays readable on a phone. */
const BUTTON_TITLE_MAX = 40;

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}

/** Categories with open markets, and "all". */
async function showCategories(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const counts = await categoryCounts(rt.ds.manager);
  const total = counts.reduce((s, c) => s + c.count, 0);
  if (total === 0) return show(ctx, ctx.t('markets.none'), [homeRow(ctx)]);
  const known = counts.filter((c): c is { category: (typeof CATEGORIES)[number]; count: number } =>
    (CATEGORIES as readonly string[]).includes(c.category));
  const rows: Keyboard = [[button(ctx.tp('markets.all', { count: total }), cb.list.encode({ category: 'all', page: 0 }))]];
  for (let i = 0; i < known.length; i += 2) {
    rows.push(known.slice(i, i + 2).map((c) =>
      button(ctx.tp('markets.category_button', { name: ctx.tp(CATEGORY_KEY[c.category]), count: c.count }),
        cb.list.encode({ category: c.category, page: 0 }))));
  }
  rows.push(homeRow(ctx));
  await show(ctx, ctx.t('markets.choose_category'), rows);
}

/** One page (5 markets) of a category, with Prev/Next. */
async function showList(rt: BotRuntime, ctx: BotContext, category: CategoryFilter, page: number): Promise<void> {
  const m = rt.ds.manager;
  const { markets, total } = await listOpenMarkets(m, { category: category === 'all' ? undefined : category, page });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (markets.length === 0 && page > 0) return showList(rt, ctx, category, pages - 1);
  const name = category === 'all' ? ctx.tp('markets.all_title') : ctx.tp(CATEGORY_KEY[category]);
  const lines = [ctx.t('markets.list_title', { name, page: page + 1, pages })];
  const rows: Keyboard = [];
  for (const [i, market] of markets.entries()) {
    const q = await quote(m, market.id);
    lines.push(ctx.t('markets.list_item', {
      n: page * PAGE_SIZE + i + 1, title: market.title, yes: q.yesPrice, volume: formatKop(market.volumeKop, ctx.lang, { compact: true }),
    }));
    rows.push([button(ctx.tp('markets.item_button', { yes: q.yesPrice, title: shorten(market.title, BUTTON_TITLE_MAX) }),
      cb.market.encode({ marketId: market.id }))]);
  }
  if (markets.length === 0) lines.push(ctx.t('markets.empty_category'));
  const nav = [];
  if (page > 0) nav.push(button(ctx.tp('markets.prev'), cb.list.encode({ category, page: page - 1 })));
  if (pages > 1) nav.push(button(ctx.tp('markets.page', { page: page + 1, pages }), cb.noop.encode({})));
  if (page + 1 < pages) nav.push(button(ctx.tp('markets.next'), cb.list.encode({ category, page: page + 1 })));
  if (nav.length > 0) rows.push(nav);
  rows.push([button(ctx.tp('markets.back'), cb.categories.encode({}))], homeRow(ctx));
  await show(ctx, lines.join('\n'), rows);
}

/** Categories → paginated lists → market cards (photo) with the order book in place. */
export function marketsFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('markets', (ctx) => showCategories(rt, ctx));
  onButton(c, cb.categories, (ctx) => showCategories(rt, ctx));
  onButton(c, cb.list, (ctx, { category, page }) => showList(rt, ctx, category, page));
  // The button keeps its spinner while the card renders: feedback that something is coming.
  onButton(c, cb.market, (ctx, { marketId }) => sendMarketCard(rt, ctx, marketId));
  onButton(c, cb.view, (ctx, { marketId, view }) => redrawMarketMessage(rt, ctx, marketId, view));
  onButton(c, cb.rules, (ctx, { marketId }) => sendMarketRules(rt, ctx, marketId));
  onButton(c, cb.noop, (ctx) => ctx.answerCbQuery().then(() => undefined));
  return c;
}
