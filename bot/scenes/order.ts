/**
 * The order scene: buy (amount in ₽) or sell (shares), then market or limit price, then a preview
 * with Confirm / Cancel. Buttons edit the scene's message in place; typed input gets a new one.
 *
 * The session holds only the draft (market, intent, amount or shares, price); balances, holdings
 * and the book are read fresh at every step. Confirm is handled in features/trade.ts because it
 * must also answer a second tap that arrives after the scene has ended.
 */
import { randomBytes } from 'node:crypto';
import { Scenes } from 'telegraf';
import { message } from 'telegraf/filters';
import { z } from 'zod';
import { Position } from '../../domain/entities';
import { isBuy, maxNotionalForSpend, MIN_NOTIONAL_KOP, outcomeOf, type Intent } from '../../domain/exchange';
import { floorDiv, kop, parseRubToKop } from '../../domain/money';
import type { PlaceOrderCommand } from '../../domain/services/commands';
import { getMarket } from '../../domain/services/markets';
import { feeTierOf, previewBet, quote, type BetInput, type BetPreview } from '../../domain/services/trading';
import { balancesOf } from '../../domain/services/users';
import { formatRatio } from '../../infra/format';
import { cb, DRAFT_ID_LENGTH } from '../callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import { tradingState } from '../market-state';
import { parseWholeNumber } from '../parse';
import type { BotRuntime } from '../runtime';
import { button, failureText, htmlExtra, notice, show, type Keyboard } from '../ui';
import { INTENT_KEY, SIDE_KEY } from '../views/labels';
import { readState, writeState } from './state';

const ORDER_SCENE = 'order';

/** Preset buy amounts, kop (100 / 500 / 1 000 ₽). */
const AMOUNT_PRESETS = [10_000, 50_000, 100_000];
/** Default slippage guard of a market order: best price ± 5 kop, within 1..99 (issue "Walking skeleton"). */
const SLIPPAGE = 5;

const stateSchema = z.object({
  marketId: z.number().int().positive(),
  intent: z.enum(['BUY_YES', 'SELL_YES', 'BUY_NO', 'SELL_NO']),
  step: z.enum(['size', 'price', 'preview']),
  /** Buys: what to spend, kop. */
  amountKop: z.number().int().positive().optional(),
  /** Sells: shares to sell. */
  shares: z.number().int().positive().optional(),
  kind: z.enum(['limit', 'market']).optional(),
  /** Own price 1..99: the limit, or a market order's worst acceptable price. */
  price: z.number().int().min(1).max(99).optional(),
  /** Set with the preview: its id (Confirm must carry it; it becomes the idempotency key) and the exact size previewed. */
  draftId: z.string().length(DRAFT_ID_LENGTH).optional(),
  qty: z.number().int().positive().optional(),
  spendKop: z.number().int().positive().optional(),
});
type OrderDraft = z.output<typeof stateSchema>;

/**
 * The place command for the previewed draft `draftId` of this chat, or undefined when the chat is
 * not at that preview (already confirmed, cancelled, another preview shown since). The command
 * carries exactly the size and price the preview showed, and `bet:<draftId>` as idempotency key.
 */
export function previewedOrder(ctx: BotContext, draftId: string): PlaceOrderCommand | undefined {
  if (ctx.scene.current?.id !== ORDER_SCENE) return undefined;
  const s = readState(ctx, stateSchema);
  if (!s || s.step !== 'preview' || s.draftId !== draftId || !s.kind || !s.price) return undefined;
  const size = s.qty !== undefined ? { qty: s.qty } : s.spendKop !== undefined ? { spendKop: kop(s.spendKop) } : undefined;
  if (!size) return undefined;
  return {
    type: 'place', idempotencyKey: `bet:${draftId}`, marketId: s.marketId, userId: ctx.user.id, intent: s.intent,
    kind: s.kind, price: s.price, ...size, tif: s.kind === 'market' ? 'IOC' : 'GTC',
  };
}

/** The order's size for a draft: spend X for market buys, shares otherwise. */
function orderSize(draft: OrderDraft, feeBps: number): Pick<BetInput, 'qty' | 'spendKop'> {
  if (!isBuy(draft.intent)) return { qty: draft.shares };
  const amount = kop(draft.amountKop ?? 0);
  if (draft.kind === 'market') return { spendKop: amount };
  // A limit buy is a share count: as many as the amount pays for at the limit, fee included.
  return { qty: floorDiv(maxNotionalForSpend(amount, feeBps), draft.price ?? 1) };
}

