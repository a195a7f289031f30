import { Composer } from 'telegraf';
import { isBuy, ownPrice } from '../../domain/exchange';
import { cancelledByUser, expiriesOf, openOrderIds, portfolio, type OrderView } from '../../domain/read/portfolio';
import type { Result } from '../../domain/services/result';
import { feeTierOf } from '../../domain/services/trading';
import { balancesOf } from '../../domain/services/users';
import { formatDateTime } from '../../infra/format';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { button, failureText, notice, show, type Keyboard } from '../ui';
import { INTENT_KEY, SIDE_KEY } from '../../messages/labels';
import { sendHistoryChart, sendHistoryCsv, showHistory } from '../views/history';
import { redrawMarketMessage } from '../views/market-card';
import { homeRow } from '../views/menu';
import { withdrawalSection } from './withdraw';
import { submitWithNotice, type SlowNotice } from './bet/submit';

/** Telegram messages hold 4096 characters: list this many of each, then "and N more". */
const MAX_LISTED = 10;
/**
 * Titles in the list are cut to this, so 10 positions and 10 orders with 200-character titles
 * still fit one message (docs/LIMITS.md); the card shows the whole title.
 */
const LIST_TITLE_MAX = 80;
const BUTTON_TITLE_MAX = 24;
const CANCEL_WAIT_MS = 10_000;
/** A market gets a "cancel all" button from this many open orders; for one order its own Cancel does the same. */
const CANCEL_ALL_FROM = 2;

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}

/** One "cancel all" row per market with at least CANCEL_ALL_FROM open orders (all of them counted, listed or not). */
function cancelAllRows(ctx: BotContext, orders: readonly OrderView[]): Keyboard {
  const perMarket = new Map<number, { title: string; count: number }>();
  for (const o of orders) {
    const m = perMarket.get(o.marketId) ?? { title: o.title, count: 0 };
    m.count += 1;
    perMarket.set(o.marketId, m);
  }
  return [...perMarket].filter(([, m]) => m.count >= CANCEL_ALL_FROM).map(([marketId, m]) => [
    button(ctx.tp('portfolio.cancel_all_button', { count: m.count, title: shorten(m.title, BUTTON_TITLE_MAX) }),
      cb.cancelAll.encode({ marketId, from: 'portfolio' })),
  ]);
}

/**
 * Balance, fee tier, positions with value and P&L (a Sell button each), open orders each with a
 * Cancel button and its expiry if it has one, and "cancel all" per market with several orders.
 */
async function showPortfolio(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const m = rt.ds.manager;
  const [{ positions, orders }, balance, tier] = await Promise.all([
    portfolio(m, ctx.user.id), balancesOf(m, ctx.user.id), feeTierOf(m, ctx.user.id),
  ]);
  const lines = [ctx.t('portfolio.title'), ctx.t('portfolio.balance', { available: balance.available, reserved: balance.reserved })];
  lines.push(tier.nextBps === null || tier.nextTierAtKop === null
    ? ctx.t('portfolio.tier_top', { bps: tier.bps, volume: tier.volume30dKop })
    : ctx.t('portfolio.tier', { bps: tier.bps, volume: tier.volume30dKop, next: tier.nextBps, at: tier.nextTierAtKop }));
  const rows: Keyboard = [];

  lines.push('', ctx.t('portfolio.positions'));
  if (positions.length === 0) lines.push(ctx.t('portfolio.no_positions'));
  for (const p of positions.slice(0, MAX_LISTED)) {
    const side = ctx.tp(SIDE_KEY[p.outcome]);
    lines.push(ctx.t('portfolio.position', { title: shorten(p.title, LIST_TITLE_MAX), side, shares: p.shares, cost: p.costKop, value: p.valueKop, pnl: p.pnlKop }));
    const free = p.shares - p.reserved;
    if (p.marketStatus === 'open' && free > 0) {
      rows.push([button(ctx.tp('portfolio.sell_button', { side, shares: free, title: shorten(p.title, BUTTON_TITLE_MAX) }),
        cb.sell.encode({ marketId: p.marketId, side: p.outcome })),
      // Stop-loss / take-profit of this position (issue 11).
      button(ctx.tp('portfolio.protect_button'), cb.protect.encode({ marketId: p.marketId, side: p.outcome }))]);
    }
  }
  if (positions.length > MAX_LISTED) lines.push(ctx.t('portfolio.more', { count: positions.length - MAX_LISTED }));

  lines.push('', ctx.t('portfolio.orders'));
  if (orders.length === 0) lines.push(ctx.t('portfolio.no_orders'));
  const listed = orders.slice(0, MAX_LISTED);
  const expiries = await expiriesOf(rt.ds.manager, listed.map((o) => o.id));
  for (const [i, o] of listed.entries()) {
    const action = ctx.tp(INTENT_KEY[o.intent]);
    lines.push(ctx.t('portfolio.order', { n: i + 1, title: shorten(o.title, LIST_TITLE_MAX), action, shares: o.remaining, price: o.price, reserved: o.reservedKop }));
    const expiry = expiries.get(o.id);
    if (expiry) lines.push(ctx.t('portfolio.order_until', { date: formatDateTime(expiry, ctx.lang) }));
    rows.push([button(ctx.tp('portfolio.cancel_button', { n: i + 1, action, shares: o.remaining, price: o.price, title: shorten(o.title, BUTTON_TITLE_MAX) }),
      cb.cancelOrder.encode({ orderId: o.id, marketId: o.marketId }))]);
  }
  if (orders.length > MAX_LISTED) lines.push(ctx.t('portfolio.more', { count: orders.length - MAX_LISTED }));
  rows.push(...cancelAllRows(ctx, orders));

  rows.push([button(ctx.tp('balance.deposit'), cb.deposit.encode({})), button(ctx.tp('menu.markets'), cb.categories.encode({}))]);
  rows.push([button(ctx.tp('history.button'), cb.history.encode({ view: 'trades', page: 0 }))]);
  rows.push(homeRow(ctx));
  await show(ctx, lines.join('\n'), rows);
}

