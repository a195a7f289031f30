/**
 * Presentation formatting per locale (DESIGN §1: formatting happens only at the edge). Numbers and
 * money go through `Intl.NumberFormat`, fed exact values only: integers, or a decimal string built
 * from integer roubles and the kopeck remainder (never a float). Dates are shown in Moscow time,
 * the market's reference time zone.
 */
import type { Language } from './language';

/** U+202F NARROW NO-BREAK SPACE: Russian digit grouping ("1 234"), never wraps inside a number. */
const NNBSP = '\u202f';
/** U+00A0 NO-BREAK SPACE: between a Russian amount and its currency sign ("100 ₽"). */
const NBSP = '\u00a0';

/** Deadlines, charts and admin input all use Moscow time (UTC+3, no DST since 2014). */
export const MOSCOW_TZ = 'Europe/Moscow';

const NUMBER_LOCALE: Record<Language, string> = { ru: 'ru-RU', en: 'en-US' };
/** Our digit grouping; ICU builds differ in the space they print for ru, the texts must not. */
const GROUP: Record<Language, string> = { ru: NNBSP, en: ',' };

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(lang: Language, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${lang}:${JSON.stringify(opts)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(NUMBER_LOCALE[lang], opts);
    numberFormats.set(key, f);
  }
  return f;
}

/** Intl's parts with our separators: grouping per {@link GROUP}, ASCII signs, a no-break space before "₽". */
function render(f: Intl.NumberFormat, value: bigint | Intl.StringNumericLiteral, lang: Language): string {
  return f.formatToParts(value).map((p) => {
    switch (p.type) {
      case 'group': return GROUP[lang];
      case 'minusSign': return '-';
      case 'plusSign': return '+';
      case 'literal': return /^\s+$/u.test(p.value) ? NBSP : p.value;
      default: return p.value;
    }
  }).join('');
}

/** Groups the digits of an integer by thousands: 1234567 → "1 234 567" (ru); a fraction is cut off. */
export function formatInt(n: number, lang: Language): string {
  return render(numberFormat(lang, { maximumFractionDigits: 0 }), BigInt(Math.trunc(n)), lang);
}

/** Options of {@link formatKop}. */
export interface MoneyOptions {
  /** Prefix positive amounts with "+" (P&L); zero gets no sign. */
  sign?: boolean;
  /** Drop ",00" from whole roubles ("100 ₽" on buttons); amounts with kopecks keep them. */
  compact?: boolean;
}

/**
 * Formats integer kopecks as roubles: ru `1 234,56 ₽` (narrow no-break space groups, no-break
 * space before the sign), en `₽1,234.56`; negative amounts get a leading "-".
 * @param amount kop, a safe integer (may be negative)
 * @throws RangeError when `amount` is not a safe integer: a float here is a bug upstream.
 */
export function formatKop(amount: number, lang: Language, opts: MoneyOptions = {}): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`not integer kopecks: ${amount}`);
  const abs = Math.abs(amount);
  const kopPart = abs % 100;
  const rubPart = (abs - kopPart) / 100;
  const f = numberFormat(lang, {
    style: 'currency', currency: 'RUB', currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: opts.compact && kopPart === 0 ? 0 : 2, maximumFractionDigits: 2,
    signDisplay: opts.sign ? 'exceptZero' : 'auto',
  });
  const decimal = `${amount < 0 ? '-' : ''}${rubPart}.${String(kopPart).padStart(2, '0')}` as Intl.StringNumericLiteral;
  return render(f, decimal, lang);
}

/** An integer percentage: `65%` (prices 1..99 are probabilities in %). */
export function formatPercent(n: number): string {
  return `${Math.round(n)}%`;
}

/**
 * A fee rate in basis points as a percentage with two decimals: 10 bps → "0.10%" (en),
 * "0,10%" (ru). Integer maths: 1 bp = 0.01 %.
 */
export function formatBps(bps: number, lang: Language): string {
  return `${formatRatio(bps, 100, lang, 2)}%`;
}

