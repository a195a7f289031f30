/**
 * Issue 14: money goes through Intl.NumberFormat fed exact values. Any safe integer of kopecks reads
 * back as the same integer, digits grouped by our separators whatever the ICU build prints.
 */
import fc from 'fast-check';
import { formatInt, formatKop, formatRatio } from '../../infra/format';

const NNBSP = '\u202f';
const NBSP = '\u00a0';

describe('issue 14: formatKop through Intl.NumberFormat', () => {
  it('ru and en texts read back as the same kopecks, for every safe integer', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (kop) => {
      const ru = formatKop(kop, 'ru');
      const en = formatKop(kop, 'en');
      expect(ru.endsWith(`${NBSP}₽`)).toBe(true);
      expect(BigInt(ru.replace(`${NBSP}₽`, '').split(NNBSP).join('').replace(',', ''))).toBe(BigInt(kop));
      expect(BigInt(en.replace('₽', '').split(',').join('').replace('.', ''))).toBe(BigInt(kop));
    }));
  });

  it('groups with U+202F in ru and never prints Intl\'s U+00A0 inside a number', () => {
    expect(formatInt(-1234567, 'ru')).toBe(`-1${NNBSP}234${NNBSP}567`);
    expect(formatKop(123_456_789, 'ru', { sign: true })).toBe(`+1${NNBSP}234${NNBSP}567,89${NBSP}₽`);
    expect(formatRatio(Number.MAX_SAFE_INTEGER, 1, 'en', 2)).toBe('9,007,199,254,740,991.00');
  });
});
