/** Issue 14: deadlines read by luxon in Europe/Moscow keep the hand-written parser's rules. */
import { parseDeadline } from '../../bot/parse';

describe('issue 14: parseDeadline with luxon', () => {
  it.each([
    ['29.02.2028 12:00', '2028-02-29T09:00:00.000Z'],
    ['31.12.2026   23:59', '2026-12-31T20:59:00.000Z'],
    ['2026-06-01T00:00:59+03:00', '2026-05-31T21:00:59.000Z'],
  ])('%j → %s', (text, iso) => {
    expect(parseDeadline(text)?.toISOString()).toBe(iso);
  });

  it.each(['29.02.2027 12:00', '2026-12-31T24:00', '2026-02-30T10:00', '31.12.2026 18:60', '2026-12-31', '2026-12-31T18:00:60'])('rejects %j', (text) => {
    expect(parseDeadline(text)).toBeNull();
  });
});
