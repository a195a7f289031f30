/**
 * The pure rules of leagues (issue 12; after Manifold's leagues): monthly seasons in Moscow time,
 * six divisions, cohorts of about 25–50, the ranking inside a cohort, and who is promoted or
 * relegated at the season's end. No I/O.
 */
import { DateTime } from 'luxon';
import { kop, type Kop } from '../money';

const MOSCOW = 'Europe/Moscow';

/** Divisions from the lowest; everyone starts in Bronze. */
export const DIVISIONS = ['bronze', 'silver', 'gold', 'platinum', 'diamond', 'masters'] as const;
export type Division = (typeof DIVISIONS)[number];

/** A cohort is filled to this many members before the next one of its division opens. */
export const COHORT_TARGET = 40;
/** Share of a cohort promoted (top) and relegated (bottom): a fifth each. */
export const MOVE_SHARE_DIVISOR = 5;

/** The season (`YYYY-MM`, the Moscow calendar month) containing `at`. */
export function seasonOf(at: Date): string {
  return DateTime.fromJSDate(at, { zone: MOSCOW }).toFormat('yyyy-MM');
}

/** Start (inclusive) and end (exclusive) of a season. @throws RangeError for a malformed season. */
export function seasonBounds(season: string): { start: Date; end: Date } {
  const d = DateTime.fromFormat(season, 'yyyy-MM', { zone: MOSCOW });
  if (!d.isValid || !/^\d{4}-\d{2}$/.test(season)) throw new RangeError(`bad season ${season}`);
  return { start: d.toJSDate(), end: d.plus({ months: 1 }).toJSDate() };
}

/** The season before `season`. */
export function previousSeason(season: string): string {
  return DateTime.fromFormat(season, 'yyyy-MM', { zone: MOSCOW }).minus({ months: 1 }).toFormat('yyyy-MM');
}

/** Whole Moscow days left in the season of `now`, counting today (1 on its last day). */
export function daysLeft(now: Date): number {
  const d = DateTime.fromJSDate(now, { zone: MOSCOW });
  return d.daysInMonth! - d.day + 1;
}

/**
 * The cohort a newcomer to a division joins, given the sizes of its cohorts (1-based numbers in
 * order): the first that has fewer than `target` members, else a new one. Cohorts so fill to
 * `target` one after another; only the last may be smaller.
 */
export function chooseCohort(sizes: readonly number[], target = COHORT_TARGET): number {
  const open = sizes.findIndex((n) => n < target);
  return (open === -1 ? sizes.length : open) + 1;
}

/** One member's season: realized P&L (kop) and calls. */
export interface SeasonScore {
  userId: number;
  scoreKop: Kop;
  correct: number;
  calls: number;
}

/**
 * Cohort order: higher realized P&L first; ties by better accuracy (correct / calls, compared
 * exactly by cross-multiplication; no calls counts as 0), then the lower user id (stable).
 */
export function compareScores(a: SeasonScore, b: SeasonScore): number {
  if (a.scoreKop !== b.scoreKop) return b.scoreKop - a.scoreKop;
  const acc = b.correct * Math.max(a.calls, 1) - a.correct * Math.max(b.calls, 1);
  if (acc !== 0) return acc;
  return a.userId - b.userId;
}

/** A member's ranked place (1-based) in a cohort. */
export function rankCohort<T extends SeasonScore>(rows: readonly T[]): (T & { place: number })[] {
  return [...rows].sort(compareScores).map((r, i) => ({ ...r, place: i + 1 }));
}

export type Movement = 'promoted' | 'stayed' | 'relegated';

/**
 * How many of a cohort of `size` go up and down: a fifth each (at least one when the cohort has two
 * or more for up, five or more for down); nobody goes up from Masters or down from Bronze.
 */
export function moveCounts(size: number, division: Division): { up: number; down: number } {
  const share = Math.floor(size / MOVE_SHARE_DIVISOR);
  const up = division === 'masters' || size < 2 ? 0 : Math.max(1, share);
  const down = division === 'bronze' || size < MOVE_SHARE_DIVISOR ? 0 : Math.max(1, share);
  return { up, down };
}

/** Promotion or relegation of the member at `place` (1-based) of a cohort of `size`. */
export function movementOf(place: number, size: number, division: Division): Movement {
  const { up, down } = moveCounts(size, division);
  if (place <= up) return 'promoted';
  if (place > size - down) return 'relegated';
  return 'stayed';
}

/** The division after a movement. */
export function nextDivision(division: Division, movement: Movement): Division {
  const i = DIVISIONS.indexOf(division);
  const j = movement === 'promoted' ? i + 1 : movement === 'relegated' ? i - 1 : i;
  return DIVISIONS[Math.min(DIVISIONS.length - 1, Math.max(0, j))]!;
}

/**
 * Prizes per cohort place from `LEAGUE_PRIZES` ("1:50000,2:25000,3:10000", kop; empty: none).
 * @returns null when the text is malformed (a place twice, a non-positive place or amount).
 */
export function parsePrizes(text: string): Map<number, Kop> | null {
  const out = new Map<number, Kop>();
  const t = text.trim();
  if (t === '') return out;
  for (const part of t.split(',')) {
    const m = /^\s*([1-9]\d{0,3})\s*:\s*([1-9]\d{0,9})\s*$/.exec(part);
    if (!m) return null;
    const place = Number(m[1]);
    if (out.has(place)) return null;
    out.set(place, kop(Number(m[2])));
  }
  return out;
}
