/**
 * Batched mode: users with notify_mode 'hourly' or 'daily' get their `digestLine`s as one summary
 * message, sent through the same lanes and budgets as everything else.
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Language } from '../../domain/entities';
import { DAILY_SUMMARY_HOUR, summaryDue } from '../../domain/services/notification-rules';
import { MOSCOW_TZ } from '../../infra/format';
import type { LaneStore } from './lanes';
import { addPump } from './pumpJobs';
import type { NotificationJob } from './types';
import type { Recipients } from './users';

/** Daily digests go out at 09:00 Moscow time (the market's reference time zone). */
export const DAILY_DIGEST_HOUR = DAILY_SUMMARY_HOUR;

/** Telegram's limit for a message text (sendMessage: 1–4096 characters after entity parsing). */
const MAX_TEXT = 4096;

/** What a flush needs. */
export interface DigestContext {
  lanes: LaneStore;
  recipients: Recipients;
  queue: Queue;
  log: Logger;
  /** The localized first line of a summary (Telegram HTML), e.g. from the locale files. */
  summaryHeader: (lang: Language) => string;
}

const hourFormat = new Intl.DateTimeFormat('en-GB', { timeZone: MOSCOW_TZ, hour: 'numeric', hourCycle: 'h23' });

/** The hour of `date` in Moscow, 0–23. */
export function moscowHour(date: Date): number {
  return Number(hourFormat.format(date));
}

/**
 * Queue one summary for every user whose digest is due at `now` (notification-rules `summaryDue`):
 * hourly users (and instant users: lines held by quiet hours, or left from a batched mode) at every
 * tick outside their quiet hours, daily users at the 09:00 Moscow tick (or when quiet hours that
 * cover 09:00 end). Quiet hours are whole hours and the tick runs at minute 0, so they end with one
 * summary at their end hour. The summary is silent when every line came from a silent topic.
 * Lines of blocked or deleted users are discarded.
 * @returns the number of summaries queued.
 */
export async function flushDigests(ctx: DigestContext, now: Date): Promise<number> {
  const ids = await ctx.lanes.digestUsers();
  const users = new Map((await ctx.recipients.findMany(ids)).map((u) => [u.id, u]));
  let queued = 0;
  for (const id of ids) {
    const user = users.get(id);
    if (!user || user.blocked) {
      await ctx.lanes.discardDigest(id);
      continue;
    }
    if (!summaryDue(user.notifyMode, user.prefs.quiet, now)) continue;
    const lines = await ctx.lanes.digestLines(id);
    if (lines.length === 0) continue;
    const silent = !(await ctx.lanes.digestLoud(id));
    const { text, omitted } = summaryText(ctx.summaryHeader(user.language), lines);
    if (omitted > 0) ctx.log.warn({ userId: id, omitted }, 'digest too long for one message, oldest lines omitted');
    const job: NotificationJob = { chatId: user.chatId, kind: 'send', text, parseMode: 'HTML', userId: id, ...(silent ? { silent } : {}) };
    const res = await ctx.lanes.takeDigest(id, lines.length, user.chatId, JSON.stringify(job));
    if (res.gen > 0) await addPump(ctx.queue, user.chatId, res.gen);
    if (res.state === 'queued') queued++;
  }
  return queued;
}

/**
 * Header and lines, one per row. When they exceed one message the newest lines win (the oldest are
 * the most likely to be stale) and `omitted` says how many were left out.
 */
function summaryText(header: string, lines: string[]): { text: string; omitted: number } {
  const kept: string[] = [];
  let length = header.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (length + 1 + line.length > MAX_TEXT) break;
    kept.unshift(line);
    length += 1 + line.length;
  }
  return { text: [header, ...kept].join('\n'), omitted: lines.length - kept.length };
}
