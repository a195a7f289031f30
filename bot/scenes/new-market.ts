/**
 * `/newmarket` (admins): title → description or "-" → category → deadline → house liquidity
 * budget → opening price → confirm. Every value is checked by the domain rule
 * (markets.checkNewMarket, liquidity.checkFunding) as soon as it is typed or tapped; the market is
 * created with its maker by the Create button (features/admin.ts), once per draft.
 */
import { randomBytes } from 'node:crypto';
import { Scenes } from 'telegraf';
import { message } from 'telegraf/filters';
import { z } from 'zod';
import { kop, parseRubToKop, rub, type Kop } from '../../domain/money';
import { checkFunding, DEFAULT_MM_BUDGET_KOP, DEFAULT_OPENING_PRICE, MAX_LIQUIDITY_KOP, MIN_LIQUIDITY_KOP } from '../../domain/services/liquidity';
import { CATEGORIES, checkNewMarket, type NewMarket } from '../../domain/services/markets';
import { formatDateTime } from '../../infra/format';
import { cb, DRAFT_ID_LENGTH } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import { parseDeadline, parseWholeNumber } from '../parse';
import { button, failureText, notice, show } from '../ui';
import { CATEGORY_KEY } from '../../messages/labels';
import { readState, writeState } from './state';

export const NEW_MARKET_SCENE = 'new_market';

/** The budget buttons, kop (any amount within the limits may be typed instead). */
const BUDGET_PRESETS_KOP: readonly Kop[] = [rub(500), rub(1_000), rub(5_000), rub(10_000)];
/** The opening price buttons, % (any whole 1..99 may be typed instead). */
const OPENING_PRICE_PRESETS: readonly number[] = [10, 25, 50, 75, 90];

/** The description step's "skip" answer. */
const NO_DESCRIPTION = '-';

const stateSchema = z.object({
  step: z.enum(['title', 'description', 'category', 'deadline', 'budget', 'price', 'confirm']),
  title: z.string().optional(),
  description: z.string().optional(),
  category: z.enum(CATEGORIES).optional(),
  /** ISO instant. */
  deadline: z.string().datetime().optional(),
  /** The maker's liquidity budget, kop. */
  budgetKop: z.number().int().positive().optional(),
  /** The maker's opening YES price, 1..99. */
  openingPrice: z.number().int().min(1).max(99).optional(),
  draftId: z.string().length(DRAFT_ID_LENGTH).optional(),
});
type Draft = z.output<typeof stateSchema>;

/** A confirmed draft: createMarket's input with the maker's budget (kop) and opening price (1..99). */
export type MarketDraft = Omit<NewMarket, 'createdBy'> & { liquidityKop: Kop; openingPrice: number };

/** The draft as createMarket's input, if the chat is in this scene at the confirm step with id `draftId`. */
export function confirmedMarketDraft(ctx: BotContext, draftId: string): MarketDraft | undefined {
  if (ctx.scene.current?.id !== NEW_MARKET_SCENE) return undefined;
  const s = readState(ctx, stateSchema);
  if (!s || s.step !== 'confirm' || s.draftId !== draftId || !s.title || !s.category || !s.deadline || !s.budgetKop || !s.openingPrice) return undefined;
  return {
    title: s.title, description: s.description ?? '', category: s.category, deadline: new Date(s.deadline),
    liquidityKop: kop(s.budgetKop), openingPrice: s.openingPrice,
  };
}

/** A far-future deadline and a known category, to ask the domain about the title alone. */
function titleCheck(title: string) {
  return checkNewMarket({ title, category: CATEGORIES[0], deadline: new Date(Date.now() + 86_400_000), createdBy: null });
}

const cancelRow = (ctx: BotContext) => [button(ctx.tp('order.cancel'), cb.cancel.encode({}))];

async function showCategoryStep(ctx: BotContext): Promise<void> {
  const rows = [];
  for (let i = 0; i < CATEGORIES.length; i += 2) {
    rows.push(CATEGORIES.slice(i, i + 2).map((category) => button(ctx.tp(CATEGORY_KEY[category]), cb.newMarketCategory.encode({ category }))));
  }
  rows.push(cancelRow(ctx));
  await show(ctx, ctx.t('newmarket.ask_category'), rows);
}

/** Budget presets in two rows; the amount may also be typed. */
async function showBudgetStep(ctx: BotContext, s: Draft): Promise<void> {
  writeState(ctx, { ...s, step: 'budget' });
  const presets = BUDGET_PRESETS_KOP.map((amount) => button(ctx.tp('liquidity.budget_button', { amount }), cb.newMarketBudget.encode({ kop: amount })));
  await show(ctx, ctx.t('liquidity.ask_budget', { min: MIN_LIQUIDITY_KOP, max: MAX_LIQUIDITY_KOP, default: DEFAULT_MM_BUDGET_KOP }),
    [presets.slice(0, 2), presets.slice(2), cancelRow(ctx)]);
}

async function showPriceStep(ctx: BotContext, s: Draft): Promise<void> {
  writeState(ctx, { ...s, step: 'price' });
  const presets = OPENING_PRICE_PRESETS.map((price) => button(ctx.tp('liquidity.price_button', { price }), cb.newMarketPrice.encode({ price })));
  await show(ctx, ctx.t('liquidity.ask_price', { min: 1, max: 99 }), [presets, cancelRow(ctx)]);
}

