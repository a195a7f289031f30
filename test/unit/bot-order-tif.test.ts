import { expiryPresets, presetExpiry, settleChoice, typedExpiryFits } from '../../bot/features/bet/order-tif';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2026-03-10 12:00 Moscow time (UTC+3). */
const NOON_MSK = Date.UTC(2026, 2, 10, 9, 0);

describe('GTD expiry presets', () => {
  it('"today" is 23:59 Moscow time of the current Moscow day', () => {
    expect(new Date(presetExpiry('eod', NOON_MSK)).toISOString()).toBe('2026-03-10T20:59:00.000Z');
    // 01:30 Moscow is still 9 March in UTC: the Moscow day decides.
    expect(new Date(presetExpiry('eod', Date.UTC(2026, 2, 9, 22, 30))).toISOString()).toBe('2026-03-10T20:59:00.000Z');
  });

  it('offers only presets that end before the deadline; "today" only with two hours of the day left', () => {
    expect(expiryPresets(NOON_MSK, NOON_MSK + 30 * DAY)).toEqual(['1h', 'eod', '24h', '7d']);
    expect(expiryPresets(NOON_MSK, NOON_MSK + 2 * DAY)).toEqual(['1h', 'eod', '24h']);
    expect(expiryPresets(NOON_MSK, NOON_MSK + 2 * HOUR)).toEqual(['1h']);
    expect(expiryPresets(NOON_MSK, NOON_MSK + 30 * 60_000)).toEqual([]);
    const lateEvening = Date.UTC(2026, 2, 10, 19, 30); // 22:30 Moscow
    expect(expiryPresets(lateEvening, lateEvening + 30 * DAY)).toEqual(['1h', '24h', '7d']);
  });
});

describe('settleChoice', () => {
  const far = NOON_MSK + 30 * DAY;

  it('fixes a preset\'s expiry at the moment of the preview', () => {
    expect(settleChoice({ tif: 'GTD', postOnly: true, expiry: '1h' }, NOON_MSK, far))
      .toEqual({ tif: 'GTD', postOnly: true, expiry: '1h', expiresAt: NOON_MSK + HOUR });
  });

  it('starts GTD at 24 h, or the first preset that fits, or falls back to GTC', () => {
    expect(settleChoice({ tif: 'GTD', postOnly: false }, NOON_MSK, far)).toMatchObject({ expiry: '24h', expiresAt: NOON_MSK + DAY });
    expect(settleChoice({ tif: 'GTD', postOnly: false, expiry: '7d' }, NOON_MSK, NOON_MSK + 2 * HOUR)).toMatchObject({ expiry: '1h' });
    expect(settleChoice({ tif: 'GTD', postOnly: false }, NOON_MSK, NOON_MSK + 10 * 60_000)).toEqual({ tif: 'GTC', postOnly: false });
  });

  it('keeps a typed expiry while it is still ahead and before the deadline', () => {
    const typed = NOON_MSK + 3 * HOUR;
    expect(settleChoice({ tif: 'GTD', postOnly: false, expiry: 'custom', expiresAt: typed }, NOON_MSK, far))
      .toEqual({ tif: 'GTD', postOnly: false, expiry: 'custom', expiresAt: typed });
    expect(settleChoice({ tif: 'GTD', postOnly: false, expiry: 'custom', expiresAt: typed }, typed, far)).toMatchObject({ expiry: '24h' });
  });

  it('drops post-only and any expiry for IOC and FOK', () => {
    expect(settleChoice({ tif: 'IOC', postOnly: true, expiry: '1h', expiresAt: 1 }, NOON_MSK, far)).toEqual({ tif: 'IOC', postOnly: false });
    expect(settleChoice({ tif: 'FOK', postOnly: true }, NOON_MSK, far)).toEqual({ tif: 'FOK', postOnly: false });
  });

  it('accepts a typed expiry from 5 minutes ahead up to (not including) the deadline', () => {
    expect(typedExpiryFits(NOON_MSK + 4 * 60_000, NOON_MSK, far)).toBe(false);
    expect(typedExpiryFits(NOON_MSK + 5 * 60_000, NOON_MSK, far)).toBe(true);
    expect(typedExpiryFits(far, NOON_MSK, far)).toBe(false);
  });
});
