import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Language, MarketOutcome } from '../domain/entities';
import { holdersOf } from '../domain/services/market-admin';
import { formatDateTime } from '../infra/format';
import { t, type Vars } from '../infra/i18n';
import { redisOptions } from '../infra/redis';
import type { Notifier } from './notifications/producer';
import type { NotificationJob } from './notifications/types';
import { bullPrefix, RESOLUTION_NEWS_QUEUE, type ResolutionNews } from '../jobs/queues';

export interface ResolutionNewsDeps {
  ds: DataSource;
  redisUrl: string;
  prefix: string;
  notifier: Notifier;
  logger: Logger;
}

/** The market as the news describes it. */
interface MarketNow {
  id: number;
  title: string;
  round: number;
  outcome: MarketOutcome;
  yesPayout: number;
  note: string | null;
  disputeUntil: Date | null;
}

interface Person {
  userId?: number;
  chatId: number;
  language: Language;
}

/** Holder notice per stage (plain text: notifications are sent without a parse mode). */
const HOLDER_KEY: Record<Extract<ResolutionNews, { kind: 'proposal' }>['stage'], string> = {
  awaiting_confirmation: 'resolution.notify_proposed',
  dispute_window: 'resolution.notify_dispute_window',
  resolved: 'resolution.notify_resolved',
};

/**
 * Fans resolution news out through the notifications pipeline (DESIGN §5: it respects Telegram's
 * limits and per-chat order). Every message has a dedupe key of (market, round, step, person), so
 * a retried job, or the same news queued twice, reaches each person once.
 */
export function startResolutionNewsWorker(deps: ResolutionNewsDeps): Worker {
  const worker = new Worker<ResolutionNews>(RESOLUTION_NEWS_QUEUE, (job) => deliver(deps, job), {
    connection: redisOptions(deps.redisUrl), prefix: bullPrefix(deps.prefix), concurrency: 2,
  });
  worker.on('failed', (job, err) => deps.logger.error({ err, news: job?.data }, 'resolution news failed'));
  return worker;
}

async function marketNow(ds: DataSource, marketId: number): Promise<MarketNow | null> {
  const [r] = await ds.query(
    `SELECT id, title, proposal_round, outcome, yes_payout, proposal_note, dispute_until FROM markets WHERE id = $1`, [marketId]);
  return r ? {
    id: Number(r.id), title: r.title, round: r.proposal_round, outcome: r.outcome, yesPayout: r.yes_payout, note: r.proposal_note, disputeUntil: r.dispute_until,
  } : null;
}

async function usersById(ds: DataSource, userIds: number[]): Promise<Person[]> {
  const rows: { id: string; telegram_id: string; language: Language }[] = await ds.query(
    `SELECT id, telegram_id, language FROM users WHERE id = ANY($1::bigint[]) AND blocked_at IS NULL`, [userIds]);
  return rows.map((r) => ({ userId: Number(r.id), chatId: Number(r.telegram_id), language: r.language }));
}

/** Admins by Telegram id; one who never started the bot is written to in the default language. */
async function admins(ds: DataSource, chatIds: number[]): Promise<Person[]> {
  const rows: { telegram_id: string; language: Language }[] = await ds.query(
    `SELECT telegram_id, language FROM users WHERE telegram_id = ANY($1::bigint[])`, [chatIds]);
  const lang = new Map(rows.map((r) => [Number(r.telegram_id), r.language]));
  return chatIds.map((chatId) => ({ chatId, language: lang.get(chatId) ?? 'ru' }));
}

function vars(m: MarketNow, lang: Language, extra: Vars = {}): Vars {
  return {
    id: m.id,
    title: m.title,
    outcome: t(lang, `outcome.${m.outcome}`, { r: m.yesPayout }),
    note: m.note ? t(lang, 'resolution.notify_note', { note: m.note }) : '',
    until: m.disputeUntil ? formatDateTime(m.disputeUntil, lang) : '',
    ...extra,
  };
}

function message(p: Person, text: string, dedupeKey: string, batchable: boolean): NotificationJob {
  return {
    chatId: p.chatId, kind: 'send', text, dedupeKey,
    ...(p.userId ? { userId: p.userId } : {}),
    // Holders on hourly/daily summaries get it in their summary; admins act on theirs, so at once.
    ...(batchable ? { digestLine: text } : {}),
  };
}

async function deliver(deps: ResolutionNewsDeps, job: Job<ResolutionNews>): Promise<number> {
  const news = job.data;
  const m = await marketNow(deps.ds, news.marketId);
  // A replaced proposal's news would announce an outcome nobody proposes any more.
  if (!m || m.round !== news.round || m.outcome === null) return 0;
  const key = `res-${m.id}-${m.round}`;
  const jobs: NotificationJob[] = [];
  if (news.kind === 'proposal') {
    for (const p of await usersById(deps.ds, await holdersOf(deps.ds.manager, m.id))) {
      jobs.push(message(p, t(p.language, HOLDER_KEY[news.stage], vars(m, p.language)), `${key}-${news.stage}-${p.chatId}`, true));
    }
    if (news.stage === 'awaiting_confirmation') {
      for (const p of await admins(deps.ds, news.adminChatIds.filter((id) => id !== news.actorChatId))) {
        jobs.push(message(p, t(p.language, 'resolution.notify_admin_confirm', vars(m, p.language)), `${key}-confirm-${p.chatId}`, false));
      }
    }
  } else if (news.kind === 'dispute') {
    const [d] = await deps.ds.query(
      `SELECT d.reason, u.first_name, u.username FROM market_disputes d JOIN users u ON u.id = d.user_id
        WHERE d.market_id = $1 AND d.round = $2 AND d.user_id = $3`, [m.id, m.round, news.userId]);
    if (!d) return 0;
    const who = d.username ? `@${d.username}` : d.first_name;
    for (const p of await admins(deps.ds, news.adminChatIds)) {
      jobs.push(message(p, t(p.language, 'resolution.notify_admin_disputed', vars(m, p.language, { who, reason: d.reason })),
        `${key}-dispute-${news.userId}-${p.chatId}`, false));
    }
  } else {
    for (const p of await usersById(deps.ds, news.userIds)) {
      jobs.push(message(p, t(p.language, 'resolution.notify_upheld', vars(m, p.language)), `${key}-upheld-${p.chatId}`, true));
    }
  }
  for (const j of jobs) await deps.notifier.notify(j);
  return jobs.length;
}
