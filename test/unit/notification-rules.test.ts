/**
 * issue 11: the pure rules of notification controls — quiet hours in Moscow time (also across
 * midnight), the per-topic decision, when a held summary is due, and reading typed quiet hours.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  decide, DEFAULT_PREFS, inQuietHours, moscowHourOf, NOTIFICATION_TOPICS, parseQuietHours, summaryDue, type NotifyPrefs,
} from '../../domain/services/notification-rules';

/** 2026-03-10 at `hour:minute` Moscow time (UTC+3 all year). */
const msk = (hour: number, minute = 0, day = 10): Date => DateTime.fromObject({ year: 2026, month: 3, day, hour, minute }, { zone: 'Europe/Moscow' }).toJSDate();

describe('quiet hours (Moscow time)', () => {
  const night = { from: 23, to: 8 };
  it('a period crossing midnight holds 23:00–07:59 and releases at 08:00', () => {
    expect(inQuietHours(night, msk(22, 59))).toBe(false);
    expect(inQuietHours(night, msk(23, 0))).toBe(true);
    expect(inQuietHours(night, msk(0, 0))).toBe(true);
    expect(inQuietHours(night, msk(7, 59))).toBe(true);
    expect(inQuietHours(night, msk(8, 0))).toBe(false);
  });

  it('is Moscow time, not UTC: 20:30 UTC is 23:30 in Moscow', () => {
    const at = new Date(Date.UTC(2026, 2, 10, 20, 30));
    expect(moscowHourOf(at)).toBe(23);
    expect(inQuietHours(night, at)).toBe(true);
    expect(inQuietHours({ from: 20, to: 21 }, at)).toBe(false);
  });

  it('a daytime period is from inclusive, to exclusive', () => {
    const q = { from: 13, to: 15 };
    expect([12, 13, 14, 15].map((h) => inQuietHours(q, msk(h)))).toEqual([false, true, true, false]);
  });

  it('none, or a pair with from = to, never holds', () => {
    expect(inQuietHours(null, msk(3))).toBe(false);
    expect(inQuietHours({ from: 5, to: 5 }, msk(5))).toBe(false);
  });

  it('property: a period and its complement split every hour of the day', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 23 }), (from, to, h) => {
      fc.pre(from !== to);
      expect(inQuietHours({ from, to }, msk(h, 30)) !== inQuietHours({ from: to, to: from }, msk(h, 30))).toBe(true);
    }));
  });
});

describe('the decision for one message', () => {
  const prefs = (p: Partial<NotifyPrefs>): NotifyPrefs => ({ ...DEFAULT_PREFS, ...p });
  const noon = msk(12);

  it('a topic switched off is dropped, whatever the mode or hour', () => {
    for (const mode of ['instant', 'hourly', 'daily'] as const) {
      expect(decide(prefs({ off: ['fills'] }), mode, { topic: 'fills', summarizable: true }, noon)).toEqual({ action: 'drop' });
    }
    expect(decide(prefs({ off: ['fills'], quiet: { from: 23, to: 8 } }), 'instant', { topic: 'fills', summarizable: true }, msk(2))).toEqual({ action: 'drop' });
  });

  it('a silent topic is sent with silent = true; other topics and service messages with sound', () => {
    const p = prefs({ silent: ['fills'] });
    expect(decide(p, 'instant', { topic: 'fills', summarizable: true }, noon)).toEqual({ action: 'send', silent: true });
    expect(decide(p, 'instant', { topic: 'outcomes', summarizable: true }, noon)).toEqual({ action: 'send', silent: false });
    expect(decide(p, 'instant', { summarizable: false }, noon)).toEqual({ action: 'send', silent: false });
  });

  it('quiet hours hold topic messages that can be summed up; service messages still go out', () => {
    const p = prefs({ quiet: { from: 23, to: 8 }, silent: ['outcomes'] });
    expect(decide(p, 'instant', { topic: 'fills', summarizable: true }, msk(23))).toEqual({ action: 'hold', silent: false });
    expect(decide(p, 'instant', { topic: 'outcomes', summarizable: true }, msk(7, 59))).toEqual({ action: 'hold', silent: true });
    expect(decide(p, 'instant', { topic: 'fills', summarizable: true }, msk(8))).toEqual({ action: 'send', silent: false });
    expect(decide(p, 'instant', { summarizable: true }, msk(1))).toEqual({ action: 'send', silent: false });
    expect(decide(p, 'instant', { topic: 'fills', summarizable: false }, msk(1))).toEqual({ action: 'send', silent: false });
  });

  it('hourly and daily users keep their batching (any message with a summary line)', () => {
    expect(decide(DEFAULT_PREFS, 'hourly', { summarizable: true }, noon)).toEqual({ action: 'hold', silent: false });
    expect(decide(DEFAULT_PREFS, 'daily', { topic: 'fills', summarizable: true }, noon)).toEqual({ action: 'hold', silent: false });
    expect(decide(DEFAULT_PREFS, 'daily', { topic: 'fills', summarizable: false }, noon)).toEqual({ action: 'send', silent: false });
  });

  it('property: with no switches an instant user gets every message at once, with sound', () => {
    fc.assert(fc.property(fc.option(fc.constantFrom(...NOTIFICATION_TOPICS), { nil: undefined }), fc.boolean(), fc.integer({ min: 0, max: 23 }), (topic, summarizable, h) => {
      expect(decide(DEFAULT_PREFS, 'instant', { topic, summarizable }, msk(h))).toEqual({ action: 'send', silent: false });
    }));
  });
});

describe('when a held summary is due (the hourly tick)', () => {
  const night = { from: 23, to: 8 };
  it('quiet hours end with the summary at their end hour, not before', () => {
    expect(summaryDue('instant', night, msk(7))).toBe(false);
    expect(summaryDue('instant', night, msk(8))).toBe(true);
    expect(summaryDue('hourly', night, msk(0))).toBe(false);
    expect(summaryDue('hourly', night, msk(10))).toBe(true);
  });

  it('daily users at 09:00, or when quiet hours that cover 09:00 end', () => {
    expect(summaryDue('daily', null, msk(9))).toBe(true);
    expect(summaryDue('daily', null, msk(10))).toBe(false);
    expect(summaryDue('daily', night, msk(8))).toBe(false);
    expect(summaryDue('daily', night, msk(9))).toBe(true);
    const late = { from: 22, to: 10 };
    expect(summaryDue('daily', late, msk(9))).toBe(false);
    expect(summaryDue('daily', late, msk(10))).toBe(true);
    expect(summaryDue('daily', late, msk(11))).toBe(false);
  });
});

describe('typed quiet hours', () => {
  it('reads the usual ways of writing two hours', () => {
    for (const text of ['23-8', '23-08', ' 23 – 08 ', '23:00-08:00', '23 8', '23→8']) expect(parseQuietHours(text)).toEqual({ from: 23, to: 8 });
    expect(parseQuietHours('0-23')).toEqual({ from: 0, to: 23 });
  });

  it('refuses hours out of 0..23, equal hours and junk', () => {
    for (const text of ['24-8', '23-24', '8-8', '', 'night', '23', '23-8-9', '-1-5', '7.5-9']) expect(parseQuietHours(text)).toBeNull();
  });
});