/** A budget typed or tapped: checked, then the opening price step. */
async function takeBudget(ctx: BotContext, s: Draft, amountKop: number): Promise<void> {
  const check = checkFunding(amountKop, DEFAULT_OPENING_PRICE);
  if (!check.ok) return notice(ctx, failureText(ctx, check, false));
  await showPriceStep(ctx, { ...s, budgetKop: amountKop });
}

/** An opening price typed or tapped: checked, then the confirmation. */
async function takePrice(ctx: BotContext, s: Draft, price: number): Promise<void> {
  const check = checkFunding(DEFAULT_MM_BUDGET_KOP, price);
  if (!check.ok) return notice(ctx, failureText(ctx, check, false));
  await showConfirm(ctx, { ...s, openingPrice: price });
}

async function showConfirm(ctx: BotContext, s: Draft): Promise<void> {
  const draftId = randomBytes(DRAFT_ID_LENGTH / 2).toString('hex');
  writeState(ctx, { ...s, step: 'confirm', draftId });
  const text = [ctx.t('newmarket.confirm', {
    title: s.title ?? '', description: s.description || ctx.tp('newmarket.no_description'),
    category: ctx.tp(CATEGORY_KEY[s.category ?? 'other']), deadline: formatDateTime(new Date(s.deadline ?? 0), ctx.lang),
  }), ctx.t('liquidity.confirm_line', { budget: s.budgetKop ?? 0, price: s.openingPrice ?? 0 })].join('\n');
  await show(ctx, text, [[button(ctx.tp('newmarket.create'), cb.newMarketConfirm.encode({ draft: draftId }))], cancelRow(ctx)]);
}

async function onText(ctx: BotContext, s: Draft, text: string): Promise<void> {
  switch (s.step) {
    case 'title': {
      const check = titleCheck(text);
      if (!check.ok) return notice(ctx, failureText(ctx, check, false));
      writeState(ctx, { ...s, step: 'description', title: text.trim() });
      return show(ctx, ctx.t('newmarket.ask_description', { skip: NO_DESCRIPTION }), [cancelRow(ctx)]);
    }
    case 'description':
      writeState(ctx, { ...s, step: 'category', description: text.trim() === NO_DESCRIPTION ? '' : text.trim() });
      return showCategoryStep(ctx);
    case 'deadline': {
      const deadline = parseDeadline(text);
      if (!deadline) return notice(ctx, ctx.tp('errors.deadline_format'));
      const check = checkNewMarket({ title: s.title ?? '', category: s.category ?? '', deadline, createdBy: null });
      if (!check.ok) return notice(ctx, failureText(ctx, check, false));
      return showBudgetStep(ctx, { ...s, deadline: deadline.toISOString() });
    }
    case 'budget': {
      const amount = parseRubToKop(text);
      if (amount === null) return notice(ctx, ctx.tp('errors.amount_not_number'));
      return takeBudget(ctx, s, amount);
    }
    case 'price': {
      const price = parseWholeNumber(text);
      if (price === null) return notice(ctx, ctx.tp('errors.opening_price_out_of_range', { minPrice: 1, maxPrice: 99 }));
      return takePrice(ctx, s, price);
    }
    default:
      return notice(ctx, ctx.tp(s.step === 'category' ? 'newmarket.use_buttons' : 'order.confirm_or_cancel'));
  }
}

export function newMarketScene(): Scenes.BaseScene<BotContext> {
  const scene = new Scenes.BaseScene<BotContext>(NEW_MARKET_SCENE);
  scene.enter(async (ctx) => {
    writeState(ctx, { step: 'title' } satisfies Draft);
    await show(ctx, ctx.t('newmarket.ask_title'), [cancelRow(ctx)]);
  });
  scene.on(message('text'), async (ctx) => {
    const s = readState(ctx, stateSchema);
    if (!s) return ctx.scene.leave();
    await onText(ctx, s, ctx.message.text);
  });
  onButton(scene, cb.newMarketCategory, async (ctx, { category }) => {
    const s = readState(ctx, stateSchema);
    if (!s || s.step !== 'category') return notice(ctx, ctx.tp('errors.button_outdated'));
    writeState(ctx, { ...s, step: 'deadline', category });
    await show(ctx, ctx.t('newmarket.ask_deadline'), [cancelRow(ctx)]);
  });
  onButton(scene, cb.newMarketBudget, async (ctx, { kop: amount }) => {
    const s = readState(ctx, stateSchema);
    if (!s || s.step !== 'budget') return notice(ctx, ctx.tp('errors.button_outdated'));
    await takeBudget(ctx, s, amount);
  });
  onButton(scene, cb.newMarketPrice, async (ctx, { price }) => {
    const s = readState(ctx, stateSchema);
    if (!s || s.step !== 'price') return notice(ctx, ctx.tp('errors.button_outdated'));
    await takePrice(ctx, s, price);
  });
  onButton(scene, cb.cancel, async (ctx) => {
    await ctx.scene.leave();
    await show(ctx, ctx.t('newmarket.cancelled'));
  });
  return scene;
}
