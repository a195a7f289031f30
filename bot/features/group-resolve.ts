/**
 * `/resolve` in a group: a group's own markets (/predict) are resolved by their creator or by the
 * chat's administrators, checked with getChatMember on every step (button data can be forged and
 * admin rights change). It goes through the resolution lifecycle (domain/services/resolution.ts):
 * a market still open is first closed by its matching queue, then the outcome is proposed; the
 * group's word backs it at once (quorum 1: the group, not the exchange's admins, is the authority
 * on its own questions), and the configured dispute window still gives holders their say.
 */
import { Composer } from 'telegraf';
import type { Market } from '../../domain/entities';
import { unresolvedChatMarkets } from '../../domain/services/group-markets';
import { getMarket } from '../../domain/read/markets';
import { proposeResolution, type ResolutionPolicy } from '../../domain/services/resolution';
import { formatDateTime } from '../../infra/format';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import { tradingState } from '../../domain/read/trading-state';
import { claimOnce, type BotRuntime } from '../runtime';
import { button, failureText, notice, show, type Keyboard } from '../ui';
import { OUTCOME_KEY } from '../../messages/labels';

/** Markets listed by one /resolve (one button each). */
const LIST_MAX = 10;
const BUTTON_TITLE_MAX = 40;
/** Closing a market cancels its open orders in one worker transaction; give it time. */
const CLOSE_WAIT_MS = 20_000;
/** Absorbs double taps on one confirmation; short, so a failed attempt can be retried. */
const RESOLVING_TTL_SEC = 30;

type Outcome = 'YES' | 'NO' | 'VOID';

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}

async function isChatAdmin(ctx: BotContext): Promise<boolean> {
  const member = await ctx.telegram.getChatMember(ctx.chat!.id, ctx.from!.id);
  return member.status === 'creator' || member.status === 'administrator';
}

/** May the sender resolve `market` here: it is this chat's, and they created it or administer the chat. */
async function mayResolve(ctx: BotContext, market: Market): Promise<boolean> {
  if (!ctx.account || market.chatId !== ctx.chat?.id) return false;
  return market.createdBy === ctx.account.id || isChatAdmin(ctx);
}

/** Loads the market and runs `then` if the sender may resolve it; else a refusal, nothing changes. */
async function withMarket(rt: BotRuntime, ctx: BotContext, marketId: number, then: (market: Market) => Promise<void>): Promise<void> {
  const market = await getMarket(rt.ds.manager, marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  if (!(await mayResolve(ctx, market))) return notice(ctx, ctx.tp('group.resolve_refused'), true);
  await then(market);
}

/** The chat's markets the sender may resolve: all of them for chat admins, else the ones they created. */
async function showList(rt: BotRuntime, ctx: BotContext): Promise<void> {
  if (!ctx.account) return show(ctx, ctx.t('group.start_first', { bot: ctx.botInfo.username }));
  const all = await unresolvedChatMarkets(rt.ds.manager, ctx.chat!.id, LIST_MAX);
  const admin = all.length > 0 && (await isChatAdmin(ctx));
  const mine = admin ? all : all.filter((m) => m.createdBy === ctx.account!.id);
  if (mine.length === 0) return show(ctx, ctx.t(all.length === 0 ? 'group.resolve_none' : 'group.resolve_refused'));
  await show(ctx, ctx.t('group.resolve_choose'), mine.map((m) => [button(
    ctx.tp('group.resolve_pick', { id: m.id, title: shorten(m.title, BUTTON_TITLE_MAX) }), cb.groupResolvePick.encode({ marketId: m.id }),
  )]));
}

async function showOutcomes(ctx: BotContext, market: Market): Promise<void> {
  const outcomes: Outcome[] = ['YES', 'NO', 'VOID'];
  await show(ctx, ctx.t('group.resolve_outcome', { title: market.title }), [
    outcomes.map((outcome) => button(ctx.tp(OUTCOME_KEY[outcome]), cb.groupResolveOutcome.encode({ marketId: market.id, outcome }))),
    [button(ctx.tp('group.resolve_back'), cb.groupResolveList.encode({}))],
  ]);
}

/** The last step: a market still open needs the explicit "stop trading and resolve" button. */
async function showConfirm(ctx: BotContext, market: Market, outcome: Outcome): Promise<void> {
  const early = tradingState(market) === 'open';
  const vars = { title: market.title, outcome: ctx.tp(OUTCOME_KEY[outcome]), deadline: formatDateTime(market.deadline, ctx.lang) };
  const rows: Keyboard = [
    [button(ctx.tp(early ? 'group.resolve_do_early' : 'group.resolve_do', vars),
      cb.groupResolveConfirm.encode({ marketId: market.id, outcome, early: early ? 'yes' : 'no' }))],
    [button(ctx.tp('group.resolve_back'), cb.groupResolvePick.encode({ marketId: market.id }))],
  ];
  await show(ctx, ctx.t(early ? 'group.resolve_confirm_early' : 'group.resolve_confirm', vars), rows);
}

async function resolve(rt: BotRuntime, ctx: BotContext, market: Market, outcome: Outcome, early: boolean): Promise<void> {
  if (early && market.status === 'open') {
    await ctx.answerCbQuery(ctx.tp('group.resolve_closing'));
    const closed = await rt.queues.submit({ type: 'close', idempotencyKey: `close:${market.id}:group`, marketId: market.id }, CLOSE_WAIT_MS);
    if (!closed.ok) return show(ctx, failureText(ctx, closed));
  }
  const policy: ResolutionPolicy = { quorum: 1, disputeWindowMs: rt.config.resolution.disputeWindowMs };
  const r = await proposeResolution(rt.ds, { marketId: market.id, adminUserId: ctx.account!.id, outcome, early }, policy);
  if (!r.ok) return show(ctx, failureText(ctx, r));
  // Holders hear the outcome (and how to dispute it) from the resolution-news worker.
  await rt.queues.announceResolution({
    kind: 'proposal', marketId: market.id, round: r.market.proposalRound, stage: r.stage, adminChatIds: [], actorChatId: ctx.from!.id,
  });
  if (r.stage === 'resolved') await rt.queues.enqueueSettlement(market.id);
  const vars = { title: market.title, outcome: ctx.tp(OUTCOME_KEY[outcome]), until: formatDateTime(r.market.disputeUntil ?? new Date(), ctx.lang) };
  await show(ctx, ctx.t(r.stage === 'resolved' ? 'group.resolve_done' : 'group.resolve_done_window', vars));
}

/** /resolve and its buttons in groups. */
export function groupResolveFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('resolve', (ctx) => showList(rt, ctx));
  onButton(c, cb.groupResolveList, (ctx) => showList(rt, ctx));
  onButton(c, cb.groupResolvePick, (ctx, { marketId }) => withMarket(rt, ctx, marketId, (market) => showOutcomes(ctx, market)));
  onButton(c, cb.groupResolveOutcome, (ctx, { marketId, outcome }) => withMarket(rt, ctx, marketId, (market) => showConfirm(ctx, market, outcome)));
  onButton(c, cb.groupResolveConfirm, (ctx, { marketId, outcome, early }) => withMarket(rt, ctx, marketId, async (market) => {
    // A double tap must not show "already resolved" over the first tap's answer.
    if (!(await claimOnce(rt, rt.key('gresolving', marketId), RESOLVING_TTL_SEC))) return notice(ctx, ctx.tp('group.resolve_in_progress'));
    await resolve(rt, ctx, market, outcome, early === 'yes');
  }));
  return c;
}
