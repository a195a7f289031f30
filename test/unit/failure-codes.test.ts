import en from '../../locales/en.json';
import ru from '../../locales/ru.json';
import { FAILURE_CODES, TRADE_REJECT_CODES, fail, isFailureCode } from '../../domain/services/result';

describe('failure codes', () => {
  it.each(FAILURE_CODES)('%s has an errors text in ru and en', (code) => {
    expect(typeof (ru.errors as Record<string, unknown>)[code]).toBe('string');
    expect(typeof (en.errors as Record<string, unknown>)[code]).toBe('string');
  });

  it('lists each code once and the trade codes among them', () => {
    expect(new Set(FAILURE_CODES).size).toBe(FAILURE_CODES.length);
    for (const c of TRADE_REJECT_CODES) expect(FAILURE_CODES).toContain(c);
  });

  it('recognizes codes read back from the database', () => {
    expect(isFailureCode('fok_not_fillable')).toBe(true);
    expect(isFailureCode('unfilled_remainder')).toBe(false);
    expect(isFailureCode(null)).toBe(false);
    expect(fail('market_closed')).toEqual({ ok: false, code: 'market_closed', vars: undefined });
  });
});
