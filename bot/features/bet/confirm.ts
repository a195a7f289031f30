/**
 * Buy / Sell buttons of market cards and the Confirm of order previews: Confirm submits the
 * previewed bet through {@link submitBet} and says what happened to it.
 */
import { Composer } from 'telegraf';
import { isBuy, outcomeOf } from '../../../domain/exchange';
import type { OrderOutcome } from '../../../domain/services/commands';
import type { Failure } from '../../../domain/services/result';
import { balancesOf } from '../../../domain/services/users';
import { formatDateTime, formatRatio } from '../../../infra/format';
import { cb } from '../../../messages/callback-data';
import type { BotContext } from '../../context';
import { onButton } from '../../handlers';
import type { BotRuntime } from '../../runtime';
import { button, failureText, notice, show, type Keyboard } from '../../ui';
import { SIDE_KEY } from '../../../messages/labels';
import { previewedOrder, startOrder } from './order-scene';
import { submitBet, wasSubmitted, type Bet } from './submit';

/** How long Confirm waits for the matching worker before saying "queued" (the order still executes). */
const SUBMIT_WAIT_MS = 10_000;

/** Whole-order refusals of the book, said as what happened to this order (nothing changed). */
const REJECTED_KEY: Partial<Record<Failure['code'], string>> = {
  fok_not_fillable: 'order.result_fok_rejected',
  post_only_would_cross: 'order.result_post_only_rejected',
  no_liquidity: 'order.result_nothing_available',
};

/**
 * The words for what happened to placed order `order`: filled, partly filled and resting (until
 * its expiry for GTD), partly filled with the rest cancelled (IOC, market), resting, and the
 * user's own resting orders cancelled by self-trade prevention.
 */
function outcomeText(ctx: BotContext, o: OrderOutcome, order: Bet, available: number): string {
  const buy = isBuy(o.intent);
  const side = ctx.tp(SIDE_KEY[outcomeOf(o.intent)]);
  const vars = { side, price: o.price, filled: o.filled, resting: o.resting, cost: o.costKop, fee: o.feeKop };
  const lines: string[] = [];
  if (o.filled > 0) {
    const avg = formatRatio(o.costKop, o.filled, ctx.lang, 1);
    lines.push(ctx.t(buy ? 'result.bought' : 'result.sold', { ...vars, avg }));
    if (o.resting > 0) lines.push(ctx.t('result.rest_in_book', vars));
    // A limit IOC knows its size, so it can say how many shares went unfilled; a spend-X buy has no size.
    else if (o.status !== 'filled' && order.kind === 'limit' && order.qty !== undefined) {
      lines.push(ctx.t('order.result_ioc_rest', { shares: order.qty - o.filled, price: o.price }));
    } else if (o.status !== 'filled') lines.push(ctx.t('result.rest_cancelled', vars));
  } else if (o.resting > 0) {
    lines.push(ctx.t('result.resting', vars));
  } else {
    lines.push(ctx.t('result.nothing_filled', vars));
  }
  if (o.resting > 0 && order.tif === 'GTD' && order.expiresAt) {
    lines.push(ctx.t('order.result_until', { date: formatDateTime(new Date(order.expiresAt), ctx.lang) }));
  }
  if (o.selfTradeCancelled > 0) lines.push(ctx.t('result.self_trade', { count: o.selfTradeCancelled }));
  lines.push(ctx.t('result.available', { amount: available }));
  return lines.join('\n');
}

/** The words for an order the worker refused: the book's refusals in order terms, anything else by its code. */
function refusalText(ctx: BotContext, f: Failure, order: Bet, available: number): string {
  const key = REJECTED_KEY[f.code];
  if (!key) return failureText(ctx, f);
  return [ctx.t(key, { price: order.price }), ctx.t('result.available', { amount: available })].join('\n');
}

function afterOrderKeyboard(ctx: BotContext, marketId: number): Keyboard {
  return [[
    button(ctx.tp('order.back_to_market'), cb.market.encode({ marketId })),
    button(ctx.tp('menu.portfolio'), cb.portfolio.encode({})),
  ]];
}

/** Places the previewed bet `draftId` once (submit.ts: a second tap is told it is already placed). */
async function confirm(rt: BotRuntime, ctx: BotContext, draftId: string, order: Bet): Promise<void> {
  const delayed = { delayed: () => show(ctx, ctx.t('order.delayed')), replyChatId: ctx.chat?.id ?? ctx.from!.id };
  const sent = await submitBet(rt, draftId, order, SUBMIT_WAIT_MS, delayed, async () => {
    // Leave first: the order is in hand, and a later tap must find no live draft.
    await ctx.scene.leave();
    await ctx.answerCbQuery(ctx.tp('order.placing'));
  });
  if (!sent.submitted) return notice(ctx, ctx.tp('order.already_placed'));
  const result = sent.result;
  const keyboard = afterOrderKeyboard(ctx, order.marketId);
  const { available } = await balancesOf(rt.ds.manager, ctx.user.id);
  if (!result.ok) return show(ctx, refusalText(ctx, result, order, available), keyboard);
  if (!result.outcome) return show(ctx, ctx.t('errors.unknown'), keyboard);
  await show(ctx, outcomeText(ctx, result.outcome, order, available), keyboard);
}

/** Buy / Sell buttons of market cards and the Confirm of order previews (every order type: see order-scene.ts). */
export function tradeFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  onButton(c, cb.buy, (ctx, { marketId, side }) => startOrder(rt, ctx, marketId, side === 'YES' ? 'BUY_YES' : 'BUY_NO'));
  onButton(c, cb.sell, (ctx, { marketId, side }) => startOrder(rt, ctx, marketId, side === 'YES' ? 'SELL_YES' : 'SELL_NO'));
  onButton(c, cb.confirm, async (ctx, { draft }) => {
    const order = previewedOrder(ctx, draft);
    if (order) return confirm(rt, ctx, draft, order);
    // No live preview with this id: a second tap after the order went in, or an old preview.
    const placed = await wasSubmitted(rt, draft);
    await notice(ctx, ctx.tp(placed ? 'order.already_placed' : 'errors.button_outdated'));
  });
  return c;
}
