import { formatBps, formatDateTime, formatInt, formatKop, formatPercent, formatRatio, formatRelative, formatTick } from '../../infra/format';

const NNBSP = '\u202f';
const NBSP = '\u00a0';

describe('formatKop (integer kopecks → roubles, no floats)', () => {
  it.each([
    [123456, 'ru', `1${NNBSP}234,56${NBSP}₽`],
    [123456, 'en', '₽1,234.56'],
    [0, 'ru', `0,00${NBSP}₽`],
    [0, 'en', '₽0.00'],
    [-123456, 'ru', `-1${NNBSP}234,56${NBSP}₽`],
    [-123456, 'en', '-₽1,234.56'],
    [5, 'ru', `0,05${NBSP}₽`],
    [-5, 'en', '-₽0.05'],
    [100_000_000, 'ru', `1${NNBSP}000${NNBSP}000,00${NBSP}₽`],
    [Number.MAX_SAFE_INTEGER, 'en', '₽90,071,992,547,409.91'],
  ] as const)('%i kop in %s is %s', (kop, lang, text) => {
    expect(formatKop(kop, lang)).toBe(text);
  });

  it('drops ",00" only when compact and whole', () => {
    expect(formatKop(10_000, 'ru', { compact: true })).toBe(`100${NBSP}₽`);
    expect(formatKop(100_000, 'en', { compact: true })).toBe('₽1,000');
    expect(formatKop(10_050, 'en', { compact: true })).toBe('₽100.50');
  });

  it('signs gains when asked, never zero', () => {
    expect(formatKop(150, 'en', { sign: true })).toBe('+₽1.50');
    expect(formatKop(-150, 'en', { sign: true })).toBe('-₽1.50');
    expect(formatKop(0, 'ru', { sign: true })).toBe(`0,00${NBSP}₽`);
  });

  it('refuses floats: a float here is a bug upstream', () => {
    expect(() => formatKop(1.5, 'ru')).toThrow(RangeError);
    expect(() => formatKop(Number.NaN, 'en')).toThrow(RangeError);
  });
});

describe('numbers', () => {
  it('groups integers per locale', () => {
    expect(formatInt(1234567, 'ru')).toBe(`1${NNBSP}234${NNBSP}567`);
    expect(formatInt(1234567, 'en')).toBe('1,234,567');
    expect(formatInt(999, 'en')).toBe('999');
  });

  it('formats percentages and fee rates', () => {
    expect(formatPercent(65)).toBe('65%');
    expect(formatBps(10, 'en')).toBe('0.10%');
    expect(formatBps(5, 'ru')).toBe('0,05%');
    expect(formatBps(250, 'en')).toBe('2.50%');
  });

  it('rounds a rational half up without floats', () => {
    expect(formatRatio(200, 3, 'en', 1)).toBe('66.7');
    expect(formatRatio(1, 8, 'en', 2)).toBe('0.13');
    expect(formatRatio(6600, 100, 'ru', 1)).toBe('66,0');
    expect(formatRatio(7, 2, 'en', 0)).toBe('4');
  });
});

describe('dates in Moscow time', () => {
  const d = new Date('2025-12-31T15:00:00Z'); // 18:00 in Moscow (UTC+3)

  it('formats date and time per locale', () => {
    expect(formatDateTime(d, 'ru')).toBe('31.12.2025, 18:00');
    expect(formatDateTime(d, 'en')).toBe('31 Dec 2025, 18:00');
  });

  it('labels chart ticks by time, day and time, or day depending on the span', () => {
    expect(formatTick(d, 'ru', 3_600_000)).toBe('18:00');
    expect(formatTick(d, 'ru', 2 * 86_400_000)).toBe('31.12 18:00');
    expect(formatTick(d, 'en', 2 * 86_400_000)).toBe('31 Dec 18:00');
    expect(formatTick(d, 'ru', 10 * 86_400_000)).toBe('31.12');
    expect(formatTick(d, 'en', 10 * 86_400_000)).toBe('31 Dec');
  });

  it('says how far a deadline is', () => {
    const now = new Date('2025-12-28T15:00:00Z');
    expect(formatRelative(d, 'en', now)).toBe('in 3 days');
    expect(formatRelative(d, 'ru', now)).toBe('через 3 дня');
    expect(formatRelative(now, 'en', d)).toBe('3 days ago');
    expect(formatRelative(new Date(now.getTime() + 10_000), 'en', now)).toBe('in 1 minute');
  });
});