/** Shares of the intent's outcome the user holds and has not put up for sale. */
async function freeShares(rt: BotRuntime, userId: number, marketId: number, intent: Intent): Promise<number> {
  const p = await rt.ds.getRepository(Position).findOneBy({ userId, marketId, outcome: outcomeOf(intent) });
  return p ? p.shares - p.reserved : 0;
}

/** Best own price on the other side of the book: what a market buy pays / a market sell gets. */
async function bestOwnPrice(rt: BotRuntime, marketId: number, intent: Intent): Promise<number | null> {
  const q = await quote(rt.ds.manager, marketId);
  switch (intent) {
    case 'BUY_YES': return q.bestAsk;
    case 'BUY_NO': return q.bestBid === null ? null : 100 - q.bestBid;
    case 'SELL_YES': return q.bestBid;
    case 'SELL_NO': return q.bestAsk === null ? null : 100 - q.bestAsk;
  }
}

/** The market order's slippage guard: best + 5 capped at 99 for buys, best − 5 floored at 1 for sells. */
function guardPrice(best: number, intent: Intent): number {
  return isBuy(intent) ? Math.min(99, best + SLIPPAGE) : Math.max(1, best - SLIPPAGE);
}

const cancelRow = (ctx: BotContext) => [button(ctx.tp('order.cancel'), cb.cancel.encode({}))];
const backCancelRow = (ctx: BotContext) => [button(ctx.tp('order.back'), cb.back.encode({})), ...cancelRow(ctx)];

/** Asks how much: an amount for buys, shares for sells. */
async function showSizeStep(rt: BotRuntime, ctx: BotContext, s: OrderDraft): Promise<void> {
  const market = await getMarket(rt.ds.manager, s.marketId);
  if (!market) return leaveWith(ctx, ctx.tp('errors.market_not_found'));
  const head = ctx.t('order.head', { action: ctx.tp(INTENT_KEY[s.intent]), title: market.title });
  const best = await bestOwnPrice(rt, s.marketId, s.intent);
  const bestLine = best === null ? ctx.t('order.no_counterparty') : ctx.t(isBuy(s.intent) ? 'order.best_ask' : 'order.best_bid', { price: best });
  if (isBuy(s.intent)) {
    const { available } = await balancesOf(rt.ds.manager, ctx.user.id);
    return show(ctx, [head, bestLine, ctx.t('order.available', { amount: available }), '', ctx.t('order.ask_amount', { min: MIN_NOTIONAL_KOP })].join('\n'), [
      AMOUNT_PRESETS.map((amount) => button(ctx.tp('order.amount_button', { amount }), cb.amount.encode({ kop: amount }))),
      cancelRow(ctx),
    ]);
  }
  const free = await freeShares(rt, ctx.user.id, s.marketId, s.intent);
  const half = Math.floor(free / 2);
  const presets = [button(ctx.tp('order.shares_all', { shares: free }), cb.shares.encode({ shares: free }))];
  if (half > 0 && half < free) presets.push(button(ctx.tp('order.shares_half', { shares: half }), cb.shares.encode({ shares: half })));
  return show(ctx, [head, bestLine, ctx.t('order.holding', { shares: free, side: ctx.tp(SIDE_KEY[outcomeOf(s.intent)]) }), '', ctx.t('order.ask_shares')].join('\n'),
    [presets, cancelRow(ctx)]);
}

/** Asks market or limit; the market button shows its slippage guard. */
async function showPriceStep(rt: BotRuntime, ctx: BotContext, s: OrderDraft): Promise<void> {
  const best = await bestOwnPrice(rt, s.marketId, s.intent);
  const size = isBuy(s.intent) ? ctx.t('order.size_amount', { amount: s.amountKop as number }) : ctx.t('order.size_shares', { shares: s.shares as number });
  const lines = [size, ''];
  const rows: Keyboard = [];
  if (best === null) {
    lines.push(ctx.t('order.no_counterparty_limit'));
  } else {
    const guard = guardPrice(best, s.intent);
    lines.push(ctx.t(isBuy(s.intent) ? 'order.market_buy_explained' : 'order.market_sell_explained', { best, guard, slippage: SLIPPAGE }));
    rows.push([button(ctx.tp(isBuy(s.intent) ? 'order.market_buy_button' : 'order.market_sell_button', { guard }), cb.marketPrice.encode({ price: guard }))]);
  }
  lines.push(ctx.t('order.ask_limit'));
  rows.push(backCancelRow(ctx));
  await show(ctx, lines.join('\n'), rows);
}

