import { Composer } from 'telegraf';
import { isBuy, outcomeOf } from '../../domain/exchange';
import type { OrderOutcome, PlaceOrderCommand } from '../../domain/services/commands';
import { balancesOf } from '../../domain/services/users';
import { formatRatio } from '../../infra/format';
import { cb } from '../callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import { claimOnce, type BotRuntime } from '../runtime';
import { previewedOrder, startOrder } from '../scenes/order';
import { button, failureText, notice, show, type Keyboard } from '../ui';
import { SIDE_KEY } from '../views/labels';

/** How long Confirm waits for the matching worker before saying "queued" (the order still executes). */
const SUBMIT_WAIT_MS = 10_000;
/** A confirmed draft id is remembered this long, so a late second tap still reads "already placed". */
const CONFIRMED_TTL_SEC = 24 * 60 * 60;

/** The words for what happened to a placed order: filled, partly filled, resting, or nothing. */
function outcomeText(ctx: BotContext, o: OrderOutcome, available: number): string {
  const buy = isBuy(o.intent);
  const side = ctx.tp(SIDE_KEY[outcomeOf(o.intent)]);
  const vars = { side, price: o.price, filled: o.filled, resting: o.resting, cost: o.costKop, fee: o.feeKop };
  const lines: string[] = [];
  if (o.filled > 0) {
    const avg = formatRatio(o.costKop, o.filled, ctx.lang, 1);
    lines.push(ctx.t(buy ? 'result.bought' : 'result.sold', { ...vars, avg }));
    if (o.resting > 0) lines.push(ctx.t('result.rest_in_book', vars));
    else if (o.status !== 'filled') lines.push(ctx.t('result.rest_cancelled', vars));
  } else if (o.resting > 0) {
    lines.push(ctx.t('result.resting', vars));
  } else {
    lines.push(ctx.t('result.nothing_filled', vars));
  }
  if (o.selfTradeCancelled > 0) lines.push(ctx.t('result.self_trade', { count: o.selfTradeCancelled }));
  lines.push(ctx.t('result.available', { amount: available }));
  return lines.join('\n');
}

function afterOrderKeyboard(ctx: BotContext, marketId: number): Keyboard {
  return [[
    button(ctx.tp('order.back_to_market'), cb.market.encode({ marketId })),
    button(ctx.tp('menu.portfolio'), cb.portfolio.encode({})),
  ]];
}

/**
 * Places the previewed order once. The draft id is claimed in Redis first, so two taps on Confirm
 * submit once; the order's idempotency key `bet:<draftId>` makes the worker apply it once even if
 * the submission itself is repeated (DESIGN §3 inv. 6).
 */
async function confirm(rt: BotRuntime, ctx: BotContext, draftId: string, order: PlaceOrderCommand): Promise<void> {
  if (!(await claimOnce(rt, rt.key('draft', draftId), CONFIRMED_TTL_SEC))) {
    return notice(ctx, ctx.tp('order.already_placed'));
  }
  // Leave first: the order is in hand, and a later tap must find no live draft.
  await ctx.scene.leave();
  await ctx.answerCbQuery(ctx.tp('order.placing'));
  const result = await rt.queues.submit(order, SUBMIT_WAIT_MS);
  const keyboard = afterOrderKeyboard(ctx, order.marketId);
  if (!result.ok) return show(ctx, failureText(ctx, result), keyboard);
  if (!result.outcome) return show(ctx, ctx.t('errors.unknown'), keyboard);
  const { available } = await balancesOf(rt.ds.manager, ctx.user.id);
  await show(ctx, outcomeText(ctx, result.outcome, available), keyboard);
}

/** Buy / Sell buttons of market cards and the Confirm of order previews. */
export function tradeFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  onButton(c, cb.buy, (ctx, { marketId, side }) => startOrder(rt, ctx, marketId, side === 'YES' ? 'BUY_YES' : 'BUY_NO'));
  onButton(c, cb.sell, (ctx, { marketId, side }) => startOrder(rt, ctx, marketId, side === 'YES' ? 'SELL_YES' : 'SELL_NO'));
  onButton(c, cb.confirm, async (ctx, { draft }) => {
    const order = previewedOrder(ctx, draft);
    if (order) return confirm(rt, ctx, draft, order);
    // No live preview with this id: a second tap after the order went in, or an old preview.
    const placed = (await rt.redis.exists(rt.key('draft', draft))) === 1;
    await notice(ctx, ctx.tp(placed ? 'order.already_placed' : 'errors.button_outdated'));
  });
  return c;
}
