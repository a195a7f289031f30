/**
 * Parsers of what users type. Each returns `null` for text that is not the expected kind of
 * value; range checks (min amount, 1..99, balance) are the caller's, so it can say which rule failed.
 */

/**
 * A whole number typed as a price, optionally with "%": "65", "65 %". Range is not checked.
 * Prices are whole kop per share (DESIGN §1), so "65.5" is not a price.
 */
export function parseWholeNumber(text: string): number | null {
  const m = /^\s*(\d{1,9})\s*%?\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}

/** Moscow is UTC+3 all year (no DST since 2014), so its wall clock converts with a fixed offset. */
export const MOSCOW_OFFSET_MS = 3 * 3_600_000;

/**
 * A deadline typed by an admin: `DD.MM.YYYY HH:MM` in Moscow time, or ISO 8601
 * (`2025-12-31T18:00`, with `Z` or an offset, else read as Moscow time). Impossible dates
 * (31.02) are refused rather than rolled over.
 */
export function parseDeadline(text: string): Date | null {
  const s = text.trim();
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})$/.exec(s);
  if (ru) return moscowWallClock(+ru[3], +ru[2], +ru[1], +ru[4], +ru[5]);
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!iso) return null;
  const local = moscowWallClock(+iso[1], +iso[2], +iso[3], +iso[4], +iso[5], iso[6] ? +iso[6] : 0);
  if (!local || !iso[7]) return local;
  const zone = iso[7] === 'Z' ? 0 : offsetMs(iso[7]);
  return new Date(local.getTime() + MOSCOW_OFFSET_MS - zone);
}

/** "+03:00" / "-0530" → ms east of UTC. */
function offsetMs(zone: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone) as RegExpExecArray;
  const ms = (+m[2] * 60 + +m[3]) * 60_000;
  return m[1] === '-' ? -ms : ms;
}

/** The instant of a Moscow wall-clock time, or null when the fields do not name a real moment. */
function moscowWallClock(year: number, month: number, day: number, hour: number, minute: number, second = 0): Date | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  return new Date(utc - MOSCOW_OFFSET_MS);
}
