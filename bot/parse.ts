/**
 * Parsers of what users type. Each returns `null` for text that is not the expected kind of
 * value; range checks (min amount, 1..99, balance) are the caller's, so it can say which rule failed.
 */
import { DateTime } from 'luxon';

/**
 * A whole number typed as a price, optionally with "%": "65", "65 %". Range is not checked.
 * Prices are whole kop per share (DESIGN §1), so "65.5" is not a price.
 */
export function parseWholeNumber(text: string): number | null {
  const m = /^\s*(\d{1,9})\s*%?\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}

/** The IANA zone admins' wall-clock times are read in. */
const MOSCOW_ZONE = 'Europe/Moscow';

/**
 * A deadline typed by an admin: `DD.MM.YYYY HH:MM` in Moscow time, or ISO 8601
 * (`2025-12-31T18:00`, with `Z` or an offset, else read as Moscow time). Impossible dates
 * (31.02) are refused rather than rolled over (luxon marks them invalid), and so is 24:00, which
 * luxon would read as the next day's 00:00.
 */
export function parseDeadline(text: string): Date | null {
  const s = text.trim();
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})$/.exec(s);
  if (ru) {
    const [day, month, year, hour, minute] = ru.slice(1).map(Number) as [number, number, number, number, number];
    if (hour > 23) return null;
    return toDate(DateTime.fromObject({ year, month, day, hour, minute }, { zone: MOSCOW_ZONE }));
  }
  // The shape is ours (a time is required, a space may stand for "T"); luxon reads the values.
  const iso = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!iso || Number(iso[2].slice(0, 2)) > 23) return null;
  return toDate(DateTime.fromISO(`${iso[1]}T${iso[2]}${iso[3] ?? ''}`, { zone: MOSCOW_ZONE }));
}

function toDate(dt: DateTime): Date | null {
  return dt.isValid ? dt.toJSDate() : null;
}
