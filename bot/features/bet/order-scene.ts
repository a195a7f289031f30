/**
 * The order scene: buy (amount in ₽) or sell (shares), then market or limit price, then a preview
 * with Confirm / Cancel. A limit order's preview also offers its time in force (GTC, GTD, IOC,
 * FOK) and post-only (order-tif.ts): each change re-runs the domain preview, and an order the book
 * would reject (FOK not fillable, post-only crossing, IOC with nothing to fill) is shown with the
 * reason and without Confirm. Buttons edit the scene's message in place; typed input gets a new one.
 *
 * The session holds only the draft (market, intent, amount or shares, price, time in force);
 * balances, holdings and the book are read fresh at every step. Confirm is handled in
 * confirm.ts because it must also answer a second tap that arrives after the scene has ended.
 */
import { Scenes } from 'telegraf';
import { message } from 'telegraf/filters';
import { z } from 'zod';
import {
  AMOUNT_PRESETS_KOP, bestOwnPrice, guardPrice, isBuy, minBuyAmount, MIN_NOTIONAL_KOP, orderSize, outcomeOf, SLIPPAGE, type Intent,
  type RejectCode,
} from '../../../domain/exchange';
import { kop, parseRubToKop } from '../../../domain/money';
import { MATCH_REJECT_CODES, type Failure } from '../../../domain/services/result';
import { freeSharesOf } from '../../../domain/read/portfolio';
import { quote } from '../../../domain/read/quotes';
import { feeTierOf, previewBet, type BetInput } from '../../../domain/services/trading';
import { balancesOf } from '../../../domain/services/users';
import { formatDateTime } from '../../../infra/format';
import { cb, DRAFT_ID_LENGTH } from '../../../messages/callback-data';
import type { BotContext } from '../../context';
import { onButton } from '../../handlers';
import { tradingState } from '../../../domain/read/trading-state';
import { parseDeadline, parseWholeNumber } from '../../parse';
import type { BotRuntime } from '../../runtime';
import { marketOf } from '../../reads';
import { readState, writeState } from '../../scenes/state';
import { button, failureText, htmlExtra, notice, show, type Keyboard } from '../../ui';
import { INTENT_KEY, notTradingKey, SIDE_KEY } from '../../../messages/labels';
import { headLines, previewLines, tifLines } from './order-preview';
import {
  expiryPresets, MIN_TYPED_LIFE_MIN, settleChoice, tifFields, tifRows, typedExpiryFits, type TifChoice,
} from './order-tif';
import { newBetId, type Bet } from './submit';

const ORDER_SCENE = 'order';

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
  /** Set with the preview: its bet id (Confirm must carry it; submit.ts makes it the idempotency key) and the exact size previewed. */
  draftId: z.string().length(DRAFT_ID_LENGTH).optional(),
  qty: z.number().int().positive().optional(),
  spendKop: z.number().int().positive().optional(),
  ...tifFields,
});
type OrderDraft = z.output<typeof stateSchema>;

/** What the book may refuse a whole order for; the preview shows these as a reason, not a toast. */
function isBookRejection(f: Failure): f is Failure<RejectCode> {
  return (MATCH_REJECT_CODES as readonly string[]).includes(f.code);
}

/** The draft's time-in-force choice (limit orders; GTC when none was made). */
function choiceOf(s: OrderDraft): TifChoice {
  return { tif: s.tif ?? 'GTC', postOnly: s.postOnly ?? false, expiry: s.expiry, expiresAt: s.expiresAt };
}

/** The draft with choice `c` in place of its old one (every field replaced, so nothing stale stays). */
function withChoice(s: OrderDraft, c: TifChoice): OrderDraft {
  return { ...s, tif: c.tif, postOnly: c.postOnly, expiry: c.expiry, expiresAt: c.expiresAt };
}

/**
 * The bet previewed as draft `draftId` in this chat, or undefined when the chat is not at that
 * preview (already confirmed, cancelled, another preview shown since). It carries exactly the
 * size, price, time in force, post-only flag and expiry the preview showed.
 */
export function previewedOrder(ctx: BotContext, draftId: string): Bet | undefined {
  if (ctx.scene.current?.id !== ORDER_SCENE) return undefined;
  const s = readState(ctx, stateSchema);
  if (!s || s.step !== 'preview' || s.draftId !== draftId || !s.kind || !s.price) return undefined;
  const size = s.qty !== undefined ? { qty: s.qty } : s.spendKop !== undefined ? { spendKop: kop(s.spendKop) } : undefined;
  if (!size) return undefined;
  const c = choiceOf(s);
  const limit = s.kind === 'limit';
  return {
    marketId: s.marketId, userId: ctx.user.id, intent: s.intent,
    kind: s.kind, price: s.price, ...size, tif: limit ? c.tif : 'IOC', postOnly: limit && c.postOnly,
    expiresAt: limit && c.tif === 'GTD' ? c.expiresAt ?? null : null,
  };
}


