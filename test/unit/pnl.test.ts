/** issue 11: realized P&L of one market from a user's own fills and payout (domain/read/pnl.ts). */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { marketPnl, moscowMonthStart } from '../../domain/read/pnl';

describe('marketPnl', () => {
  it('buys and fees are paid, sells and the payout are got', () => {
    // BUY_YES 100 at 60 (+6 kop fee), SELL_YES 20 at 70 as a maker (−1 kop rebate), 80 YES paid 100 each.
    const r = marketPnl([
      { intent: 'BUY_YES', price: 60, qty: 100, feeKop: 6 },
      { intent: 'SELL_YES', price: 70, qty: 20, feeKop: -1 },
    ], 8000);
    expect(r).toEqual({ paidKop: 6005, gotKop: 9400, pnlKop: 3395 });
  });

  it('NO intents pay and get 100 − the YES price', () => {
    expect(marketPnl([{ intent: 'BUY_NO', price: 60, qty: 10, feeKop: 0 }], 0)).toEqual({ paidKop: 400, gotKop: 0, pnlKop: -400 });
    expect(marketPnl([{ intent: 'SELL_NO', price: 60, qty: 10, feeKop: 0 }], 0)).toEqual({ paidKop: 0, gotKop: 400, pnlKop: 400 });
  });

  it('property: without fees, buying and selling the same shares at the same price nets zero', () => {
    fc.assert(fc.property(fc.constantFrom('YES', 'NO'), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 10_000 }), (side, price, qty) => {
      const r = marketPnl([{ intent: `BUY_${side}` as const, price, qty, feeKop: 0 }, { intent: `SELL_${side}` as const, price, qty, feeKop: 0 }], 0);
      expect(r.pnlKop).toBe(0);
    }));
  });
});

test('the month starts at 00:00 Moscow time (21:00 UTC the day before)', () => {
  const at = DateTime.fromISO('2026-03-01T01:30', { zone: 'Europe/Moscow' }).toJSDate();
  expect(moscowMonthStart(at).toISOString()).toBe('2026-02-28T21:00:00.000Z');
  expect(moscowMonthStart(new Date('2026-02-28T20:59:00Z')).toISOString()).toBe('2026-01-31T21:00:00.000Z');
});
