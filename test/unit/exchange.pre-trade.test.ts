import fc from 'fast-check';
import {
  bestOwnPrice, guardPrice, maxNotionalForSpend, minBuyAmount, MIN_NOTIONAL_KOP, orderSize, preTradeCheck,
  type MarketFacts, type TraderFacts,
} from '../../domain/exchange';
import { kop } from '../../domain/money';

const NOW = Date.UTC(2026, 2, 10, 9, 0);
const OPEN: MarketFacts = { status: 'open', tradingPaused: false, deadlineMs: NOW + 86_400_000 };
const RICH: TraderFacts = { availableKop: 1_000_000, freeShares: 1_000, volume30dKop: 0 };

describe('preTradeCheck', () => {
  it('refuses a closed, past-deadline or paused market before anything else', () => {
    const req = { userId: 1, intent: 'BUY_YES' as const, kind: 'limit' as const, price: 50, qty: 0 };
    expect(preTradeCheck({ ...OPEN, status: 'closed' }, RICH, req, NOW)).toEqual({ ok: false, code: 'market_closed' });
    expect(preTradeCheck({ ...OPEN, deadlineMs: NOW }, RICH, req, NOW)).toEqual({ ok: false, code: 'market_closed' });
    expect(preTradeCheck({ ...OPEN, tradingPaused: true }, RICH, req, NOW)).toEqual({ ok: false, code: 'market_paused' });
    expect(preTradeCheck(OPEN, RICH, { ...req, price: 100, qty: 20 }, NOW))
      .toEqual({ ok: false, code: 'price_out_of_range', vars: { minPrice: 1, maxPrice: 99 } });
    expect(preTradeCheck(OPEN, RICH, req, NOW)).toMatchObject({ ok: false, code: 'qty_not_whole' });
  });

  it('builds the order in book terms with the tier fee and defaults IOC / GTC', () => {
    const r = preTradeCheck(OPEN, { ...RICH, volume30dKop: 1_000_000 }, { userId: 7, intent: 'BUY_NO', kind: 'limit', price: 30, qty: 40 }, NOW);
    expect(r).toEqual({
      ok: true, takerFeeBps: 5, reserve: { kop: 1_201, shares: 0, outcome: 'NO' },
      order: { id: 0, seq: 0, userId: 7, intent: 'BUY_NO', limitPrice: 70, qty: 40, spendKop: undefined, tif: 'GTC', postOnly: false, expiresAt: null, takerFeeBps: 5 },
    });
    const m = preTradeCheck(OPEN, RICH, { userId: 7, intent: 'BUY_YES', kind: 'market', price: 60, spendKop: kop(1_000), expiresAt: NOW + 1 }, NOW);
    expect(m).toMatchObject({ ok: true, order: { tif: 'IOC', spendKop: 1_000, qty: undefined, expiresAt: null } });
  });

  it('checks funds against the reserve at the kopeck: buys against kop, sells against free shares', () => {
    // 20 × 50 = 1 000 kop + ceil(1 000 × 10 / 10 000) = 1 kop fee.
    const buy = { userId: 1, intent: 'BUY_YES' as const, kind: 'limit' as const, price: 50, qty: 20 };
    expect(preTradeCheck(OPEN, { ...RICH, availableKop: 1_001 }, buy, NOW).ok).toBe(true);
    expect(preTradeCheck(OPEN, { ...RICH, availableKop: 1_000 }, buy, NOW))
      .toEqual({ ok: false, code: 'insufficient_funds', vars: { need: 1_001, have: 1_000 } });
    const sell = { userId: 1, intent: 'SELL_NO' as const, kind: 'limit' as const, price: 50, qty: 20 };
    expect(preTradeCheck(OPEN, { ...RICH, freeShares: 20, availableKop: 0 }, sell, NOW).ok).toBe(true);
    expect(preTradeCheck(OPEN, { ...RICH, freeShares: 19 }, sell, NOW))
      .toEqual({ ok: false, code: 'insufficient_shares', vars: { need: 20, have: 19 } });
  });
});

describe('bet size (issue 15)', () => {
  it('issue 15: at a limit of 50 the minimum amount is 10.01 ₽: it makes a valid order, one kopeck less does not', () => {
    expect(minBuyAmount('limit', 50, 10)).toBe(1_001);
    const at = (amountKop: number) => orderSize({ intent: 'BUY_YES', kind: 'limit', price: 50, amountKop }, 10);
    expect(at(1_001)).toEqual({ qty: 20 });
    expect(at(1_000)).toEqual({ qty: 19 });
    const check = (amountKop: number) => preTradeCheck(OPEN, RICH, { userId: 1, intent: 'BUY_YES', kind: 'limit', price: 50, ...at(amountKop) }, NOW);
    expect(check(1_001)).toMatchObject({ ok: true, reserve: { kop: 1_001 } });
    expect(check(1_000)).toMatchObject({ ok: false, code: 'notional_too_small' });
  });

  it('issue 15: a market buy\'s minimum is the order minimum itself', () => {
    expect(minBuyAmount('market', 60, 10)).toBe(MIN_NOTIONAL_KOP);
    const check = (spendKop: number) => preTradeCheck(OPEN, RICH, { userId: 1, intent: 'BUY_YES', kind: 'market', price: 60, spendKop: kop(spendKop) }, NOW);
    expect(check(MIN_NOTIONAL_KOP).ok).toBe(true);
    expect(check(MIN_NOTIONAL_KOP - 1)).toMatchObject({ ok: false, code: 'notional_too_small' });
  });

  it('issue 15: at every price and tier, minBuyAmount is exactly the boundary of a valid limit buy', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 99 }), fc.constantFrom(10, 5, 2), (price, bps) => {
      const min = minBuyAmount('limit', price, bps);
      const notional = (amountKop: number) => (orderSize({ intent: 'BUY_NO', kind: 'limit', price, amountKop }, bps).qty ?? 0) * price;
      expect(notional(min)).toBeGreaterThanOrEqual(MIN_NOTIONAL_KOP);
      expect(notional(min - 1)).toBeLessThan(MIN_NOTIONAL_KOP);
      // What the order then reserves never exceeds the amount typed.
      expect(notional(min) + Math.ceil((notional(min) * bps) / 10_000)).toBeLessThanOrEqual(min);
      expect(maxNotionalForSpend(kop(min), bps)).toBeGreaterThanOrEqual(notional(min));
    }));
  });

  it('best own price and the slippage guard', () => {
    const book = { bestBid: 40, bestAsk: 55 };
    expect([bestOwnPrice(book, 'BUY_YES'), bestOwnPrice(book, 'BUY_NO'), bestOwnPrice(book, 'SELL_YES'), bestOwnPrice(book, 'SELL_NO')])
      .toEqual([55, 60, 40, 45]);
    expect(bestOwnPrice({ bestBid: null, bestAsk: null }, 'BUY_NO')).toBeNull();
    expect([guardPrice(55, 'BUY_YES'), guardPrice(97, 'BUY_NO'), guardPrice(40, 'SELL_YES'), guardPrice(3, 'SELL_NO')]).toEqual([60, 99, 35, 1]);
  });
});
