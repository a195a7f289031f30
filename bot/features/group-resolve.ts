/**
 * `/resolve` in a group: a group's own markets (/predict) are resolved by their creator or by the
 * chat's administrators, checked with getChatMember on every step (button data can be forged and
 * admin rights change). It goes through the resolution lifecycle (domain/services/resolution.ts):
 * a market still open is first closed by its matching queue, then the outcome is proposed; the
 * group's word backs it at once (quorum 1: the group, not the exchange's admins, is the authority
 * on its own questions), and the dispute window gives holders their say: when the creator resolves
 * their own market it lasts at least GROUP_DISPUTE_WINDOW (domain/services/group-trust.ts). A
 * disputed proposal is decided here too (uphold or another outcome), but never by a creator who
 * holds a position alone.
 */
import { Composer } from 'telegraf';
import type { Market } from '../../domain/entities';
import { unresolvedChatMarkets } from '../../domain/services/group-markets';
import { getMarket } from '../../domain/read/markets';
import { disputesOf, groupDecision, groupResolutionPolicy, holdingOf } from '../../domain/services/group-trust';
import { proposeResolution, upholdProposal } from '../../domain/services/resolution';
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

/** Whether a holder disputed the proposal now standing (deciding it then settles the dispute). */
function isDisputed(market: Market): boolean {
  return market.status === 'proposed' && market.disputedAt !== null;
}

/**
 * May the sender decide `market`'s outcome here (group-trust.ts groupDecision): it is this chat's,
 * and they created it or administer the chat; a disputed one not by a creator holding a position.
 */
async function decision(rt: BotRuntime, ctx: BotContext, market: Market): Promise<'allowed' | 'refused' | 'creator_conflicted'> {
  if (!ctx.account || market.chatId !== ctx.chat?.id) return 'refused';
  const isCreator = market.createdBy === ctx.account.id;
  const disputed = isDisputed(market);
  // getChatMember only when it matters: a creator acting on an undisputed market needs no check.
  const isAdmin = isCreator && !disputed ? false : await isChatAdmin(ctx);
  const held = isCreator && disputed ? await holdingOf(rt.ds.manager, market.id, ctx.account.id) : { YES: 0, NO: 0 };
  // A creator who also administers the chat is still the creator: their own stake decides.
  return groupDecision({ isCreator, isChatAdmin: isAdmin && !isCreator, creatorHolds: held.YES + held.NO > 0 }, disputed);
}

/** Loads the market and runs `then` if the sender may decide it; else a refusal, nothing changes. */
async function withMarket(rt: BotRuntime, ctx: BotContext, marketId: number, then: (market: Market) => Promise<void>): Promise<void> {
  const market = await getMarket(rt.ds.manager, marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  const may = await decision(rt, ctx, market);
  if (may === 'refused') return notice(ctx, ctx.tp('group.resolve_refused'), true);
  if (may === 'creator_conflicted') return notice(ctx, ctx.tp('gtrust.creator_conflicted'), true);
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

/** The outcome buttons; a disputed proposal first shows its disputes and an "uphold" button. */
async function showOutcomes(rt: BotRuntime, ctx: BotContext, market: Market): Promise<void> {
  const outcomes: Outcome[] = ['YES', 'NO', 'VOID'];
  const lines = [ctx.t('group.resolve_outcome', { title: market.title })];
  const rows: Keyboard = [];
  if (isDisputed(market) && market.outcome) {
    const outcome = ctx.tp(OUTCOME_KEY[market.outcome], { r: market.yesPayout ?? 0 });
    lines.push('', ctx.t('gtrust.disputed_head', { outcome }));
    for (const d of await disputesOf(rt.ds.manager, market.id, market.proposalRound)) lines.push(ctx.t('resolution.view_dispute', d));
    lines.push(ctx.t('gtrust.decide_hint'));
    rows.push([button(ctx.tp('resolution.uphold_button', { outcome }), cb.groupResolveUphold.encode({ marketId: market.id, round: market.proposalRound }))]);
  }
  rows.push(outcomes.map((outcome) => button(ctx.tp(OUTCOME_KEY[outcome]), cb.groupResolveOutcome.encode({ marketId: market.id, outcome }))));
  rows.push([button(ctx.tp('group.resolve_back'), cb.groupResolveList.encode({}))]);
  await show(ctx, lines.join('\n'), rows);
}

/** A chat admin keeps the disputed proposal: finalization resumes; the disputers hear it. */
async function uphold(rt: BotRuntime, ctx: BotContext, market: Market, round: number): Promise<void> {
  const policy = groupResolutionPolicy({ disputeWindowMs: rt.config.resolution.disputeWindowMs, groupWindowMs: rt.config.groupDisputeWindowMs }, false);
  const r = await upholdProposal(rt.ds, { marketId: market.id, round, adminUserId: ctx.account!.id }, policy);
  if (!r.ok) return show(ctx, failureText(ctx, r));
  await rt.queues.announceResolution({ kind: 'upheld', marketId: market.id, round, userIds: r.disputers });
  if (r.stage === 'resolved') await rt.queues.enqueueSettlement(market.id);
  const outcome = r.market.outcome ? ctx.tp(OUTCOME_KEY[r.market.outcome], { r: r.market.yesPayout ?? 0 }) : '';
  await show(ctx, ctx.t(r.stage === 'resolved' ? 'group.resolve_done' : 'gtrust.upheld_window', {
    title: market.title, outcome, until: formatDateTime(r.market.disputeUntil ?? new Date(), ctx.lang),
  }));
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
  const policy = groupResolutionPolicy({ disputeWindowMs: rt.config.resolution.disputeWindowMs, groupWindowMs: rt.config.groupDisputeWindowMs },
    market.createdBy === ctx.account!.id);
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
  onButton(c, cb.groupResolvePick, (ctx, { marketId }) => withMarket(rt, ctx, marketId, (market) => showOutcomes(rt, ctx, market)));
  onButton(c, cb.groupResolveUphold, (ctx, { marketId, round }) => withMarket(rt, ctx, marketId, async (market) => {
    if (!(await claimOnce(rt, rt.key('gupholding', marketId, round), RESOLVING_TTL_SEC))) return notice(ctx, ctx.tp('group.resolve_in_progress'));
    await uphold(rt, ctx, market, round);
  }));
  onButton(c, cb.groupResolveOutcome, (ctx, { marketId, outcome }) => withMarket(rt, ctx, marketId, (market) => showConfirm(ctx, market, outcome)));
  onButton(c, cb.groupResolveConfirm, (ctx, { marketId, outcome, early }) => withMarket(rt, ctx, marketId, async (market) => {
    // A double tap must not show "already resolved" over the first tap's answer.
    if (!(await claimOnce(rt, rt.key('gresolving', marketId), RESOLVING_TTL_SEC))) return notice(ctx, ctx.tp('group.resolve_in_progress'));
    await resolve(rt, ctx, market, outcome, early === 'yes');
  }));
  return c;
}
