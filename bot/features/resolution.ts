import { randomBytes } from 'node:crypto';
import { Composer } from 'telegraf';
import { z } from 'zod';
import type { Market, MarketOutcome } from '../../domain/entities';
import { disputesOf, userDisplayName } from '../../domain/read/resolution';
import { fileDispute } from '../../domain/services/disputes';
import { clarifyMarket, marketHistory, setTradingPaused } from '../../domain/services/market-admin';
import { getMarket, listResolvableMarkets } from '../../domain/read/markets';
import { confirmProposal, proposeResolution, upholdProposal, type ProposalStage } from '../../domain/services/resolution';
import type { Failure } from '../../domain/services/result';
import { formatDateTime } from '../../infra/format';
import { asAdmin } from '../admin';
import { cb, DRAFT_ID_LENGTH } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import { tradingState } from '../../domain/read/trading-state';
import { claimOnce, type BotRuntime } from '../runtime';
import { button, failureText, notice, show, type Keyboard } from '../ui';
import { OUTCOME_KEY, STATE_KEY } from '../../messages/labels';
import { displayName, tellChatAdmins } from './group-dispute';
import { historyLines, outcomeText, proposalStatus } from '../views/resolution';

const BUTTON_TITLE_MAX = 40;
/** Closing a market cancels all its open orders in one worker transaction; give it time. */
const CLOSE_WAIT_MS = 20_000;
/** A proposal draft (outcome + note) waits this long for its confirmation tap. */
const DRAFT_TTL_SEC = 60 * 60;
/** Absorbs double taps on one confirmation; short, so a failed attempt can be retried from it. */
const RESOLVING_TTL_SEC = 30;
/** Events in one /history message (Telegram: 4096 characters per message). */
const HISTORY_LIMIT = 20;

/** What the admin is about to propose; kept in Redis under its draft id (button data is 64 bytes). */
const draftSchema = z.object({
  marketId: z.number().int().positive(),
  outcome: z.enum(['YES', 'NO', 'VOID', 'PROB']),
  probability: z.number().int().min(0).max(100).optional(),
  note: z.string().optional(),
});
type ProposalDraft = z.infer<typeof draftSchema>;

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}

/** `<market id> [rest]` as typed after a command; null when the id is missing or not a number. */
export function parseMarketArgs(payload: string): { marketId: number; rest: string } | null {
  const m = /^\s*#?(\d{1,15})(?:\s+([\s\S]*))?$/.exec(payload);
  return m ? { marketId: Number(m[1]), rest: (m[2] ?? '').trim() } : null;
}

/**
 * An outcome as an admin types it: `yes`, `no`, `void` (any case), or a probability r in % that
 * YES pays r kop (`37`, `37%`). A number outside 0..100 is `out_of_range`; anything else null.
 */
export function parseOutcome(token: string): { outcome: MarketOutcome; probability?: number } | 'out_of_range' | null {
  const word = /^(yes|no|void)$/i.exec(token);
  if (word) return { outcome: word[1].toUpperCase() as MarketOutcome };
  const num = /^(-?\d{1,9})%?$/.exec(token);
  if (!num) return null;
  const r = Number(num[1]);
  return r >= 0 && r <= 100 ? { outcome: 'PROB', probability: r } : 'out_of_range';
}

function stateText(ctx: BotContext, market: Market): string {
  const state = tradingState(market);
  if (state === 'open') return ctx.tp('resolution.state_open', { deadline: formatDateTime(market.deadline, ctx.lang) });
  if (state === 'proposed') return proposalStatus(ctx, market);
  return ctx.tp(STATE_KEY[state], { outcome: market.outcome ? outcomeText(ctx, market.outcome, market.yesPayout) : '' });
}

async function showResolvable(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const markets = await listResolvableMarkets(rt.ds.manager);
  if (markets.length === 0) return show(ctx, ctx.t('resolution.none'));
  const icon = { open: 'resolution.pick_open', closed: 'resolution.pick_closed', proposed: 'resolution.pick_proposed' } as const;
  const rows: Keyboard = markets.map((m) => [button(
    ctx.tp(icon[m.status as keyof typeof icon] ?? 'resolution.pick_closed', { id: m.id, title: shorten(m.title, BUTTON_TITLE_MAX) }),
    cb.resolvePick.encode({ marketId: m.id }),
  )]);
  await show(ctx, ctx.t('resolution.choose_market'), rows);
}