/** What the preview says about the fill, cost and what rests; every number from the domain preview. */
function previewLines(ctx: BotContext, s: OrderDraft, p: BetPreview, tier: Awaited<ReturnType<typeof feeTierOf>>): string[] {
  const buy = isBuy(s.intent);
  const side = ctx.tp(SIDE_KEY[outcomeOf(s.intent)]);
  const kind = s.kind === 'market' ? ctx.t('order.preview_kind_market', { price: s.price as number }) : ctx.t('order.preview_kind_limit', { price: s.price as number });
  const lines = [ctx.t('order.preview_title'), ctx.t(INTENT_KEY[s.intent]), kind];
  if (p.shares > 0) {
    lines.push(ctx.t(buy ? 'order.preview_fill_buy' : 'order.preview_fill_sell', {
      shares: p.shares, side, avg: formatRatio(p.costKop, p.shares, ctx.lang, 1), worst: p.worstPrice ?? (s.price as number),
    }));
    lines.push(ctx.t(buy ? 'order.preview_cost' : 'order.preview_proceeds', { amount: p.costKop }));
    lines.push(ctx.t('order.preview_fee', { amount: p.feeKop, bps: p.feeBps }));
    lines.push(ctx.t(buy ? 'order.preview_total_buy' : 'order.preview_total_sell', { amount: p.totalKop }));
    if (buy) lines.push(ctx.t('order.preview_payout', { amount: p.maxPayoutKop, side }));
  } else {
    lines.push(ctx.t('order.preview_no_fill'));
  }
  if (p.restingShares > 0) lines.push(ctx.t('order.preview_rest', { shares: p.restingShares, price: s.price as number }));
  else if (s.kind === 'market') lines.push(ctx.t('order.preview_ioc'));
  if (buy) lines.push(ctx.t('order.preview_reserve', { amount: p.reserveKop }));
  lines.push('', tier.nextBps === null || tier.nextTierAtKop === null
    ? ctx.t('order.preview_tier_top', { bps: tier.bps })
    : ctx.t('order.preview_tier', { bps: tier.bps, volume: tier.volume30dKop, next: tier.nextBps, at: tier.nextTierAtKop }));
  return lines;
}

/** Runs the domain preview; on success stores a fresh draft id and shows Confirm / Cancel. */
async function showPreview(rt: BotRuntime, ctx: BotContext, s: OrderDraft): Promise<void> {
  const m = rt.ds.manager;
  const tier = await feeTierOf(m, ctx.user.id);
  const size = orderSize(s, tier.bps);
  if (size.qty !== undefined && size.qty < 1) return notice(ctx, ctx.tp('errors.notional_too_small', { minKop: MIN_NOTIONAL_KOP }));
  const r = await previewBet(m, { marketId: s.marketId, userId: ctx.user.id, intent: s.intent, kind: s.kind as 'limit' | 'market', price: s.price as number, ...size });
  if (!r.ok) return notice(ctx, failureText(ctx, r, false), Boolean(ctx.callbackQuery));
  // A market order that would fill nothing is not worth confirming: say so and let a limit be typed.
  if (s.kind === 'market' && r.preview.shares === 0) return notice(ctx, ctx.tp('errors.no_liquidity'), Boolean(ctx.callbackQuery));
  const draftId = randomBytes(DRAFT_ID_LENGTH / 2).toString('hex');
  writeState(ctx, { ...s, step: 'preview', draftId, ...size });
  await show(ctx, previewLines(ctx, s, r.preview, tier).join('\n'), [
    [button(ctx.tp('order.confirm'), cb.confirm.encode({ draft: draftId }))],
    backCancelRow(ctx),
  ]);
}

async function leaveWith(ctx: BotContext, plain: string): Promise<void> {
  await ctx.scene.leave();
  await notice(ctx, plain);
}

/** Buys: a typed or preset amount (kop); ≥ 10 ₽ and ≤ the available balance. */
async function takeAmount(rt: BotRuntime, ctx: BotContext, s: OrderDraft, amountKop: number | null): Promise<void> {
  if (amountKop === null) return notice(ctx, ctx.tp('errors.amount_not_number'));
  if (amountKop < MIN_NOTIONAL_KOP) return notice(ctx, ctx.tp('errors.amount_too_small', { min: MIN_NOTIONAL_KOP }));
  const { available } = await balancesOf(rt.ds.manager, ctx.user.id);
  if (amountKop > available) {
    // A new message, so the amount prompt above stays usable for a smaller amount.
    await ctx.reply(ctx.t('errors.amount_over_balance', { amount: amountKop, available }),
      htmlExtra([[button(ctx.tp('balance.deposit'), cb.deposit.encode({}))]]));
    return;
  }
  const next = { ...s, step: 'price' as const, amountKop };
  writeState(ctx, next);
  await showPriceStep(rt, ctx, next);
}

