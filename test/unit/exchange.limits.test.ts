/** Order validation (DESIGN §2; seed plan limits 10 ₽ … 1 000 000 ₽). */
import { MAX_NOTIONAL_KOP, MIN_NOTIONAL_KOP, validateOrder, type OrderDraft } from '../../domain/exchange';
import type { Kop } from '../../domain/money';

const NOW = 1_000_000;
const draft = (extra: Partial<OrderDraft> = {}): OrderDraft => ({
  intent: 'BUY_YES', limitPrice: 50, qty: 20, tif: 'GTC', postOnly: false, expiresAt: null, ...extra,
});

describe('validateOrder', () => {
  it('accepts a plain limit order', () => {
    expect(validateOrder(draft(), NOW)).toEqual({ ok: true });
  });

  it.each([
    [{ limitPrice: 0 }, 'price_out_of_range'],
    [{ limitPrice: 100 }, 'price_out_of_range'],
    [{ limitPrice: 50.5 }, 'price_out_of_range'],
    [{ qty: 0 }, 'qty_not_whole'],
    [{ qty: 2.5 }, 'qty_not_whole'],
    [{ qty: undefined }, 'qty_or_spend_required'],
    [{ spendKop: 5_000 as Kop }, 'qty_or_spend_required'],
    [{ qty: undefined, spendKop: 10.5 as Kop, tif: 'IOC' }, 'spend_not_whole'],
    [{ qty: undefined, spendKop: 5_000 as Kop, tif: 'IOC', intent: 'SELL_YES' }, 'spend_requires_buy'],
    [{ qty: undefined, spendKop: 5_000 as Kop, tif: 'GTC' }, 'spend_requires_ioc'],
    [{ postOnly: true, tif: 'IOC' }, 'post_only_requires_resting'],
    [{ tif: 'GTD' }, 'expiry_required'],
    [{ tif: 'GTD', expiresAt: NOW }, 'expiry_in_past'],
    [{ expiresAt: NOW + 1 }, 'expiry_only_for_gtd'],
  ] as const)('%j → %s', (extra, code) => {
    const r = validateOrder(draft(extra as Partial<OrderDraft>), NOW);
    expect(r).toMatchObject({ ok: false, code });
  });

  it('notional limits are checked at the order’s own price, vars in kop', () => {
    // BUY_NO at book price 80 = NO at 20: 49 × 20 = 980 kop < 1 000
    expect(validateOrder(draft({ intent: 'BUY_NO', limitPrice: 80, qty: 49 }), NOW)).toEqual({
      ok: false, code: 'notional_too_small', vars: { notionalKop: 980, minKop: 1_000 },
    });
    expect(validateOrder(draft({ intent: 'BUY_NO', limitPrice: 80, qty: 50 }), NOW)).toEqual({ ok: true });
    expect(validateOrder(draft({ limitPrice: 99, qty: 1_010_102 }), NOW)).toEqual({
      ok: false, code: 'notional_too_large', vars: { notionalKop: 100_000_098, maxKop: MAX_NOTIONAL_KOP },
    });
    expect(validateOrder(draft({ limitPrice: 50, qty: 2_000_000 }), NOW)).toEqual({ ok: true }); // exactly 1 000 000 ₽
    expect(validateOrder(draft({ qty: Number.MAX_SAFE_INTEGER }), NOW)).toMatchObject({ ok: false, code: 'notional_too_large' });
  });

  it('spend X: X itself is the notional', () => {
    const spend = (x: number) => draft({ qty: undefined, spendKop: x as Kop, tif: 'IOC' });
    expect(validateOrder(spend(MIN_NOTIONAL_KOP), NOW)).toEqual({ ok: true });
    expect(validateOrder(spend(999), NOW)).toMatchObject({ code: 'notional_too_small' });
    expect(validateOrder(spend(MAX_NOTIONAL_KOP + 1), NOW)).toMatchObject({ code: 'notional_too_large' });
  });

  it('GTD with a future expiry and post-only GTC are fine', () => {
    expect(validateOrder(draft({ tif: 'GTD', expiresAt: NOW + 1 }), NOW)).toEqual({ ok: true });
    expect(validateOrder(draft({ postOnly: true }), NOW)).toEqual({ ok: true });
  });
});
