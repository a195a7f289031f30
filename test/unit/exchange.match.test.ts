/** Matching rules by example (DESIGN §2): fill kinds, priority, order types, STP, expiry, fees. */
import fc from 'fast-check';
import { OrderBook as BaselineBook, Side } from 'nodejs-order-book';
import {
  expire,
  match,
  MatchError,
  OrderBook,
  type IncomingOrder,
  type Intent,
  type RestingOrder,
} from '../../domain/exchange';
import type { Kop } from '../../domain/money';

let nextId = 1;
/** An incoming order; `limitPrice` is the YES-book price. Defaults: GTC limit of 10 shares, user 1, 10 bps. */
function inc(intent: Intent, limitPrice: number, extra: Partial<IncomingOrder> = {}): IncomingOrder {
  const id = nextId++;
  return { id, userId: 1, intent, limitPrice, qty: 10, tif: 'GTC', postOnly: false, expiresAt: null, takerFeeBps: 10, seq: id, ...extra };
}
/** A resting maker of user 9 unless told otherwise. */
function maker(book: OrderBook, intent: Intent, price: number, remaining: number, extra: Partial<RestingOrder> = {}): RestingOrder {
  const id = nextId++;
  const o: RestingOrder = { id, userId: 9, intent, price, remaining, seq: id, expiresAt: null, ...extra };
  book.add(o);
  return o;
}
const NOW = 1_000_000;

describe('fill kinds (DESIGN §2 table), bid × ask, either side taking', () => {
  it.each([
    ['BUY_YES', 'SELL_YES', 'transfer_yes'],
    ['BUY_YES', 'BUY_NO', 'mint'],
    ['SELL_NO', 'SELL_YES', 'merge'],
    ['SELL_NO', 'BUY_NO', 'transfer_no'],
  ] as const)('%s × %s → %s, at the maker price', (bidIntent, askIntent, kind) => {
    // Bid taker against an ask maker at 55 (limit 60: price improvement of 5).
    const b1 = new OrderBook();
    const ask = maker(b1, askIntent, 55, 10);
    const r1 = match(b1, inc(bidIntent, 60), NOW);
    expect(r1.fills).toEqual([expect.objectContaining({ kind, price: 55, qty: 10, makerOrderId: ask.id, makerIntent: askIntent, takerIntent: bidIntent })]);
    // Ask taker against a bid maker at 55 (limit 50).
    const b2 = new OrderBook();
    const bid = maker(b2, bidIntent, 55, 10);
    const r2 = match(b2, inc(askIntent, 50), NOW);
    expect(r2.fills).toEqual([expect.objectContaining({ kind, price: 55, qty: 10, makerOrderId: bid.id, makerIntent: bidIntent, takerIntent: askIntent })]);
    expect(b1.size + b2.size).toBe(0);
  });

  it('a NO seller at 48 (bid 52) merges against a YES seller at 50 and gets 50 per share', () => {
    const b = new OrderBook();
    maker(b, 'SELL_YES', 50, 10);
    const r = match(b, inc('SELL_NO', 100 - 48), NOW);
    expect(r.fills[0]).toMatchObject({ kind: 'merge', price: 50, qty: 10 });
    // taker notional in its own terms: (100 − 50) × 10 = 500 kop → fee ceil(0.5) = 1
    expect(r.fills[0]!.takerFee).toBe(1);
  });
});

