/**
 * Responsible use (issue 9): the terms accepted before the first deposit, deposit limits the user
 * sets (lowered at once, raised only after a cooling-off period), and self-exclusion (no deposits
 * and no new orders until it ends; positions stay and settle; withdrawals stay possible).
 * State lives in `user_limits`; an absent row means: no terms accepted, no limits, not excluded.
 */
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { kop, type Kop } from '../money';
import { fail, type Failure, type Result } from './result';
import { moscowPeriods } from './withdrawal-rules';

/** Version of the terms text (locales `responsible.terms`); raise it when the text changes and everyone is asked again. */
// 2: promo money (invitation rewards, league prizes) and what a withdrawal then needs (issue 12).
export const TERMS_VERSION = 2;
/** A raised (or removed) deposit limit applies after this long, ms. */
export const LIMIT_RAISE_DELAY_MS = 24 * 3_600_000;

export type LimitPeriod = 'day' | 'month';
export type ExclusionPeriod = '24h' | '7d' | '30d' | 'forever';
const EXCLUSION_MS: Record<Exclude<ExclusionPeriod, 'forever'>, number> = { '24h': 24 * 3_600_000, '7d': 7 * 24 * 3_600_000, '30d': 30 * 24 * 3_600_000 };
/** Postgres 'infinity' comes back as a Date with an invalid time; indefinite exclusion is kept as this instead. */
const FOREVER = new Date('9999-12-31T00:00:00Z');

/** A deposit limit now in force and one waiting for its cooling-off (null: none). */
export interface LimitState {
  limitKop: Kop | null;
  next: { limitKop: Kop | null; at: Date } | null;
}

export interface ResponsibleState {
  termsVersion: number | null;
  day: LimitState;
  month: LimitState;
  /** Self-excluded until this moment (null: not excluded; {@link isForever} for indefinitely). */
  excludedUntil: Date | null;
}

/** Whether an exclusion end means "indefinitely". */
export function isForever(until: Date): boolean {
  return until.getTime() >= FOREVER.getTime();
}

function limitOf(limit: unknown, next: unknown, nextAt: unknown, now: Date): LimitState {
  const cur = limit === null ? null : kop(Number(limit));
  const at = nextAt as Date | null;
  if (at === null) return { limitKop: cur, next: null };
  const nxt = next === null ? null : kop(Number(next));
  // A waiting raise whose time has come is simply the limit now (applied lazily on read).
  return at.getTime() <= now.getTime() ? { limitKop: nxt, next: null } : { limitKop: cur, next: { limitKop: nxt, at } };
}

/** The user's terms, limits and exclusion as they stand at `now`. */
export async function responsibleState(m: EntityManager, userId: number, now = new Date()): Promise<ResponsibleState> {
  const [r] = await m.query(`SELECT * FROM user_limits WHERE user_id = $1`, [userId]);
  if (!r) return { termsVersion: null, day: { limitKop: null, next: null }, month: { limitKop: null, next: null }, excludedUntil: null };
  const until = r.excluded_until as Date | null;
  return {
    termsVersion: r.terms_version === null ? null : Number(r.terms_version),
    day: limitOf(r.day_limit_kop, r.day_next_kop, r.day_next_at, now),
    month: limitOf(r.month_limit_kop, r.month_next_kop, r.month_next_at, now),
    excludedUntil: until !== null && until.getTime() > now.getTime() ? until : null,
  };
}

async function ensureRow(m: EntityManager, userId: number): Promise<void> {
  await m.query(`INSERT INTO user_limits (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING`, [userId]);
}

/** Records that the user accepted terms `version` (the current one unless said otherwise). */
export async function acceptTerms(m: EntityManager, userId: number, version = TERMS_VERSION): Promise<void> {
  await ensureRow(m, userId);
  await m.query(`UPDATE user_limits SET terms_version = $2, terms_accepted_at = now(), updated_at = now() WHERE user_id = $1`, [userId, version]);
}

/** Whether the user must (re)accept the terms before depositing. */
export function needsTerms(s: ResponsibleState): boolean {
  return s.termsVersion !== TERMS_VERSION;
}

/** Smallest and largest limit a user may set, kop (100 ₽ … 10 000 000 ₽). */
export const LIMIT_MIN = kop(10_000);
export const LIMIT_MAX = kop(1_000_000_000);

/**
 * Sets the day or month deposit limit (kop; null removes it). A lower limit applies at once; a
 * higher one, or removing it, only after {@link LIMIT_RAISE_DELAY_MS} (meanwhile the old one
 * holds). Failure: limit_out_of_range {min, max}. Returns whether it applies now and from when.
 */
