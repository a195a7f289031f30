/**
 * How a market's resolution reads: the proposal lines of the card and of the admin's view, the
 * clarifications, the audit trail. Texts under `resolution.` in locales/.
 */
import type { Market, MarketOutcome } from '../../domain/entities';
import type { Clarification, HistoryEntry } from '../../domain/services/market-admin';
import { formatDateTime } from '../../infra/format';
import type { BotContext } from '../context';
import { OUTCOME_KEY } from '../../messages/labels';

/** Clarifications shown on a card (caption limit 1024 characters); each cut to this length. */
export const CARD_CLARIFICATIONS = 3;
const CLARIFICATION_CHARS = 120;

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}

/** The outcome in the reader's words ("YES", "YES pays 37 kop"). */
export function outcomeText(ctx: BotContext, outcome: MarketOutcome, yesPayout: number | null): string {
  return ctx.tp(OUTCOME_KEY[outcome], { r: yesPayout ?? 0 });
}

/** The one-line status of a proposed market (card status line and picture): awaiting, window, disputed. */
export function proposalStatus(ctx: BotContext, market: Market): string {
  const outcome = market.outcome ? outcomeText(ctx, market.outcome, market.yesPayout) : '';
  if (market.disputedAt) return ctx.tp('resolution.status_disputed', { outcome });
  if (market.disputeUntil) return ctx.tp('resolution.status_window', { outcome, until: formatDateTime(market.disputeUntil, ctx.lang) });
  return ctx.tp('resolution.status_awaiting', { outcome });
}

/** Card lines under the status of a proposed market: the source and how to dispute (HTML). */
export function proposalCardLines(ctx: BotContext, market: Market): string[] {
  if (market.status !== 'proposed') return [];
  const lines: string[] = [];
  if (market.proposalNote) lines.push(ctx.t('resolution.card_note', { note: cut(market.proposalNote, CLARIFICATION_CHARS) }));
  if (!market.disputedAt) lines.push(ctx.t('resolution.card_dispute_hint', { id: market.id }));
  return lines;
}

/** The dated clarifications block of a card (HTML), empty without any. */
export function clarificationLines(ctx: BotContext, notes: readonly Clarification[]): string[] {
  if (notes.length === 0) return [];
  return [ctx.t('resolution.card_clarifications'), ...notes.map((n) =>
    ctx.t('resolution.card_clarification', { date: formatDateTime(n.at, ctx.lang), text: cut(n.text, CLARIFICATION_CHARS) }))];
}

/** Event kinds of market_events with their texts; each takes the variables from {@link eventVars}. */
const EVENT_KEY: Record<string, string> = {
  created: 'resolution.event_created',
  paused: 'resolution.event_paused',
  unpaused: 'resolution.event_unpaused',
  closed: 'resolution.event_closed',
  clarified: 'resolution.event_clarified',
  proposed: 'resolution.event_proposed',
  approved: 'resolution.event_approved',
  confirmed: 'resolution.event_confirmed',
  disputed: 'resolution.event_disputed',
  upheld: 'resolution.event_upheld',
  resolved: 'resolution.event_resolved',
  settled: 'resolution.event_settled',
};

function eventVars(ctx: BotContext, e: HistoryEntry): Record<string, string | number> {
  const d = e.data;
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  const num = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : 0);
  return {
    round: num('round'),
    outcome: typeof d.outcome === 'string' ? outcomeText(ctx, d.outcome as MarketOutcome, num('yesPayout')) : '',
    note: str('note') ? ctx.tp('resolution.history_note', { note: cut(str('note'), CLARIFICATION_CHARS) }) : '',
    early: d.early === true ? ctx.tp('resolution.history_early') : '',
    text: cut(str('text') || str('reason'), CLARIFICATION_CHARS),
    approvals: num('approvals'),
    quorum: num('quorum'),
    cancelled: num('cancelled'),
    until: str('disputeUntil') ? formatDateTime(new Date(str('disputeUntil')), ctx.lang) : '',
  };
}

/** One line per event, oldest first (HTML): when, who (or "system"), what. */
export function historyLines(ctx: BotContext, events: readonly HistoryEntry[]): string[] {
  return events.map((e) => ctx.t('resolution.history_line', {
    date: formatDateTime(e.at, ctx.lang),
    who: e.actor?.name ?? ctx.tp('resolution.history_system'),
    what: EVENT_KEY[e.kind] ? ctx.tp(EVENT_KEY[e.kind], eventVars(ctx, e)) : e.kind,
  }));
}
