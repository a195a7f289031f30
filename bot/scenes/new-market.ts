/**
 * `/newmarket` (admins): title → description or "-" → category → deadline → confirm. Every value
 * is checked by the domain rule (markets.checkNewMarket) as soon as it is typed; the market is
 * created by the Create button (features/admin.ts), once per draft.
 */
import { randomBytes } from 'node:crypto';
import { Scenes } from 'telegraf';
import { message } from 'telegraf/filters';
import { z } from 'zod';
import { CATEGORIES, checkDescription, checkNewMarket, DESCRIPTION_MAX, type NewMarket } from '../../domain/services/markets';
import { formatDateTime } from '../../infra/format';
import { cb, DRAFT_ID_LENGTH } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import { parseDeadline } from '../parse';
import { button, failureText, notice, show } from '../ui';
import { CATEGORY_KEY } from '../../messages/labels';
import { readState, writeState } from './state';

export const NEW_MARKET_SCENE = 'new_market';

/** The description step's "skip" answer. */
const NO_DESCRIPTION = '-';

const stateSchema = z.object({
  step: z.enum(['title', 'description', 'category', 'deadline', 'confirm']),
  title: z.string().optional(),
  description: z.string().optional(),
  category: z.enum(CATEGORIES).optional(),
  /** ISO instant. */
  deadline: z.string().datetime().optional(),
  draftId: z.string().length(DRAFT_ID_LENGTH).optional(),
});
type Draft = z.output<typeof stateSchema>;

/** The draft as createMarket's input, if the chat is in this scene at the confirm step with id `draftId`. */
export function confirmedMarketDraft(ctx: BotContext, draftId: string): Omit<NewMarket, 'createdBy'> | undefined {
  if (ctx.scene.current?.id !== NEW_MARKET_SCENE) return undefined;
  const s = readState(ctx, stateSchema);
  if (!s || s.step !== 'confirm' || s.draftId !== draftId || !s.title || !s.category || !s.deadline) return undefined;
  return { title: s.title, description: s.description ?? '', category: s.category, deadline: new Date(s.deadline) };
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

async function showConfirm(ctx: BotContext, s: Draft & { deadline: string }): Promise<void> {
  const draftId = randomBytes(DRAFT_ID_LENGTH / 2).toString('hex');
  writeState(ctx, { ...s, step: 'confirm', draftId });
  await show(ctx, ctx.t('newmarket.confirm', {
    title: s.title ?? '', description: s.description || ctx.tp('newmarket.no_description'),
    category: ctx.tp(CATEGORY_KEY[s.category ?? 'other']), deadline: formatDateTime(new Date(s.deadline), ctx.lang),
  }), [[button(ctx.tp('newmarket.create'), cb.newMarketConfirm.encode({ draft: draftId }))], cancelRow(ctx)]);
}

async function onText(ctx: BotContext, s: Draft, text: string): Promise<void> {
  switch (s.step) {
    case 'title': {
      const check = titleCheck(text);
      if (!check.ok) return notice(ctx, failureText(ctx, check, false));
      writeState(ctx, { ...s, step: 'description', title: text.trim() });
      return show(ctx, ctx.t('newmarket.ask_description', { skip: NO_DESCRIPTION, max: DESCRIPTION_MAX }), [cancelRow(ctx)]);
    }
    case 'description': {
      const check = checkDescription(text);
      if (!check.ok) return notice(ctx, failureText(ctx, check, false));
      writeState(ctx, { ...s, step: 'category', description: text.trim() === NO_DESCRIPTION ? '' : text.trim() });
      return showCategoryStep(ctx);
    }
    case 'deadline': {
      const deadline = parseDeadline(text);
      if (!deadline) return notice(ctx, ctx.tp('errors.deadline_format'));
      const check = checkNewMarket({ title: s.title ?? '', category: s.category ?? '', deadline, createdBy: null });
      if (!check.ok) return notice(ctx, failureText(ctx, check, false));
      return showConfirm(ctx, { ...s, deadline: deadline.toISOString() });
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
  onButton(scene, cb.cancel, async (ctx) => {
    await ctx.scene.leave();
    await show(ctx, ctx.t('newmarket.cancelled'));
  });
  return scene;
}