export async function setDepositLimit(m: EntityManager, userId: number, period: LimitPeriod, limitKop: number | null, now = new Date()): Promise<Result<{ immediate: boolean; at: Date }>> {
  if (limitKop !== null && (!Number.isSafeInteger(limitKop) || limitKop < LIMIT_MIN || limitKop > LIMIT_MAX)) {
    return fail('limit_out_of_range', { min: LIMIT_MIN, max: LIMIT_MAX });
  }
  return m.transaction(async (tx) => {
    await ensureRow(tx, userId);
    await tx.query(`SELECT 1 FROM user_limits WHERE user_id = $1 FOR UPDATE`, [userId]);
    const cur = (await responsibleState(tx, userId, now))[period].limitKop;
    if (cur === null && limitKop === null) return { ok: true, immediate: true, at: now };
    const lower = limitKop !== null && (cur === null || limitKop <= cur);
    const col = period === 'day' ? 'day' : 'month';
    if (lower) {
      await tx.query(`UPDATE user_limits SET ${col}_limit_kop = $2, ${col}_next_kop = NULL, ${col}_next_at = NULL, updated_at = now() WHERE user_id = $1`, [userId, limitKop]);
      return { ok: true, immediate: true, at: now };
    }
    const at = new Date(now.getTime() + LIMIT_RAISE_DELAY_MS);
    // The limit in force is written back too: a raise that had come due is now the current one.
    await tx.query(`UPDATE user_limits SET ${col}_limit_kop = $2, ${col}_next_kop = $3, ${col}_next_at = $4, updated_at = now() WHERE user_id = $1`,
      [userId, cur, limitKop, at]);
    return { ok: true, immediate: false, at };
  });
}

/**
 * Self-excludes the user for `period` from `now`. It cannot be undone or shortened: a shorter
 * period than the one running keeps the running end. Returns the end in force.
 */
export async function selfExclude(m: EntityManager, userId: number, period: ExclusionPeriod, now = new Date()): Promise<Date> {
  const until = period === 'forever' ? FOREVER : new Date(now.getTime() + EXCLUSION_MS[period]);
  await ensureRow(m, userId);
  const [r] = await m.query(
    // Wrapped in a SELECT: for a bare UPDATE ... RETURNING, TypeORM returns [rows, count].
    `WITH u AS (UPDATE user_limits SET excluded_until = GREATEST(COALESCE(excluded_until, $2), $2), updated_at = now()
                 WHERE user_id = $1 RETURNING excluded_until) SELECT excluded_until FROM u`,
    [userId, until]);
  return r.excluded_until as Date;
}

/** The end of an exclusion as words can carry it: Moscow time `dd.MM.yyyy HH:mm`. */
export function formatUntil(until: Date): string {
  return DateTime.fromJSDate(until, { zone: 'Europe/Moscow' }).toFormat('dd.MM.yyyy HH:mm');
}

function exclusionFailure(until: Date): Failure {
  return isForever(until) ? fail('self_excluded_forever') : fail('self_excluded', { until: formatUntil(until) });
}

/**
 * The self-exclusion rule (issue 9), pure: while `excludedUntil` is after `now` the user places no
 * new order — the refusal (code under `errors.`: `self_excluded` {until: Moscow time text} or
 * `self_excluded_forever`); otherwise null. The bet preview and the matching batch both apply it.
 */
export function exclusionBlock(excludedUntil: Date | null | undefined, now: Date): Failure | null {
  return excludedUntil && excludedUntil.getTime() > now.getTime() ? exclusionFailure(excludedUntil) : null;
}

/** When each of `userIds` is self-excluded until (users never excluded are absent). */
export async function exclusionsOf(m: EntityManager, userIds: readonly number[]): Promise<Map<number, Date>> {
  const rows: { user_id: string; excluded_until: Date }[] = await m.query(
    `SELECT user_id, excluded_until FROM user_limits WHERE user_id = ANY($1::bigint[]) AND excluded_until IS NOT NULL`, [userIds]);
  return new Map(rows.map((r) => [Number(r.user_id), r.excluded_until]));
}

/** {@link exclusionBlock} for one user, read from the database: null, or the refusal. */
export async function tradingBlock(m: EntityManager, userId: number, now = new Date()): Promise<Failure | null> {
  return exclusionBlock((await exclusionsOf(m, [userId])).get(userId), now);
}

/**
 * Whether a deposit of `amount` kop may be invoiced (or paid) now: null, or the refusal:
 * self_excluded / self_excluded_forever, deposit_limit_day or deposit_limit_month {limit, left}
 * (kop; what was paid in the Moscow day / month counts).
 */
export async function depositBlock(m: EntityManager, userId: number, amount: Kop, now = new Date()): Promise<Failure | null> {
  const s = await responsibleState(m, userId, now);
  if (s.excludedUntil) return exclusionFailure(s.excludedUntil);
  if (s.day.limitKop === null && s.month.limitKop === null) return null;
  const { dayStart, monthStart } = moscowPeriods(now);
  const [r] = await m.query(
    `SELECT COALESCE(sum(amount_kop) FILTER (WHERE created_at >= $2), 0) AS day,
            COALESCE(sum(amount_kop) FILTER (WHERE created_at >= $3), 0) AS month
       FROM payments WHERE user_id = $1 AND created_at >= LEAST($2, $3)`, [userId, dayStart, monthStart]);
  for (const [period, used] of [['day', Number(r.day)], ['month', Number(r.month)]] as const) {
    const limit = s[period].limitKop;
    if (limit !== null && used + amount > limit) return fail(`deposit_limit_${period}`, { limit, left: Math.max(0, limit - used) });
  }
  return null;
}