describe('price-time priority and limits', () => {
  it('fills the best price first, then earlier orders at the same price; never beyond the limit', () => {
    const b = new OrderBook();
    const first50 = maker(b, 'SELL_YES', 50, 5);
    const second50 = maker(b, 'SELL_YES', 50, 5);
    const best = maker(b, 'BUY_NO', 49, 5); // ask 49
    maker(b, 'SELL_YES', 51, 5);
    const r = match(b, inc('BUY_YES', 50, { qty: 12 }), NOW);
    expect(r.fills.map((f) => [f.makerOrderId, f.price, f.qty])).toEqual([
      [best.id, 49, 5],
      [first50.id, 50, 5],
      [second50.id, 50, 2],
    ]);
    expect(r.filledQty).toBe(12);
    expect(r.rested).toBe(0);
    expect(b.levels('ask', 5)).toEqual([
      { price: 50, qty: 3, orders: 1 },
      { price: 51, qty: 5, orders: 1 },
    ]);
  });

  it('does not cross when bid < ask; the order rests (GTC) at its limit with its seq', () => {
    const b = new OrderBook();
    maker(b, 'SELL_YES', 51, 5);
    const o = inc('BUY_YES', 50, { qty: 7 });
    const r = match(b, o, NOW);
    expect(r).toEqual({ fills: [], selfTradeCancelled: [], expired: [], rested: 7, filledQty: 0 });
    expect(b.get(o.id)).toEqual({ id: o.id, userId: 1, intent: 'BUY_YES', price: 50, remaining: 7, seq: o.seq, expiresAt: null });
  });

  it('a partially filled GTC rests the remainder; the book is not crossed afterwards', () => {
    const b = new OrderBook();
    maker(b, 'SELL_YES', 50, 4);
    const r = match(b, inc('BUY_YES', 52, { qty: 10 }), NOW);
    expect(r.filledQty).toBe(4);
    expect(r.rested).toBe(6);
    expect(b.bestBid()).toBe(52);
    expect(b.bestAsk()).toBeNull();
  });
});

describe('time in force', () => {
  it('GTD rests with its expiry; expired makers are skipped and removed lazily (expiry inclusive)', () => {
    const b = new OrderBook();
    const gtd = inc('SELL_YES', 50, { tif: 'GTD', expiresAt: NOW + 1000, userId: 2 });
    match(b, gtd, NOW);
    expect(b.get(gtd.id)!.expiresAt).toBe(NOW + 1000);
    const live = maker(b, 'SELL_YES', 51, 10);
    const r = match(b, inc('BUY_YES', 51, { qty: 5 }), NOW + 1000);
    expect(r.expired.map((o) => o.id)).toEqual([gtd.id]);
    expect(r.fills.map((f) => f.makerOrderId)).toEqual([live.id]);
    expect(b.get(gtd.id)).toBeUndefined();
  });

  it('expire() sweeps all due GTD orders', () => {
    const b = new OrderBook();
    const a = maker(b, 'BUY_YES', 40, 1, { expiresAt: NOW });
    maker(b, 'BUY_YES', 41, 1, { expiresAt: NOW + 1 });
    maker(b, 'BUY_YES', 42, 1);
    expect(expire(b, NOW).map((o) => o.id)).toEqual([a.id]);
    expect(b.size).toBe(2);
  });

  it('IOC fills what it can and drops the rest', () => {
    const b = new OrderBook();
    maker(b, 'SELL_YES', 50, 4);
    const r = match(b, inc('BUY_YES', 50, { tif: 'IOC' }), NOW);
    expect(r.filledQty).toBe(4);
    expect(r.rested).toBe(0);
    expect(b.size).toBe(0);
  });

  it('IOC that fills nothing is rejected no_liquidity and changes nothing (not even expired or own makers)', () => {
    const b = new OrderBook();
    maker(b, 'SELL_YES', 49, 4, { expiresAt: NOW - 1 });
    maker(b, 'SELL_YES', 50, 4, { userId: 1 });
    const h = b.hash();
    const r = match(b, inc('BUY_YES', 50, { tif: 'IOC' }), NOW);
    expect(r).toEqual({ fills: [], selfTradeCancelled: [], expired: [], rested: 0, filledQty: 0, rejected: 'no_liquidity' });
    expect(b.hash()).toBe(h);
  });

  it('FOK fills completely or not at all; only live, foreign liquidity counts', () => {
    const b = new OrderBook();
    maker(b, 'SELL_YES', 48, 5, { expiresAt: NOW }); // expired: does not count
    maker(b, 'SELL_YES', 49, 5, { userId: 1 }); // own: does not count
    maker(b, 'SELL_YES', 50, 6);
    const h = b.hash();
    const no = match(b, inc('BUY_YES', 50, { tif: 'FOK', qty: 7 }), NOW);
    expect(no.rejected).toBe('fok_not_fillable');
    expect(no.fills).toEqual([]);
    expect(b.hash()).toBe(h);
    const yes = match(b, inc('BUY_YES', 50, { tif: 'FOK', qty: 6 }), NOW);
    expect(yes.rejected).toBeUndefined();
    expect(yes.filledQty).toBe(6);
    expect(yes.expired).toHaveLength(1);
    expect(yes.selfTradeCancelled).toHaveLength(1);
    expect(b.size).toBe(0);
  });
});