/**
 * `numerator / denominator` as a decimal with `digits` places, rounded half up, without floats:
 * the average price of a fill, `kop / shares`, is a rational number.
 * @param numerator ≥ 0, safe integer
 * @param denominator > 0, safe integer
 */
export function formatRatio(numerator: number, denominator: number, lang: Language, digits = 2): string {
  const scale = 10n ** BigInt(digits);
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  // round(n × scale / d) half up = floor((2 × n × scale + d) / 2d); BigInt division floors for n ≥ 0.
  const units = (2n * n * scale + d) / (2n * d);
  const f = numberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  if (digits === 0) return render(f, units, lang);
  const frac = String(units % scale).padStart(digits, '0');
  return render(f, `${units / scale}.${frac}` as Intl.StringNumericLiteral, lang);
}

const DATE_LOCALE: Record<Language, string> = { ru: 'ru-RU', en: 'en-GB' };
const dateTimeFormats = new Map<Language, Intl.DateTimeFormat>();

/** Date and time in Moscow: ru `31.12.2025, 18:00`, en `31 Dec 2025, 18:00`. */
export function formatDateTime(date: Date, lang: Language): string {
  let f = dateTimeFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(DATE_LOCALE[lang], {
      timeZone: MOSCOW_TZ,
      day: lang === 'ru' ? '2-digit' : 'numeric',
      month: lang === 'ru' ? '2-digit' : 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dateTimeFormats.set(lang, f);
  }
  return f.format(date);
}

const dayFormats = new Map<Language, Intl.DateTimeFormat>();

/** A date in Moscow without the time: ru `31.12.2025`, en `31 Dec 2025` (digest headers). */
export function formatDay(date: Date, lang: Language): string {
  let f = dayFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(DATE_LOCALE[lang], {
      timeZone: MOSCOW_TZ, day: lang === 'ru' ? '2-digit' : 'numeric', month: lang === 'ru' ? '2-digit' : 'short', year: 'numeric',
    });
    dayFormats.set(lang, f);
  }
  return f.format(date);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/**
 * How far `date` is from `now`, in the largest whole unit: "in 3 days" (or the Russian equivalent),
 * "5 hours ago". Under a minute counts as one minute so a deadline never reads "now".
 */
export function formatRelative(date: Date, lang: Language, now: Date = new Date()): string {
  const diff = date.getTime() - now.getTime();
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'always' });
  for (const [unit, ms] of UNITS) {
    const n = Math.trunc(diff / ms);
    if (n !== 0) return rtf.format(n, unit);
  }
  return rtf.format(diff < 0 ? -1 : 1, 'minute');
}

const tickFormats = new Map<string, Intl.DateTimeFormat>();

/** Chart label resolution by the chart's time span: time of day, day and time, or day. */
function tickStyle(spanMs: number): 'time' | 'daytime' | 'day' {
  if (spanMs <= 86_400_000) return 'time';
  return spanMs <= 4 * 86_400_000 ? 'daytime' : 'day';
}

/**
 * A chart time-axis label in Moscow time, as precise as the chart's span needs: `18:00` within a
 * day, `31.12 18:00` (en `31 Dec 18:00`) within four days, else `31.12` (en `31 Dec`), so
 * neighbouring labels never repeat.
 * @param spanMs the chart's time span in ms
 */
export function formatTick(date: Date, lang: Language, spanMs: number): string {
  const style = tickStyle(spanMs);
  const key = `${lang}:${style}`;
  let f = tickFormats.get(key);
  if (!f) {
    const day = { day: '2-digit', month: lang === 'ru' ? '2-digit' : 'short' } as const;
    const time = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
    f = new Intl.DateTimeFormat(DATE_LOCALE[lang], {
      timeZone: MOSCOW_TZ, ...(style !== 'time' ? day : {}), ...(style !== 'day' ? time : {}),
    });
    tickFormats.set(key, f);
  }
  return f.format(date).replace(',', '');
}
