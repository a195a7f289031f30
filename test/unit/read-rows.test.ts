/** issue 14: raw rows become numbers and kopecks in one checked place (domain/read/rows.ts). */
import { int, intOrNull, kopOf, RowError } from '../../domain/read/rows';

describe('issue 14: row mapping', () => {
  it('reads pg bigint/numeric strings and numbers as integers', () => {
    expect(int('42')).toBe(42);
    expect(int(7)).toBe(7);
    expect(int(BigInt(9))).toBe(9);
    expect(int(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses what is not a safe integer', () => {
    expect(() => int(String(Number.MAX_SAFE_INTEGER + 2))).toThrow(RowError);
    expect(() => int('1.5')).toThrow(RowError);
    expect(() => int('abc')).toThrow(RowError);
  });

  it('keeps SQL NULL as null, and a NULL amount (an empty SUM) as 0 kop', () => {
    expect(intOrNull(null)).toBeNull();
    expect(intOrNull('-3')).toBe(-3);
    expect(kopOf(null)).toBe(0);
    expect(kopOf('-12000')).toBe(-12000);
  });
});