describe('post-only', () => {
  it('is rejected, book unchanged, if it would cross a live order (own orders included)', () => {
    for (const userId of [9, 1]) {
      const b = new OrderBook();
      maker(b, 'SELL_YES', 50, 5, { userId });
      const h = b.hash();
      const r = match(b, inc('BUY_YES', 50, { postOnly: true }), NOW);
      expect(r.rejected).toBe('post_only_would_cross');
      expect(b.hash()).toBe(h);
    }
  });

  it('rests when it does not cross; expired orders it would have crossed are removed', () => {
    const b = new OrderBook();
    const old = maker(b, 'BUY_NO', 50, 5, { expiresAt: NOW }); // ask 50
    maker(b, 'SELL_YES', 51, 5);
    const o = inc('BUY_YES', 50, { postOnly: true });
    const r = match(b, o, NOW);
    expect(r.rejected).toBeUndefined();
    expect(r.expired.map((x) => x.id)).toEqual([old.id]);
    expect(r.rested).toBe(10);
    expect(b.bestBid()).toBe(50);
    expect(b.bestAsk()).toBe(51);
  });
});

describe('self-trade prevention', () => {
  it('cancels the same user’s resting orders in the way and keeps matching', () => {
    const b = new OrderBook();
    const own = maker(b, 'SELL_YES', 50, 5, { userId: 1 });
    const other = maker(b, 'SELL_YES', 51, 5, { userId: 2 });
    const r = match(b, inc('BUY_YES', 51, { qty: 5 }), NOW);
    expect(r.selfTradeCancelled).toEqual([own]);
    expect(r.fills.map((f) => [f.makerOrderId, f.makerUserId])).toEqual([[other.id, 2]]);
    expect(b.size).toBe(0);
  });

  it('also across intents: a user’s BUY_NO (ask) is not minted against their own BUY_YES', () => {
    const b = new OrderBook();
    const own = maker(b, 'BUY_YES', 55, 5, { userId: 1 });
    const r = match(b, inc('BUY_NO', 50), NOW);
    expect(r.selfTradeCancelled.map((o) => o.id)).toEqual([own.id]);
    expect(r.fills).toEqual([]);
    expect(r.rested).toBe(10);
  });
});

describe('spend X ₽ market buys', () => {
  const spend = (intent: Intent, limitPrice: number, spendKop: number, extra: Partial<IncomingOrder> = {}) =>
    inc(intent, limitPrice, { qty: undefined, spendKop: spendKop as Kop, tif: 'IOC', ...extra });

  it('buys as many whole shares as X pays for, fees included, walking up to the worst price', () => {
    const b = new OrderBook();
    maker(b, 'SELL_YES', 40, 10);
    maker(b, 'SELL_YES', 45, 100);
    maker(b, 'SELL_YES', 46, 100);
    // X = 1 000 kop at 10 bps → notional ≤ floor(10⁷ / 10 010) = 999: 10 × 40 = 400, then 13 × 45 = 585.
    const r = match(b, spend('BUY_YES', 50, 1_000), NOW);
    expect(r.fills.map((f) => [f.price, f.qty, f.takerFee])).toEqual([
      [40, 10, 1],
      [45, 13, 0],
    ]);
    expect(r.filledQty).toBe(23);
    expect(r.rested).toBe(0);
    // 985 + fee ceil(0.985) = 986 ≤ 1 000; one more share at 45 would cost 1 031.
    expect(b.levels('ask', 1)).toEqual([{ price: 45, qty: 87, orders: 1 }]);
  });

  it('never pays above the worst price', () => {
    const b = new OrderBook();
    maker(b, 'SELL_YES', 40, 1);
    maker(b, 'SELL_YES', 60, 100);
    const r = match(b, spend('BUY_YES', 50, 10_000), NOW);
    expect(r.filledQty).toBe(1);
    expect(b.bestAsk()).toBe(60);
  });

  it('BUY_NO spends at NO prices (100 − bid) against bids', () => {
    const b = new OrderBook();
    maker(b, 'BUY_YES', 60, 100); // NO at 40
    // 2 000 kop at 10 bps → notional ≤ 1 998 → 49 shares × 40 = 1 960, fee 2
    const r = match(b, spend('BUY_NO', 55, 2_000), NOW);
    expect(r.fills).toEqual([expect.objectContaining({ kind: 'mint', price: 60, qty: 49, takerFee: 2 })]);
  });

  it('is rejected no_liquidity when not even one share is affordable', () => {
    const b = new OrderBook();
    maker(b, 'SELL_YES', 60, 100);
    expect(match(b, spend('BUY_YES', 60, 60), NOW).rejected).toBe('no_liquidity'); // 60 + fee 1 > 60
    expect(match(b, spend('BUY_YES', 60, 61), NOW).filledQty).toBe(1);
  });
});

