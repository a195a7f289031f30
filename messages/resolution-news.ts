/**
 * Resolution news worded for the people it concerns (docs/RESOLUTION.md): holders hear of a
 * proposal, its dispute window and the final outcome; admins are asked to confirm and hear of
 * disputes; holders who disputed hear that the proposal was upheld. Plain text: notifications are
 * sent without a parse mode. Every message has a dedupe key of (market, round, step, person), so a
 * retried job, or the same news queued twice, reaches each person once.
 */
import type { EntityManager } from 'typeorm';
import type { Language } from '../domain/entities';
import { chatLanguages, reachableUsers } from '../domain/read/recipients';
import { disputesOf, proposalFacts, type ProposalFacts } from '../domain/read/resolution';
import { holdersOf } from '../domain/services/market-admin';
import { formatDateTime } from '../infra/format';
import { DEFAULT_LANGUAGE, t, type Vars } from '../infra/i18n';
import type { ResolutionNews } from '../jobs/queues';
import { OUTCOME_KEY } from './labels';
import type { NotificationJob } from './outgoing';

interface Person {
  userId?: number;
  chatId: number;
  language: Language;
}

/** Holder notice per stage. */
const HOLDER_KEY: Record<Extract<ResolutionNews, { kind: 'proposal' }>['stage'], string> = {
  awaiting_confirmation: 'resolution.notify_proposed',
  dispute_window: 'resolution.notify_dispute_window',
  resolved: 'resolution.notify_resolved',
};

async function users(m: EntityManager, userIds: readonly number[]): Promise<Person[]> {
  return [...(await reachableUsers(m, userIds)).values()].map((r) => ({ userId: r.id, chatId: r.chatId, language: r.language }));
}

/** Admins by Telegram id; one who never started the bot is written to in the default language. */
async function admins(m: EntityManager, chatIds: readonly number[]): Promise<Person[]> {
  const lang = await chatLanguages(m, chatIds);
  return chatIds.map((chatId) => ({ chatId, language: lang.get(chatId) ?? DEFAULT_LANGUAGE }));
}

function vars(p: ProposalFacts & { outcome: NonNullable<ProposalFacts['outcome']> }, lang: Language, extra: Vars = {}): Vars {
  return {
    id: p.id,
    title: p.title,
    outcome: t(lang, OUTCOME_KEY[p.outcome], { r: p.yesPayout ?? 0 }),
    note: p.note ? t(lang, 'resolution.notify_note', { note: p.note }) : '',
    until: p.disputeUntil ? formatDateTime(p.disputeUntil, lang) : '',
    ...extra,
  };
}

function message(p: Person, text: string, dedupeKey: string, batchable: boolean): NotificationJob {
  return {
    chatId: p.chatId, kind: 'send', text, dedupeKey,
    ...(p.userId ? { userId: p.userId } : {}),
    // Holders on hourly/daily summaries get it in their summary, under their 'outcomes' switch
    // (issue 11); admins act on theirs, so at once and always.
    ...(batchable ? { digestLine: text, topic: 'outcomes' as const } : {}),
  };
}

/**
 * The messages of one piece of resolution news, worded from the market as it is now. News of a
 * round that has since been replaced yields none: it would announce an outcome nobody proposes any more.
 */
export async function resolutionNewsMessages(m: EntityManager, news: ResolutionNews): Promise<NotificationJob[]> {
  const facts = await proposalFacts(m, news.marketId);
  if (!facts || facts.round !== news.round || facts.outcome === null) return [];
  const mk = { ...facts, outcome: facts.outcome };
  const key = `res-${mk.id}-${mk.round}`;
  const jobs: NotificationJob[] = [];
  if (news.kind === 'proposal') {
    for (const p of await users(m, await holdersOf(m, mk.id))) {
      jobs.push(message(p, t(p.language, HOLDER_KEY[news.stage], vars(mk, p.language)), `${key}-${news.stage}-${p.chatId}`, true));
    }
    if (news.stage === 'awaiting_confirmation') {
      for (const p of await admins(m, news.adminChatIds.filter((id) => id !== news.actorChatId))) {
        jobs.push(message(p, t(p.language, 'resolution.notify_admin_confirm', vars(mk, p.language)), `${key}-confirm-${p.chatId}`, false));
      }
    }
  } else if (news.kind === 'dispute') {
    const [d] = await disputesOf(m, mk.id, mk.round, news.userId);
    if (!d) return [];
    for (const p of await admins(m, news.adminChatIds)) {
      jobs.push(message(p, t(p.language, 'resolution.notify_admin_disputed', vars(mk, p.language, { who: d.who, reason: d.reason })),
        `${key}-dispute-${news.userId}-${p.chatId}`, false));
    }
  } else {
    for (const p of await users(m, news.userIds)) {
      jobs.push(message(p, t(p.language, 'resolution.notify_upheld', vars(mk, p.language)), `${key}-upheld-${p.chatId}`, true));
    }
  }
  return jobs;
}

/**
 * The "resolved" news of a market's current round, for the settlement worker to queue before the
 * payouts (issue 15: each holder reads the outcome before the payout, whichever worker runs first).
 * Same messages and dedupe keys as the news the resolving admin announced, so nobody gets it twice.
 */
export async function resolvedNewsMessages(m: EntityManager, marketId: number): Promise<NotificationJob[]> {
  const facts = await proposalFacts(m, marketId);
  if (!facts) return [];
  return resolutionNewsMessages(m, { kind: 'proposal', marketId, round: facts.round, stage: 'resolved', adminChatIds: [], actorChatId: 0 });
}