/** An admin's view of one market: state, the proposal and who backs it, and what can be done now. */
async function showMarket(rt: BotRuntime, ctx: BotContext, marketId: number): Promise<void> {
  const market = await getMarket(rt.ds.manager, marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  const policy = rt.config.resolution;
  const lines = [ctx.t('resolution.view_title', { id: market.id, title: market.title }), ctx.t('resolution.view_state', { state: stateText(ctx, market) })];
  const rows: Keyboard = [];
  if (market.status === 'proposed' && market.outcome) {
    const outcome = outcomeText(ctx, market.outcome, market.yesPayout);
    lines.push(ctx.t('resolution.view_proposal', {
      outcome, who: await userDisplayName(rt.ds.manager, market.proposedBy), date: formatDateTime(market.proposedAt ?? new Date(), ctx.lang),
    }));
    if (market.proposalNote) lines.push(ctx.t('resolution.view_note', { note: market.proposalNote }));
    lines.push(ctx.t('resolution.view_backing', { count: market.approvals.length, quorum: policy.quorum }));
    if (market.disputedAt) {
      const disputes = await disputesOf(rt.ds.manager, market.id, market.proposalRound);
      lines.push(ctx.t('resolution.view_disputes', { count: disputes.length }));
      for (const d of disputes) lines.push(ctx.t('resolution.view_dispute', { who: d.who, reason: d.reason }));
      rows.push([button(ctx.tp('resolution.uphold_button', { outcome }), cb.resolveUphold.encode({ marketId, round: market.proposalRound }))]);
    }
    if (market.disputeUntil === null) {
      rows.push([button(ctx.tp('resolution.confirm_button', { outcome }), cb.resolveApprove.encode({ marketId, round: market.proposalRound }))]);
    }
  }
  if (market.status === 'open' || market.status === 'closed' || market.status === 'proposed') {
    lines.push('', ctx.t(market.status === 'proposed' ? 'resolution.view_change' : 'resolution.view_choose'));
    rows.push((['YES', 'NO', 'VOID'] as const).map((outcome) => button(ctx.tp(OUTCOME_KEY[outcome]), cb.resolveOutcome.encode({ marketId, outcome }))));
    rows.push([button(ctx.tp('resolution.probability_button'), cb.resolveProbability.encode({ marketId }))]);
  }
  rows.push([button(ctx.tp('resolution.history_button'), cb.resolveHistory.encode({ marketId })), button(ctx.tp('resolution.back'), cb.resolveList.encode({}))]);
  await show(ctx, lines.join('\n'), rows);
}

/** The rules that apply once proposed: who must confirm, how long holders may dispute (HTML lines). */
function ruleLines(rt: BotRuntime, ctx: BotContext): string[] {
  const { quorum, disputeWindowMs } = rt.config.resolution;
  const lines: string[] = [];
  if (quorum > 1) lines.push(ctx.t('resolution.rule_quorum', { quorum }));
  if (disputeWindowMs > 0) lines.push(ctx.t('resolution.rule_window', { minutes: Math.ceil(disputeWindowMs / 60_000) }));
  if (quorum === 1 && disputeWindowMs === 0) lines.push(ctx.t('resolution.rule_final'));
  return lines;
}

/**
 * The last step before proposing: the draft is stored, and a market still open gets only the
 * explicit "resolve early" button (trading stops and open orders are cancelled first).
 */
async function showConfirm(rt: BotRuntime, ctx: BotContext, draft: ProposalDraft): Promise<void> {
  const market = await getMarket(rt.ds.manager, draft.marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  if (market.status === 'resolved' || market.status === 'settled') return show(ctx, ctx.t('errors.market_already_resolved'));
  const id = randomBytes(DRAFT_ID_LENGTH / 2).toString('hex');
  await rt.redis.set(rt.key('rdraft', id), JSON.stringify(draft), { EX: DRAFT_TTL_SEC });
  const early = market.status === 'open';
  const vars = { title: market.title, outcome: outcomeText(ctx, draft.outcome, draft.probability ?? null), deadline: formatDateTime(market.deadline, ctx.lang) };
  const lines = [ctx.t(early ? 'resolution.confirm_early' : 'resolution.confirm', vars)];
  if (draft.note) lines.push(ctx.t('resolution.view_note', { note: draft.note }));
  lines.push('', ...ruleLines(rt, ctx));
  await show(ctx, lines.join('\n'), [
    [button(ctx.tp(early ? 'resolution.do_early' : 'resolution.do', vars), cb.resolveConfirm.encode({ draft: id, early: early ? 'yes' : 'no' }))],
    [button(ctx.tp('resolution.back'), cb.resolvePick.encode({ marketId: market.id }))],
  ]);
}

/** What the admin hears after a step, by where the proposal now stands. */
function stageText(rt: BotRuntime, ctx: BotContext, market: Market, stage: ProposalStage): string {
  const vars = {
    title: market.title, outcome: market.outcome ? outcomeText(ctx, market.outcome, market.yesPayout) : '',
    count: market.approvals.length, quorum: rt.config.resolution.quorum,
    until: market.disputeUntil ? formatDateTime(market.disputeUntil, ctx.lang) : '',
  };
  const key = { awaiting_confirmation: 'resolution.done_awaiting', dispute_window: 'resolution.done_window', resolved: 'resolution.done_resolved' } as const;
  return ctx.t(market.disputedAt && stage === 'dispute_window' ? 'resolution.done_disputed' : key[stage], vars);
}

/**
 * After a step committed: holders (and admins asked to confirm) hear about it, and a final
 * outcome starts its settlement job, whose progress the acting admin sees.
 */
async function announce(rt: BotRuntime, ctx: BotContext, market: Market, stage: ProposalStage): Promise<void> {
  await rt.queues.announceResolution({
    kind: 'proposal', marketId: market.id, round: market.proposalRound, stage,
    adminChatIds: [...rt.config.adminIds], actorChatId: ctx.from?.id ?? 0,
  });
  if (stage === 'resolved') await rt.queues.enqueueSettlement(market.id, ctx.chat?.id);
}

async function answerFailure(ctx: BotContext, r: Failure): Promise<void> {
  await show(ctx, failureText(ctx, r));
}

/** Proposes the draft: a market still open (early, confirmed) is first closed by its matching queue. */
async function propose(rt: BotRuntime, ctx: BotContext, draftId: string, early: boolean): Promise<void> {
  const raw = await rt.redis.get(rt.key('rdraft', draftId));
  const parsed = raw ? draftSchema.safeParse(JSON.parse(raw)) : null;
  if (!parsed?.success) return notice(ctx, ctx.tp('errors.button_outdated'));
  const draft = parsed.data;
  const market = await getMarket(rt.ds.manager, draft.marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  if (early && market.status === 'open') {
    await ctx.answerCbQuery(ctx.tp('resolution.closing'));
    const closed = await rt.queues.submit({ type: 'close', idempotencyKey: `close:${market.id}:admin`, marketId: market.id }, CLOSE_WAIT_MS);
    if (!closed.ok) return answerFailure(ctx, closed);
  }
  const r = await proposeResolution(rt.ds, { ...draft, adminUserId: ctx.user.id, early }, rt.config.resolution);
  if (!r.ok) return answerFailure(ctx, r);
  await announce(rt, ctx, r.market, r.stage);
  await show(ctx, stageText(rt, ctx, r.market, r.stage), [[button(ctx.tp('resolution.open_view'), cb.resolvePick.encode({ marketId: r.market.id }))]]);
}

/** `/resolve`, `/resolve <id>`, `/resolve <id> <yes|no|void|r> [source or note]`. */
async function resolveCommand(rt: BotRuntime, ctx: BotContext, payload: string): Promise<void> {
  if (!payload.trim()) return showResolvable(rt, ctx);
  const args = parseMarketArgs(payload);
  if (!args) return show(ctx, ctx.t('resolution.usage_resolve'));
  if (!args.rest) return showMarket(rt, ctx, args.marketId);
  const [token, ...note] = args.rest.split(/\s+/);
  const outcome = parseOutcome(token);
  if (outcome === 'out_of_range') return show(ctx, ctx.t('errors.probability_out_of_range', { min: 0, max: 100 }));
  if (!outcome) return show(ctx, ctx.t('resolution.usage_resolve'));
  await showConfirm(rt, ctx, { marketId: args.marketId, ...outcome, ...(note.length ? { note: note.join(' ') } : {}) });
}

async function showHistory(rt: BotRuntime, ctx: BotContext, marketId: number): Promise<void> {
  const market = await getMarket(rt.ds.manager, marketId);
  if (!market) return notice(ctx, ctx.tp('errors.market_not_found'));
  const lines = historyLines(ctx, await marketHistory(rt.ds.manager, marketId, HISTORY_LIMIT));
  await show(ctx, [ctx.t('resolution.history_title', { id: market.id, title: market.title }), '', ...lines].join('\n'),
    [[button(ctx.tp('resolution.back'), cb.resolvePick.encode({ marketId }))]]);
}

/** Runs `then` with the market id typed after a command, or shows the command's usage. */
function withMarketArgs(ctx: BotContext, usageKey: string, needsText: boolean, then: (marketId: number, rest: string) => Promise<void>): Promise<void> {
  const args = parseMarketArgs(ctx.message && 'text' in ctx.message ? ctx.message.text.replace(/^\/\S+\s*/, '') : '');
  if (!args || (needsText && !args.rest)) return show(ctx, ctx.t(usageKey));
  return then(args.marketId, args.rest);
}

/**
 * Resolution (docs/RESOLUTION.md): admins propose, confirm, uphold, clarify, pause and read the
 * history; holders dispute. Every step is a domain call that re-checks everything under the
 * market's row lock, so stale or forged buttons change nothing.
 */
export function resolutionFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const policy = rt.config.resolution;

  c.command('resolve', (ctx) => asAdmin(rt, ctx, () => resolveCommand(rt, ctx, ctx.payload)));
  onButton(c, cb.resolveList, (ctx) => asAdmin(rt, ctx, () => showResolvable(rt, ctx)));
  onButton(c, cb.resolvePick, (ctx, { marketId }) => asAdmin(rt, ctx, () => showMarket(rt, ctx, marketId)));
  onButton(c, cb.resolveOutcome, (ctx, { marketId, outcome }) => asAdmin(rt, ctx, () => showConfirm(rt, ctx, { marketId, outcome })));
  onButton(c, cb.resolveProbability, (ctx, { marketId }) => asAdmin(rt, ctx, () =>
    show(ctx, ctx.t('resolution.probability_howto', { id: marketId }), [[button(ctx.tp('resolution.back'), cb.resolvePick.encode({ marketId }))]])));
  onButton(c, cb.resolveConfirm, (ctx, { draft, early }) => asAdmin(rt, ctx, async () => {
    // A double tap on this screen must not show "already proposed" over the first tap's answer.
    if (!(await claimOnce(rt, rt.key('resolving', draft), RESOLVING_TTL_SEC))) return notice(ctx, ctx.tp('resolution.in_progress'));
    await propose(rt, ctx, draft, early === 'yes');
  }));
  onButton(c, cb.resolveApprove, (ctx, { marketId, round }) => asAdmin(rt, ctx, async () => {
    const r = await confirmProposal(rt.ds, { marketId, round, adminUserId: ctx.user.id }, policy);
    if (!r.ok) return answerFailure(ctx, r);
    if (r.stage !== 'awaiting_confirmation') await announce(rt, ctx, r.market, r.stage);
    await show(ctx, stageText(rt, ctx, r.market, r.stage), [[button(ctx.tp('resolution.open_view'), cb.resolvePick.encode({ marketId }))]]);
  }));
  onButton(c, cb.resolveUphold, (ctx, { marketId, round }) => asAdmin(rt, ctx, async () => {
    const r = await upholdProposal(rt.ds, { marketId, round, adminUserId: ctx.user.id }, policy);
    if (!r.ok) return answerFailure(ctx, r);
    await rt.queues.announceResolution({ kind: 'upheld', marketId, round, userIds: r.disputers });
    if (r.stage === 'resolved') await rt.queues.enqueueSettlement(marketId, ctx.chat?.id);
    await show(ctx, [ctx.t('resolution.upheld'), stageText(rt, ctx, r.market, r.stage)].join('\n'),
      [[button(ctx.tp('resolution.open_view'), cb.resolvePick.encode({ marketId }))]]);
  }));
  onButton(c, cb.resolveHistory, (ctx, { marketId }) => asAdmin(rt, ctx, () => showHistory(rt, ctx, marketId)));

  c.command('history', (ctx) => asAdmin(rt, ctx, () => withMarketArgs(ctx, 'resolution.usage_history', false, (id) => showHistory(rt, ctx, id))));
  c.command('clarify', (ctx) => asAdmin(rt, ctx, () => withMarketArgs(ctx, 'resolution.usage_clarify', true, async (marketId, text) => {
    const r = await clarifyMarket(rt.ds, { marketId, adminUserId: ctx.user.id, text });
    await show(ctx, r.ok ? ctx.t('resolution.clarified', { id: marketId, title: r.market.title }) : failureText(ctx, r));
  })));
  for (const [command, paused] of [['pause', true], ['unpause', false]] as const) {
    c.command(command, (ctx) => asAdmin(rt, ctx, () => withMarketArgs(ctx, 'resolution.usage_pause', false, async (marketId) => {
      const r = await setTradingPaused(rt.ds, { marketId, adminUserId: ctx.user.id, paused });
      await show(ctx, r.ok ? ctx.t(paused ? 'resolution.paused' : 'resolution.unpaused', { id: marketId, title: r.market.title }) : failureText(ctx, r));
    })));
  }

  c.command('dispute', (ctx) => withMarketArgs(ctx, 'resolution.usage_dispute', true, async (marketId, reason) => {
    const r = await fileDispute(rt.ds, { marketId, userId: ctx.user.id, reason });
    if (!r.ok) return show(ctx, failureText(ctx, r));
    await rt.queues.announceResolution({ kind: 'dispute', marketId, round: r.round, userId: ctx.user.id, adminChatIds: [...rt.config.adminIds] });
    await tellChatAdmins(rt, ctx.telegram, r.market, ctx.lang, displayName(ctx), r.reason);
    await show(ctx, ctx.t('resolution.dispute_filed', { title: r.market.title }));
  }));
  return c;
}