async function showBalance(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const { available, reserved } = await balancesOf(rt.ds.manager, ctx.user.id);
  const w = await withdrawalSection(rt, ctx);
  await show(ctx, [ctx.t('balance.text', { available, reserved }), ...w.lines].join('\n'), [
    [button(ctx.tp('balance.deposit'), cb.deposit.encode({}))],
    ...w.rows,
    homeRow(ctx),
  ]);
}

/**
 * A slow cancel is answered "delayed" on the button (the result then comes as a message: ui.ts
 * `notice` replies once the button is answered); a late result is told in this chat.
 */
function cancelNotice(ctx: BotContext): SlowNotice {
  return { delayed: () => ctx.answerCbQuery(ctx.tp('portfolio.cancel_delayed')), replyChatId: ctx.chat?.id ?? ctx.from!.id };
}

/** What a cancel-all gave back: orders cancelled, and kop and shares released from their reserves. */
interface Released {
  count: number;
  kop: number;
  shares: number;
}

/**
 * Cancels every open order of the user in `marketId` with one `cancel_all` command on the
 * market's matching queue (applied in order with its trades; keyed by the Telegram update, so a
 * redelivered tap cancels once). What came back is read from the cancelled orders' rows: a resting
 * order's reserve is exactly its unfilled part (qty − filled) — own price × that in kop for a buy,
 * that many shares for a sell (exchange/effects.ts).
 */
async function cancelAllIn(rt: BotRuntime, ctx: BotContext, marketId: number): Promise<Result<Released>> {
  const open = await openOrderIds(rt.ds.manager, ctx.user.id, marketId);
  if (open.length === 0) return { ok: true, count: 0, kop: 0, shares: 0 };
  const r = await submitWithNotice(rt, {
    type: 'cancel_all', idempotencyKey: `cancel-all:${ctx.user.id}:${ctx.update.update_id}`, marketId, userId: ctx.user.id,
  }, CANCEL_WAIT_MS, cancelNotice(ctx));
  if (!r.ok) return r;
  const gone = await cancelledByUser(rt.ds.manager, open);
  // Counted from the rows, not the worker's count, so number and amounts describe the same orders
  // (a single Cancel tapped meanwhile is one of them).
  const released = { ok: true as const, count: gone.length, kop: 0, shares: 0 };
  for (const o of gone) {
    const unfilled = o.qty - o.filled;
    if (isBuy(o.intent)) released.kop += ownPrice(o.intent, o.price) * unfilled;
    else released.shares += unfilled;
  }
  return released;
}

/** The answer to a cancel-all: how many orders, and the money (and shares) back from reserve. */
function releasedText(ctx: BotContext, r: Released): string {
  if (r.count === 0) return ctx.tp('portfolio.nothing_to_cancel');
  return ctx.tp(r.shares > 0 ? 'portfolio.cancelled_all_shares' : 'portfolio.cancelled_all', { count: r.count, amount: r.kop, shares: r.shares });
}

/** Portfolio, balance, cancelling open orders one by one or all of a market's at once, and History (issue 11). */
export function portfolioFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('portfolio', (ctx) => showPortfolio(rt, ctx));
  onButton(c, cb.portfolio, (ctx) => showPortfolio(rt, ctx));
  c.command('balance', (ctx) => showBalance(rt, ctx));
  onButton(c, cb.balance, (ctx) => showBalance(rt, ctx));
  onButton(c, cb.history, (ctx, { view, page }) => showHistory(rt, ctx, view, page));
  onButton(c, cb.historyChart, (ctx) => sendHistoryChart(rt, ctx));
  onButton(c, cb.historyCsv, (ctx) => sendHistoryCsv(rt, ctx));

  onButton(c, cb.cancelOrder, async (ctx, { orderId, marketId }) => {
    // The matching worker checks the order belongs to this user; the key is per user so a forged
    // tap on someone else's order id cannot use up the owner's key.
    const r = await submitWithNotice(rt, {
      type: 'cancel', idempotencyKey: `cancel:${ctx.user.id}:${orderId}`, marketId, userId: ctx.user.id, orderId,
    }, CANCEL_WAIT_MS, cancelNotice(ctx));
    await notice(ctx, r.ok ? ctx.tp('portfolio.cancelled') : failureText(ctx, r, false), !r.ok);
    await showPortfolio(rt, ctx);
  });

  // From the portfolio or a market's photo message (card or book face), which is then redrawn
  // without the orders. The worker only ever cancels the tapping user's own orders.
  onButton(c, cb.cancelAll, async (ctx, { marketId, from }) => {
    const r = await cancelAllIn(rt, ctx, marketId);
    await notice(ctx, r.ok ? releasedText(ctx, r) : failureText(ctx, r, false), true);
    await (from === 'portfolio' ? showPortfolio(rt, ctx) : redrawMarketMessage(rt, ctx, marketId, from));
  });
  return c;
}
