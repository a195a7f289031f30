/**
 * The pure rules of the user's notification controls (issue 11): per-topic on/off and silent
 * delivery, quiet hours in Moscow time, and when a held summary is due. No I/O: the notifications
 * pipeline (workers/notifications/pump.ts, digest.ts) and the /settings screen call these.
 */
import { DateTime } from 'luxon';

/**
 * What a message is about, for the per-type switches: fills of the user's orders, outcomes and
 * payouts, price alerts, stop-loss / take-profit triggers, digests of watched markets.
 */
export const NOTIFICATION_TOPICS = ['fills', 'outcomes', 'alerts', 'triggers', 'digests'] as const;
export type NotificationTopic = (typeof NOTIFICATION_TOPICS)[number];

const MOSCOW = 'Europe/Moscow';

/** Quiet hours: whole Moscow hours `from` (inclusive) to `to` (exclusive), 0..23, from ≠ to; 23→8 crosses midnight. */
export interface QuietHours {
  from: number;
  to: number;
}

/** A user's switches as the pipeline reads them (users.notify_off, notify_silent, quiet_from/to). */
export interface NotifyPrefs {
  /** Topics the user switched off: such messages are dropped. */
  off: readonly NotificationTopic[];
  /** Topics delivered without sound (Bot API `disable_notification`). */
  silent: readonly NotificationTopic[];
  /** Null: no quiet hours. */
  quiet: QuietHours | null;
}

export const DEFAULT_PREFS: NotifyPrefs = { off: [], silent: [], quiet: null };

/** The hour of `at` in Moscow, 0..23. */
export function moscowHourOf(at: Date): number {
  return DateTime.fromJSDate(at, { zone: MOSCOW }).hour;
}

/** Whether `h` (0..23) is a valid quiet-hours pair with `to`: both whole hours 0..23 and different. */
export function validQuietHours(q: QuietHours): boolean {
  const hour = (n: number) => Number.isInteger(n) && n >= 0 && n <= 23;
  return hour(q.from) && hour(q.to) && q.from !== q.to;
}

/**
 * Whether the instant `at` falls in quiet hours `q` (Moscow time): from ≤ hour < to, or, when the
 * period crosses midnight (from > to, e.g. 23→08), hour ≥ from or hour < to. Null → never.
 */
export function inQuietHours(q: QuietHours | null, at: Date): boolean {
  if (!q || !validQuietHours(q)) return false;
  const h = moscowHourOf(at);
  return q.from < q.to ? h >= q.from && h < q.to : h >= q.from || h < q.to;
}

/** What the pipeline does with one message for a user. */
export type Decision =
  /** The topic is switched off: drop it, nothing is sent. */
  | { action: 'drop' }
  /** Keep its summary line for the next summary (quiet hours, or an hourly/daily user's batch). */
  | { action: 'hold'; silent: boolean }
  /** Send now; `silent` → `disable_notification: true`. */
  | { action: 'send'; silent: boolean };

/** The facts about a message that the decision needs. */
export interface MessageFacts {
  topic?: NotificationTopic;
  /** It has a summary line (only such messages can be held). */
  summarizable: boolean;
}

/**
 * The decision for one message at instant `at`. A message without a topic (service messages:
 * withdrawals, admin reports, card edits) is never dropped, silenced or held for quiet hours;
 * batching by notify mode applies to any message with a summary line, as before issue 11.
 * Order: off → drop; quiet hours (topic and summary line) → hold; batched mode → hold; else send.
 */
export function decide(prefs: NotifyPrefs, mode: 'instant' | 'hourly' | 'daily', msg: MessageFacts, at: Date): Decision {
  const silent = msg.topic !== undefined && prefs.silent.includes(msg.topic);
  if (msg.topic !== undefined && prefs.off.includes(msg.topic)) return { action: 'drop' };
  if (msg.summarizable && msg.topic !== undefined && inQuietHours(prefs.quiet, at)) return { action: 'hold', silent };
  if (msg.summarizable && mode !== 'instant') return { action: 'hold', silent };
  return { action: 'send', silent };
}

/** The Moscow hour when daily summaries go out. */
export const DAILY_SUMMARY_HOUR = 9;

/**
 * Whether a user's held lines are due at the hourly tick `at`: never inside quiet hours; daily
 * users at 09:00 Moscow, or at the end of their quiet hours when those cover 09:00; everyone else
 * (hourly, and instant users whose lines were held by quiet hours) at every tick outside them, so
 * quiet hours end with one summary at their `to` hour.
 */
export function summaryDue(mode: 'instant' | 'hourly' | 'daily', quiet: QuietHours | null, at: Date): boolean {
  if (inQuietHours(quiet, at)) return false;
  if (mode !== 'daily') return true;
  const h = moscowHourOf(at);
  if (h === DAILY_SUMMARY_HOUR) return true;
  const nineIsQuiet = inQuietHours(quiet, DateTime.fromJSDate(at, { zone: MOSCOW }).set({ hour: DAILY_SUMMARY_HOUR }).toJSDate());
  return nineIsQuiet && quiet !== null && h === quiet.to;
}

/**
 * Reads "23-8", "23:00–08:00", "23 8" as quiet hours (Moscow); null when it is not two hours
 * 0..23 that differ.
 */
export function parseQuietHours(text: string): QuietHours | null {
  const m = /^\s*(\d{1,2})(?::00)?\s*(?:-|–|—|→|\s)\s*(\d{1,2})(?::00)?\s*$/.exec(text);
  if (!m) return null;
  const q = { from: Number(m[1]), to: Number(m[2]) };
  return validQuietHours(q) ? q : null;
}
