/** The bet preview equals what match then does on the same book (DESIGN §2, STYLE §1). */
import fc from 'fast-check';
import {
  deriveB, makeLadder, match, matchWithMaker, OrderBook, ownPrice, previewOrder, requote, type Intent, type MakerSim, type PreviewInput,
  type RestingOrder,
} from '../../domain/exchange';
import type { Kop } from '../../domain/money';

const NOW = 5_000;
const INTENTS: Intent[] = ['BUY_YES', 'SELL_YES', 'BUY_NO', 'SELL_NO'];

describe('previewOrder', () => {
  it('shows shares, average price as a fraction, fee, total, max payout and the worst price of a spend-X bet', () => {
    const b = new OrderBook();
    b.add({ id: 1, userId: 2, intent: 'SELL_YES', price: 40, remaining: 10, seq: 1, expiresAt: null });
    b.add({ id: 2, userId: 2, intent: 'BUY_NO', price: 45, remaining: 100, seq: 2, expiresAt: null });
    const p = previewOrder(b, { userId: 1, intent: 'BUY_YES', limitPrice: 50, spendKop: 1_000 as Kop, tif: 'IOC', postOnly: false }, 10, NOW);
    expect(p).toEqual({
      filledQty: 23,
      notionalKop: 985,
      avgPrice: { kop: 985, shares: 23 },
      feeKop: 1,
      totalKop: 986,
      maxPayoutKop: 2_300,
      restQty: 0,
      restReserveKop: 0,
      worstPrice: 45,
      selfTradeCancels: 0,
    });
    expect(b.size).toBe(2);
  });

  it('shows what would rest and stay reserved; a sale shows proceeds net of the fee', () => {
    const b = new OrderBook();
    b.add({ id: 1, userId: 2, intent: 'BUY_YES', price: 60, remaining: 5, seq: 1, expiresAt: null });
    const buy = previewOrder(b, { userId: 1, intent: 'BUY_NO', limitPrice: 60, qty: 8, tif: 'GTC', postOnly: false }, 10, NOW);
    expect(buy).toMatchObject({ filledQty: 5, notionalKop: 200, feeKop: 1, totalKop: 201, restQty: 3, restReserveKop: 120, worstPrice: 60 });
    const sell = previewOrder(b, { userId: 1, intent: 'SELL_YES', limitPrice: 55, qty: 5, tif: 'IOC', postOnly: false }, 10, NOW);
    expect(sell).toMatchObject({ filledQty: 5, notionalKop: 300, feeKop: 1, totalKop: 299, maxPayoutKop: 0 });
  });

  it('reports a rejection the same way match would', () => {
    const b = new OrderBook();
    const p = previewOrder(b, { userId: 1, intent: 'BUY_YES', limitPrice: 50, qty: 5, tif: 'FOK', postOnly: false }, 10, NOW);
    expect(p).toMatchObject({ rejected: 'fok_not_fillable', filledQty: 0, avgPrice: null, worstPrice: null });
  });

  it.each([false, true])('equals what match then does on the same book (random books and orders; issue 8: with a maker %s)', (withMaker) => {
    const restingArb = fc.record({
      userId: fc.integer({ min: 1, max: 3 }),
      intent: fc.constantFrom(...INTENTS),
      price: fc.integer({ min: 40, max: 60 }),
      remaining: fc.integer({ min: 1, max: 200 }),
      expiresAt: fc.option(fc.integer({ min: NOW - 100, max: NOW + 100 }), { nil: null }),
    });
    const orderArb = fc.record({
      userId: fc.integer({ min: 1, max: 3 }),
      intent: fc.constantFrom(...INTENTS),
      limitPrice: fc.integer({ min: 35, max: 65 }),
      size: fc.oneof(
        fc.integer({ min: 1, max: 500 }).map((qty) => ({ qty })),
        fc.integer({ min: 1, max: 30_000 }).map((spendKop) => ({ spendKop: spendKop as Kop })),
      ),
      tif: fc.constantFrom('GTC' as const, 'GTD' as const, 'IOC' as const, 'FOK' as const),
      postOnly: fc.boolean(),
      bps: fc.constantFrom(10, 5, 2),
    });
    fc.assert(
      fc.property(fc.array(restingArb, { maxLength: 40 }), orderArb, (resting, o) => {
        // Build a book that match could have produced: rest each order only where it does not cross.
        const book = new OrderBook();
        resting.forEach((r, i) => {
          const bid = r.intent === 'BUY_YES' || r.intent === 'SELL_NO';
          const ask = book.bestAsk();
          const topBid = book.bestBid();
          if (bid ? ask === null || r.price < ask : topBid === null || r.price > topBid) {
            book.add({ ...r, id: i + 1, seq: i + 1 } as RestingOrder);
          }
        });
        const spend = 'spendKop' in o.size;
        const input: PreviewInput = {
          userId: o.userId, intent: spend ? (o.intent.endsWith('YES') ? 'BUY_YES' : 'BUY_NO') : o.intent,
          limitPrice: o.limitPrice, tif: spend ? 'IOC' : o.tif, postOnly: spend ? false : o.postOnly, ...o.size,
        };
        // Issue 8: a house maker (user 9) quoting around 50 with 300 ₽, requoted into this book first.
        let nextId = 2_000;
        const maker: MakerSim | null = withMaker
          ? { params: { userId: 9, ladder: makeLadder(deriveB(30_000, 30_000, 50), 50), anchorNet: 0, window: 4 }, inv: { yes: 0, no: 0, cashKop: 30_000 }, nextId: () => nextId++ }
          : null;
        if (maker) requote(book, maker, NOW, []);
        const hash = book.hash();
        const inv = maker && { ...maker.inv };
        const p = previewOrder(book, input, o.bps, NOW, maker);
        expect(book.hash()).toBe(hash);
        expect(maker && maker.inv).toEqual(inv);

        const taker = { ...input, id: 1_000, seq: 1_000, expiresAt: input.tif === 'GTD' ? NOW + 1 : null, takerFeeBps: o.bps };
        const r = maker ? matchWithMaker(book, taker, NOW, maker).result : match(book, taker, NOW);
        const notional = r.fills.reduce((s, f) => s + ownPrice(input.intent, f.price) * f.qty, 0);
        const fee = r.fills.reduce((s, f) => s + f.takerFee, 0);
        expect({
          filledQty: p.filledQty, notionalKop: p.notionalKop, feeKop: p.feeKop, restQty: p.restQty,
          worstPrice: p.worstPrice, selfTradeCancels: p.selfTradeCancels, rejected: p.rejected,
        }).toEqual({
          filledQty: r.filledQty, notionalKop: notional, feeKop: fee, restQty: r.rested,
          worstPrice: r.fills.length ? r.fills[r.fills.length - 1]!.price : null,
          selfTradeCancels: r.selfTradeCancelled.length, rejected: r.rejected,
        });
        if (input.spendKop !== undefined) expect(p.totalKop).toBeLessThanOrEqual(input.spendKop);
      }),
      { numRuns: 2_000 },
    );
  });
});