/** Sells: a typed or preset share count, 1..free shares. */
async function takeShares(rt: BotRuntime, ctx: BotContext, s: OrderDraft, shares: number | null): Promise<void> {
  if (shares === null || shares < 1) return notice(ctx, ctx.tp('errors.shares_not_number'));
  const free = await freeShares(rt, ctx.user.id, s.marketId, s.intent);
  if (shares > free) return notice(ctx, ctx.tp('errors.shares_over_position', { have: free }));
  const next = { ...s, step: 'price' as const, shares };
  writeState(ctx, next);
  await showPriceStep(rt, ctx, next);
}

/** A limit price typed (1..99) or the market button's guard. */
async function takePrice(rt: BotRuntime, ctx: BotContext, s: OrderDraft, kind: 'limit' | 'market', price: number | null): Promise<void> {
  if (price === null) return notice(ctx, ctx.tp('errors.price_not_number'));
  if (price < 1 || price > 99) return notice(ctx, ctx.tp('errors.price_out_of_range', { minPrice: 1, maxPrice: 99 }));
  await showPreview(rt, ctx, { ...s, kind, price });
}

/** Reads the scene state or, if it is unusable, ends the scene with "outdated". */
async function withDraft(ctx: BotContext, then: (s: OrderDraft) => Promise<void>): Promise<void> {
  const s = readState(ctx, stateSchema);
  if (!s) return leaveWith(ctx, ctx.tp('errors.button_outdated'));
  await then(s);
}

export function orderScene(rt: BotRuntime): Scenes.BaseScene<BotContext> {
  const scene = new Scenes.BaseScene<BotContext>(ORDER_SCENE);
  scene.enter((ctx) => withDraft(ctx, (s) => showSizeStep(rt, ctx, s)));

  onButton(scene, cb.amount, (ctx, { kop }) => withDraft(ctx, (s) =>
    (s.step === 'size' && isBuy(s.intent) ? takeAmount(rt, ctx, s, kop) : notice(ctx, ctx.tp('errors.button_outdated')))));
  onButton(scene, cb.shares, (ctx, { shares }) => withDraft(ctx, (s) =>
    (s.step === 'size' && !isBuy(s.intent) ? takeShares(rt, ctx, s, shares) : notice(ctx, ctx.tp('errors.button_outdated')))));
  onButton(scene, cb.marketPrice, (ctx, { price }) => withDraft(ctx, (s) =>
    (s.step === 'price' ? takePrice(rt, ctx, s, 'market', price) : notice(ctx, ctx.tp('errors.button_outdated')))));
  onButton(scene, cb.back, (ctx) => withDraft(ctx, async (s) => {
    const back = { ...s, step: s.step === 'preview' ? ('price' as const) : ('size' as const), draftId: undefined, qty: undefined, spendKop: undefined };
    writeState(ctx, back);
    await (back.step === 'price' ? showPriceStep(rt, ctx, back) : showSizeStep(rt, ctx, back));
  }));
  onButton(scene, cb.cancel, (ctx) => withDraft(ctx, async (s) => {
    await ctx.scene.leave();
    await show(ctx, ctx.t('order.cancelled'), [[button(ctx.tp('order.back_to_market'), cb.market.encode({ marketId: s.marketId }))]]);
  }));

  scene.on(message('text'), (ctx) => withDraft(ctx, async (s) => {
    const text = ctx.message.text;
    if (s.step === 'size') {
      return isBuy(s.intent) ? takeAmount(rt, ctx, s, parseRubToKop(text)) : takeShares(rt, ctx, s, parseWholeNumber(text));
    }
    if (s.step === 'price') return takePrice(rt, ctx, s, 'limit', parseWholeNumber(text));
    await notice(ctx, ctx.tp('order.confirm_or_cancel'));
  }));
  return scene;
}

/**
 * Starts a buy or sell of `marketId` from a card or the portfolio. Refuses, changing nothing, when
 * the market cannot be traded or (sells) nothing is held.
 */
export async function startOrder(rt: BotRuntime, ctx: BotContext, marketId: number, intent: Intent): Promise<void> {
  const market = await getMarket(rt.ds.manager, marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  if (tradingState(market) !== 'open') return notice(ctx, ctx.tp('errors.market_closed'), true);
  if (!isBuy(intent) && (await freeShares(rt, ctx.user.id, marketId, intent)) < 1) {
    return notice(ctx, ctx.tp('errors.nothing_to_sell'));
  }
  const state: OrderDraft = { marketId, intent, step: 'size' };
  await ctx.scene.enter(ORDER_SCENE, state);
}