describe('fees and rebates on fills', () => {
  it('taker fees are cumulative over the order’s fills: ceil of the total, not a sum of ceilings', () => {
    const b = new OrderBook();
    for (let i = 0; i < 3; i++) maker(b, 'SELL_YES', 50, 10);
    const r = match(b, inc('BUY_YES', 50, { qty: 30 }), NOW);
    // 500 kop per fill at 10 bps: ceil(0.5) − 0, ceil(1.0) − 1, ceil(1.5) − 1
    expect(r.fills.map((f) => f.takerFee)).toEqual([1, 0, 1]);
  });

  it('taker fee on the taker’s own notional, maker rebate (1 bp, rounded down) on the maker’s', () => {
    const b = new OrderBook();
    maker(b, 'BUY_NO', 30, 1_000); // ask 30: the NO maker pays 70 × 1 000 = 70 000 kop
    const r = match(b, inc('BUY_YES', 30, { qty: 1_000, takerFeeBps: 5 }), NOW);
    expect(r.fills[0]).toMatchObject({ kind: 'mint', takerFee: 15, makerRebate: 7 }); // 30 000 × 5 bps; 70 000 × 1 bp
  });
});

describe('determinism and contract', () => {
  it('same book + same order → same result and same book', () => {
    const b = new OrderBook();
    for (let p = 45; p <= 55; p++) maker(b, p % 2 ? 'SELL_YES' : 'BUY_NO', p, p);
    const c = b.clone();
    const o = inc('BUY_YES', 52, { qty: 100 });
    expect(match(b, o, NOW)).toEqual(match(c, o, NOW));
    expect(b.hash()).toBe(c.hash());
  });

  it('throws MatchError on an order with both or neither of qty / spendKop', () => {
    const b = new OrderBook();
    expect(() => match(b, inc('BUY_YES', 50, { spendKop: 1000 as Kop }), NOW)).toThrow(MatchError);
    expect(() => match(b, inc('BUY_YES', 50, { qty: undefined }), NOW)).toThrow(MatchError);
  });
});

describe('against nodejs-order-book (a plain YES book with distinct users)', () => {
  it('leaves the same depth after the same stream of GTC limit orders', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ buy: fc.boolean(), price: fc.integer({ min: 45, max: 55 }), size: fc.integer({ min: 1, max: 50 }) }), { maxLength: 80 }),
        (stream) => {
          const ours = new OrderBook();
          const theirs = new BaselineBook();
          stream.forEach((o, i) => {
            match(ours, inc(o.buy ? 'BUY_YES' : 'SELL_YES', o.price, { qty: o.size, userId: i + 1 }), NOW);
            theirs.limit({ id: String(i), side: o.buy ? Side.BUY : Side.SELL, size: o.size, price: o.price });
          });
          const [asks, bids] = theirs.depth();
          expect(ours.levels('ask', 99).map((l) => [l.price, l.qty])).toEqual(asks);
          expect(ours.levels('bid', 99).map((l) => [l.price, l.qty])).toEqual(bids);
        },
      ),
      { numRuns: 300 },
    );
  });
});
