import { Composer } from 'telegraf';
import type { Market } from '../../domain/entities';
import { createMarket, getMarket, listResolvableMarkets } from '../../domain/services/markets';
import { resolveMarket } from '../../domain/services/resolution';
import { formatDateTime } from '../../infra/format';
import { asAdmin } from '../admin';
import { cb } from '../callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import { tradingState } from '../market-state';
import { claimOnce, type BotRuntime } from '../runtime';
import { confirmedMarketDraft, NEW_MARKET_SCENE } from '../scenes/new-market';
import { button, failureText, notice, show, type Keyboard } from '../ui';
import { OUTCOME_KEY, STATE_KEY } from '../views/labels';

const BUTTON_TITLE_MAX = 40;
/** Closing a market cancels all its open orders in one worker transaction; give it time. */
const CLOSE_WAIT_MS = 20_000;
const CONFIRMED_TTL_SEC = 24 * 60 * 60;
/** Absorbs double taps on one resolve screen; short, so a failed attempt can be retried from it. */
const RESOLVING_TTL_SEC = 30;

type Resolution = 'YES' | 'NO' | 'VOID';

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}

function stateText(ctx: BotContext, market: Market): string {
  const state = tradingState(market);
  return state === 'open'
    ? ctx.tp('resolve.state_open', { deadline: formatDateTime(market.deadline, ctx.lang) })
    : ctx.tp(STATE_KEY[state], { outcome: market.outcome ? ctx.tp(OUTCOME_KEY[market.outcome]) : '' });
}

async function showResolvable(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const markets = await listResolvableMarkets(rt.ds.manager);
  if (markets.length === 0) return show(ctx, ctx.t('resolve.none'));
  const rows: Keyboard = markets.map((m) => [button(
    ctx.tp(tradingState(m) === 'open' ? 'resolve.pick_open' : 'resolve.pick_closed', { id: m.id, title: shorten(m.title, BUTTON_TITLE_MAX) }),
    cb.resolvePick.encode({ marketId: m.id }),
  )]);
  await show(ctx, ctx.t('resolve.choose_market'), rows);
}

async function showOutcomes(rt: BotRuntime, ctx: BotContext, marketId: number): Promise<void> {
  const market = await getMarket(rt.ds.manager, marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  const outcomes: Resolution[] = ['YES', 'NO', 'VOID'];
  await show(ctx, ctx.t('resolve.choose_outcome', { title: market.title, state: stateText(ctx, market) }), [
    outcomes.map((outcome) => button(ctx.tp(OUTCOME_KEY[outcome]), cb.resolveOutcome.encode({ marketId, outcome }))),
    [button(ctx.tp('resolve.back'), cb.resolveList.encode({}))],
  ]);
}

/** The last step before resolving: a market still open needs the explicit "resolve early" button. */
async function showConfirm(rt: BotRuntime, ctx: BotContext, marketId: number, outcome: Resolution): Promise<void> {
  const market = await getMarket(rt.ds.manager, marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  const early = tradingState(market) === 'open';
  const vars = { title: market.title, outcome: ctx.tp(OUTCOME_KEY[outcome]), deadline: formatDateTime(market.deadline, ctx.lang) };
  await show(ctx, ctx.t(early ? 'resolve.confirm_early' : 'resolve.confirm', vars), [
    [button(ctx.tp(early ? 'resolve.do_early' : 'resolve.do', vars), cb.resolveConfirm.encode({ marketId, outcome, early: early ? 'yes' : 'no' }))],
    [button(ctx.tp('resolve.back'), cb.resolvePick.encode({ marketId }))],
  ]);
}

/**
 * Resolves: a market still open (early, confirmed) is first closed by its matching queue, which
 * cancels open orders and releases their reserves under the market lock (resolution.ts requires
 * it); then the outcome is fixed and the settlement job started.
 */
async function resolve(rt: BotRuntime, ctx: BotContext, marketId: number, outcome: Resolution, early: boolean): Promise<void> {
  const market = await getMarket(rt.ds.manager, marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  if (early && market.status === 'open') {
    await ctx.answerCbQuery(ctx.tp('resolve.closing'));
    const closed = await rt.queues.submit({ type: 'close', idempotencyKey: `close:${marketId}:admin`, marketId }, CLOSE_WAIT_MS);
    if (!closed.ok) return show(ctx, failureText(ctx, closed));
  }
  const r = await resolveMarket(rt.ds, { marketId, adminUserId: ctx.user.id, outcome, early });
  if (!r.ok) return show(ctx, failureText(ctx, r));
  await rt.queues.enqueueSettlement(marketId, ctx.chat?.id);
  await show(ctx, ctx.t('resolve.done', { title: r.market.title, outcome: ctx.tp(OUTCOME_KEY[outcome]) }));
}

/** Admin commands: /newmarket (scene + Create) and /resolve. Everyone else is refused. */
export function adminFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command('newmarket', (ctx) => asAdmin(rt, ctx, async () => {
    await ctx.scene.enter(NEW_MARKET_SCENE);
  }));
  onButton(c, cb.newMarketConfirm, (ctx, { draft }) => asAdmin(rt, ctx, async () => {
    const input = confirmedMarketDraft(ctx, draft);
    if (!input || !(await claimOnce(rt, rt.key('draft', draft), CONFIRMED_TTL_SEC))) {
      return notice(ctx, ctx.tp('errors.button_outdated'));
    }
    await ctx.scene.leave();
    const r = await createMarket(rt.ds, { ...input, createdBy: ctx.user.id });
    if (!r.ok) return show(ctx, failureText(ctx, r));
    await rt.queues.announceMarket(r.market.id);
    await show(ctx, ctx.t('newmarket.created', { id: r.market.id, title: r.market.title }),
      [[button(ctx.tp('newmarket.open_card'), cb.market.encode({ marketId: r.market.id }))]]);
  }));

  c.command('resolve', (ctx) => asAdmin(rt, ctx, () => showResolvable(rt, ctx)));
  onButton(c, cb.resolveList, (ctx) => asAdmin(rt, ctx, () => showResolvable(rt, ctx)));
  onButton(c, cb.resolvePick, (ctx, { marketId }) => asAdmin(rt, ctx, () => showOutcomes(rt, ctx, marketId)));
  onButton(c, cb.resolveOutcome, (ctx, { marketId, outcome }) => asAdmin(rt, ctx, () => showConfirm(rt, ctx, marketId, outcome)));
  onButton(c, cb.resolveConfirm, (ctx, { marketId, outcome, early }) => asAdmin(rt, ctx, async () => {
    // A double tap on this screen must not show "already resolved" over the first tap's "done".
    const screen = ctx.callbackQuery?.message?.message_id ?? 0;
    if (!(await claimOnce(rt, rt.key('resolving', ctx.chat?.id ?? 0, screen), RESOLVING_TTL_SEC))) {
      return notice(ctx, ctx.tp('resolve.in_progress'));
    }
    await resolve(rt, ctx, marketId, outcome, early === 'yes');
  }));
  return c;
}
