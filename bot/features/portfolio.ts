import { Composer } from 'telegraf';
import { feeTierOf, portfolio } from '../../domain/services/trading';
import { balancesOf } from '../../domain/services/users';
import { cb } from '../callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import type { BotRuntime } from '../runtime';
import { button, failureText, notice, show, type Keyboard } from '../ui';
import { INTENT_KEY, SIDE_KEY } from '../views/labels';
import { homeRow } from '../views/menu';

/** Telegram messages hold 4096 characters: list this many of each, then "and N more". */
const MAX_LISTED = 10;
const BUTTON_TITLE_MAX = 24;
const CANCEL_WAIT_MS = 10_000;

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}

/** Balance, fee tier, positions with value and P&L (a Sell button each), open orders each with a Cancel button. */
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
    lines.push(ctx.t('portfolio.position', { title: p.title, side, shares: p.shares, cost: p.costKop, value: p.valueKop, pnl: p.pnlKop }));
    const free = p.shares - p.reserved;
    if (p.marketStatus === 'open' && free > 0) {
      rows.push([button(ctx.tp('portfolio.sell_button', { side, shares: free, title: shorten(p.title, BUTTON_TITLE_MAX) }),
        cb.sell.encode({ marketId: p.marketId, side: p.outcome }))]);
    }
  }
  if (positions.length > MAX_LISTED) lines.push(ctx.t('portfolio.more', { count: positions.length - MAX_LISTED }));

  lines.push('', ctx.t('portfolio.orders'));
  if (orders.length === 0) lines.push(ctx.t('portfolio.no_orders'));
  for (const [i, o] of orders.slice(0, MAX_LISTED).entries()) {
    const action = ctx.tp(INTENT_KEY[o.intent]);
    lines.push(ctx.t('portfolio.order', { n: i + 1, title: o.title, action, shares: o.remaining, price: o.price, reserved: o.reservedKop }));
    rows.push([button(ctx.tp('portfolio.cancel_button', { n: i + 1, action, shares: o.remaining, price: o.price, title: shorten(o.title, BUTTON_TITLE_MAX) }),
      cb.cancelOrder.encode({ orderId: o.id, marketId: o.marketId }))]);
  }
  if (orders.length > MAX_LISTED) lines.push(ctx.t('portfolio.more', { count: orders.length - MAX_LISTED }));

  rows.push([button(ctx.tp('balance.deposit'), cb.deposit.encode({})), button(ctx.tp('menu.markets'), cb.categories.encode({}))]);
  rows.push(homeRow(ctx));
  await show(ctx, lines.join('\n'), rows);
}

async function showBalance(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const { available, reserved } = await balancesOf(rt.ds.manager, ctx.user.id);
  await show(ctx, ctx.t('balance.text', { available, reserved }), [
    [button(ctx.tp('balance.deposit'), cb.deposit.encode({}))],
    homeRow(ctx),
  ]);
}

/** Portfolio, balance, and cancelling open orders. */
export function portfolioFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('portfolio', (ctx) => showPortfolio(rt, ctx));
  onButton(c, cb.portfolio, (ctx) => showPortfolio(rt, ctx));
  c.command('balance', (ctx) => showBalance(rt, ctx));
  onButton(c, cb.balance, (ctx) => showBalance(rt, ctx));

  onButton(c, cb.cancelOrder, async (ctx, { orderId, marketId }) => {
    // The matching worker checks the order belongs to this user; the key is per user so a forged
    // tap on someone else's order id cannot use up the owner's key.
    const r = await rt.queues.submit({
      type: 'cancel', idempotencyKey: `cancel:${ctx.user.id}:${orderId}`, marketId, userId: ctx.user.id, orderId,
    }, CANCEL_WAIT_MS);
    await notice(ctx, r.ok ? ctx.tp('portfolio.cancelled') : failureText(ctx, r, false), !r.ok);
    await showPortfolio(rt, ctx);
  });
  return c;
}