/** Shares of the intent's outcome the user holds and has not put up for sale. */
async function freeShares(rt: BotRuntime, userId: number, marketId: number, intent: Intent): Promise<number> {
  return freeSharesOf(rt.ds.manager, userId, marketId, outcomeOf(intent));
}

/** Best own price on the other side of the market's book now (exchange/bet-size bestOwnPrice), or null. */
export async function bestPrice(rt: BotRuntime, marketId: number, intent: Intent): Promise<number | null> {
  return bestOwnPrice(await quote(rt.ds.manager, marketId), intent);
}

const cancelRow = (ctx: BotContext) => [button(ctx.tp('order.cancel'), cb.cancel.encode({}))];
const backCancelRow = (ctx: BotContext) => [button(ctx.tp('order.back'), cb.back.encode({})), ...cancelRow(ctx)];

/** Asks how much: an amount for buys, shares for sells. */
async function showSizeStep(rt: BotRuntime, ctx: BotContext, s: OrderDraft): Promise<void> {
  const market = await marketOf(rt, ctx, s.marketId);
  if (!market) return leaveWith(ctx, ctx.tp('errors.market_not_found'));
  const head = ctx.t('order.head', { action: ctx.tp(INTENT_KEY[s.intent]), title: market.title });
  const best = await bestPrice(rt, s.marketId, s.intent);
  const bestLine = best === null ? ctx.t('order.no_counterparty') : ctx.t(isBuy(s.intent) ? 'order.best_ask' : 'order.best_bid', { price: best });
  if (isBuy(s.intent)) {
    const { available } = await balancesOf(rt.ds.manager, ctx.user.id);
    return show(ctx, [head, bestLine, ctx.t('order.available', { amount: available }), '', ctx.t('order.ask_amount', { min: MIN_NOTIONAL_KOP })].join('\n'), [
      AMOUNT_PRESETS_KOP.map((amount) => button(ctx.tp('order.amount_button', { amount }), cb.amount.encode({ kop: amount }))),
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
  const best = await bestPrice(rt, s.marketId, s.intent);
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

/** Why the book would refuse the whole limit order `input`, with what the user can change (HTML). */
async function rejectionLine(rt: BotRuntime, ctx: BotContext, input: BetInput, code: RejectCode): Promise<string> {
  switch (code) {
    case 'fok_not_fillable': {
      // How much there is: the same order as IOC fills exactly what a FOK would need to fill in full.
      const ioc = await previewBet(rt.ds.manager, { ...input, tif: 'IOC', postOnly: false, expiresAt: null });
      return ctx.t('order.reject_fok', { price: input.price, qty: input.qty ?? 0, available: ioc.ok ? ioc.preview.shares : 0 });
    }
    case 'post_only_would_cross': {
      const best = await bestPrice(rt, input.marketId, input.intent);
      // The crossing order may have gone since the preview read the book: then only the rule can be said.
      if (best === null) return ctx.t('errors.post_only_would_cross');
      return ctx.t(isBuy(input.intent) ? 'order.reject_post_only_buy' : 'order.reject_post_only_sell', { price: input.price, best });
    }
    case 'no_liquidity': return ctx.t('order.reject_ioc', { price: input.price });
  }
}

/**
 * Runs the domain preview of the draft (a limit order with its time in force made concrete) and
 * shows it with the time-in-force toggles. On success a fresh draft id is stored and Confirm
 * shown; an order the book would refuse is shown with the reason and no Confirm, so the user can
 * switch the choice back; any other failure is a notice and leaves the screen as it was.
 */
async function showPreview(rt: BotRuntime, ctx: BotContext, draft: OrderDraft): Promise<void> {
  const m = rt.ds.manager;
  const market = await marketOf(rt, ctx, draft.marketId);
  if (!market) return leaveWith(ctx, ctx.tp('errors.market_not_found'));
  const now = Date.now();
  const deadline = market.deadline.getTime();
  const choice = draft.kind === 'limit' ? settleChoice(choiceOf(draft), now, deadline) : undefined;
  const s = choice ? withChoice(draft, choice) : draft;
  const tier = await feeTierOf(m, ctx.user.id);
  if (isBuy(s.intent) && s.kind === 'limit' && s.price !== undefined) {
    // Issue 15: the fee comes out of the amount and shares are whole, so a limit buy needs a little
    // more than the order minimum; say how much at this price instead of "order too small".
    const min = minBuyAmount('limit', s.price, tier.bps);
    if ((s.amountKop ?? 0) < min) {
      return notice(ctx, ctx.tp('bet.limit_amount_too_small', {
        price: s.price, amount: s.amountKop ?? 0, shares: orderSize(s, tier.bps).qty ?? 0, minOrder: MIN_NOTIONAL_KOP, min,
      }));
    }
  }
  const size = orderSize(s, tier.bps);
  const input: BetInput = {
    marketId: s.marketId, userId: ctx.user.id, intent: s.intent, kind: s.kind as 'limit' | 'market', price: s.price as number, ...size,
    ...(choice ? { tif: choice.tif, postOnly: choice.postOnly, expiresAt: choice.expiresAt ?? null } : {}),
  };
  const r = await previewBet(m, input, now, { market, volume30dKop: tier.volume30dKop });
  const toggles = choice ? tifRows(ctx, choice, expiryPresets(now, deadline)) : [];
  if (!r.ok) {
    if (!choice || !isBookRejection(r)) return notice(ctx, failureText(ctx, r, false), Boolean(ctx.callbackQuery));
    writeState(ctx, { ...s, step: 'preview', draftId: undefined, qty: undefined, spendKop: undefined });
    const why = await rejectionLine(rt, ctx, input, r.code);
    return show(ctx, [...headLines(ctx, s), ...tifLines(ctx, choice), '', why].join('\n'), [...toggles, backCancelRow(ctx)]);
  }
  // A market order that would fill nothing is not worth confirming: say so and let a limit be typed.
  if (s.kind === 'market' && r.preview.shares === 0) return notice(ctx, ctx.tp('errors.no_liquidity'), Boolean(ctx.callbackQuery));
  const draftId = newBetId();
  writeState(ctx, { ...s, step: 'preview', draftId, qty: size.qty, spendKop: size.spendKop });
  await show(ctx, previewLines(ctx, s, choice, size.qty, r.preview, tier).join('\n'), [
    ...toggles,
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

/** GTD: a typed expiry (Moscow time) instead of a preset, if it is in the future and before the market closes. */
async function takeExpiry(rt: BotRuntime, ctx: BotContext, s: OrderDraft, text: string): Promise<void> {
  const at = parseDeadline(text);
  if (!at) return notice(ctx, ctx.tp('order.expiry_format'));
  const market = await marketOf(rt, ctx, s.marketId);
  if (!market) return leaveWith(ctx, ctx.tp('errors.market_not_found'));
  if (!typedExpiryFits(at.getTime(), Date.now(), market.deadline.getTime())) {
    return notice(ctx, ctx.tp('order.expiry_range', { minutes: MIN_TYPED_LIFE_MIN, deadline: formatDateTime(market.deadline, ctx.lang) }));
  }
  await showPreview(rt, ctx, withChoice(s, { ...choiceOf(s), tif: 'GTD', expiry: 'custom', expiresAt: at.getTime() }));
}

/** Runs `then` for a toggle of a limit order's preview; any other state means the button is outdated. */
async function onLimitPreview(ctx: BotContext, then: (s: OrderDraft) => Promise<void>): Promise<void> {
  await withDraft(ctx, (s) => (s.step === 'preview' && s.kind === 'limit' ? then(s) : notice(ctx, ctx.tp('errors.button_outdated'))));
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
  // Time-in-force toggles re-run the preview with the new choice; a preset's expiry restarts from now.
  onButton(scene, cb.orderTif, (ctx, { tif }) => onLimitPreview(ctx, (s) =>
    showPreview(rt, ctx, withChoice(s, { ...choiceOf(s), tif, ...(tif === s.tif ? {} : { expiry: undefined, expiresAt: undefined }) }))));
  onButton(scene, cb.orderExpiry, (ctx, { preset }) => onLimitPreview(ctx, (s) =>
    showPreview(rt, ctx, withChoice(s, { ...choiceOf(s), tif: 'GTD', expiry: preset, expiresAt: undefined }))));
  onButton(scene, cb.orderPostOnly, (ctx, { on }) => onLimitPreview(ctx, (s) =>
    showPreview(rt, ctx, withChoice(s, { ...choiceOf(s), postOnly: on === 'yes' }))));
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
    if (s.kind === 'limit' && s.tif === 'GTD') return takeExpiry(rt, ctx, s, text);
    await notice(ctx, ctx.tp('order.confirm_or_cancel'));
  }));
  return scene;
}

/**
 * Starts a buy or sell of `marketId` from a card or the portfolio. Refuses, changing nothing, when
 * the market cannot be traded or (sells) nothing is held.
 */
export async function startOrder(rt: BotRuntime, ctx: BotContext, marketId: number, intent: Intent): Promise<void> {
  const market = await marketOf(rt, ctx, marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  const trading = tradingState(market);
  if (trading !== 'open') return notice(ctx, ctx.tp(notTradingKey(trading)), true);
  if (!isBuy(intent) && (await freeShares(rt, ctx.user.id, marketId, intent)) < 1) {
    return notice(ctx, ctx.tp('errors.nothing_to_sell'));
  }
  const state: OrderDraft = { marketId, intent, step: 'size' };
  await ctx.scene.enter(ORDER_SCENE, state);
}
