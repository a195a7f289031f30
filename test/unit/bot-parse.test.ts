import { parseDeadline, parseWholeNumber } from '../../bot/parse';

describe('parseWholeNumber (prices, share counts)', () => {
  it.each([['65', 65], [' 65 % ', 65], ['0', 0], ['100', 100], ['1000', 1000]])('%j → %j', (text, n) => {
    expect(parseWholeNumber(text)).toBe(n);
  });
  it.each(['', 'abc', '65.5', '65,5', '-5', '6 5', '1e3'])('rejects %j', (text) => {
    expect(parseWholeNumber(text)).toBeNull();
  });
});

describe('parseDeadline (Moscow time unless the text has an offset)', () => {
  it.each([
    ['31.12.2026 18:00', '2026-12-31T15:00:00.000Z'],
    ['1.2.2027 9:05', '2027-02-01T06:05:00.000Z'],
    ['2026-12-31T18:00', '2026-12-31T15:00:00.000Z'],
    ['2026-12-31 18:00:30', '2026-12-31T15:00:30.000Z'],
    ['2026-12-31T18:00Z', '2026-12-31T18:00:00.000Z'],
    ['2026-12-31T18:00+05:00', '2026-12-31T13:00:00.000Z'],
    ['2026-12-31T18:00-0130', '2026-12-31T19:30:00.000Z'],
  ])('%j → %s', (text, iso) => {
    expect(parseDeadline(text)?.toISOString()).toBe(iso);
  });

  it.each(['', 'tomorrow', '31.02.2026 10:00', '31.12.2026', '31.12.2026 24:00', '2026-13-01T00:00', '31/12/2026 18:00'])('rejects %j', (text) => {
    expect(parseDeadline(text)).toBeNull();
  });
});
