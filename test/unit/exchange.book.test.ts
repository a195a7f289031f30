/** OrderBook storage: levels, priority, cancel, best prices, hash, clone, expiry sweep (DESIGN §2). */
import { BookError, OrderBook, type Intent, type RestingOrder } from '../../domain/exchange';

let nextId = 1;
function order(intent: Intent, price: number, remaining: number, extra: Partial<RestingOrder> = {}): RestingOrder {
  const id = nextId++;
  return { id, userId: 1, intent, price, remaining, seq: id, expiresAt: null, ...extra };
}

describe('OrderBook', () => {
  it('puts BUY_YES / SELL_NO on the bid side and SELL_YES / BUY_NO on the ask side', () => {
    const b = new OrderBook();
    b.add(order('BUY_YES', 40, 5));
    b.add(order('SELL_NO', 42, 7)); // a NO seller at 58 bids 42 for YES
    b.add(order('SELL_YES', 60, 3));
    b.add(order('BUY_NO', 55, 4)); // a NO buyer at 45 asks 55 for YES
    expect(b.bestBid()).toBe(42);
    expect(b.bestAsk()).toBe(55);
    expect(b.levels('bid', 5)).toEqual([
      { price: 42, qty: 7, orders: 1 },
      { price: 40, qty: 5, orders: 1 },
    ]);
    expect(b.levels('ask', 1)).toEqual([{ price: 55, qty: 4, orders: 1 }]);
    expect(b.size).toBe(4);
  });

  it('aggregates a level and keeps FIFO by seq, whatever order the orders are added in', () => {
    const a = order('BUY_YES', 50, 1, { seq: 10 });
    const c = order('BUY_YES', 50, 2, { seq: 30 });
    const d = order('BUY_YES', 50, 3, { seq: 20 });
    const b1 = new OrderBook();
    for (const o of [a, c, d]) b1.add(o);
    const b2 = new OrderBook();
    for (const o of [d, c, a]) b2.add(o);
    expect(b1.orders().map((o) => o.seq)).toEqual([10, 20, 30]);
    expect(b1.hash()).toBe(b2.hash());
    expect(b1.levels('bid', 1)).toEqual([{ price: 50, qty: 6, orders: 3 }]);
  });

  it('orders(): bids best first, then asks best first', () => {
    const b = new OrderBook();
    const o1 = order('BUY_YES', 30, 1);
    const o2 = order('SELL_YES', 70, 1);
    const o3 = order('BUY_YES', 31, 1);
    const o4 = order('SELL_YES', 69, 1);
    for (const o of [o1, o2, o3, o4]) b.add(o);
    expect(b.orders().map((o) => o.id)).toEqual([o3.id, o1.id, o4.id, o2.id]);
  });

  it('cancel removes from the middle of a level and re-finds the best price', () => {
    const b = new OrderBook();
    const low = order('BUY_YES', 1, 1);
    const x = order('BUY_YES', 50, 1);
    const y = order('BUY_YES', 50, 2);
    const z = order('BUY_YES', 50, 3);
    for (const o of [low, x, y, z]) b.add(o);
    expect(b.cancel(y.id)).toEqual(y);
    expect(b.orders().map((o) => o.id)).toEqual([x.id, z.id, low.id]);
    expect(b.cancel(y.id)).toBeNull();
    b.cancel(x.id);
    b.cancel(z.id);
    expect(b.bestBid()).toBe(1); // scanned down to the edge price
    b.cancel(low.id);
    expect(b.bestBid()).toBeNull();
    expect(b.size).toBe(0);
  });

  it('re-finds the best ask up to 99', () => {
    const b = new OrderBook();
    const a = order('SELL_YES', 10, 1);
    const top = order('SELL_YES', 99, 1);
    b.add(a);
    b.add(top);
    b.cancel(a.id);
    expect(b.bestAsk()).toBe(99);
  });

  it('get returns a copy', () => {
    const b = new OrderBook();
    const o = order('BUY_NO', 45, 9);
    b.add(o);
    const got = b.get(o.id)!;
    got.remaining = 1;
    expect(b.get(o.id)!.remaining).toBe(9);
    expect(b.get(12345)).toBeUndefined();
  });

  it('hash changes with any field and is equal for equal books; clone is independent', () => {
    const b = new OrderBook();
    const o = order('BUY_YES', 50, 5, { expiresAt: 1000 });
    b.add(o);
    const h = b.hash();
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    const c = b.clone();
    expect(c.hash()).toBe(h);
    c.cancel(o.id);
    expect(b.hash()).toBe(h);
    for (const change of [{ remaining: 6 }, { userId: 2 }, { expiresAt: null }, { seq: o.seq + 1 }, { intent: 'SELL_NO' as const }]) {
      const d = new OrderBook();
      d.add({ ...o, ...change });
      expect(d.hash()).not.toBe(h);
    }
    expect(new OrderBook().hash()).not.toBe(h);
  });

  it('rejects bad input as programming errors', () => {
    const b = new OrderBook();
    const o = order('BUY_YES', 50, 1);
    b.add(o);
    expect(() => b.add(o)).toThrow(BookError);
    expect(() => b.add(order('BUY_YES', 0, 1))).toThrow(BookError);
    expect(() => b.add(order('BUY_YES', 100, 1))).toThrow(BookError);
    expect(() => b.add(order('BUY_YES', 50, 0))).toThrow(BookError);
    expect(() => b.add(order('BUY_YES', 50, 1.5))).toThrow(BookError);
  });

  it('expireDue removes GTD orders at or past expiresAt, sorted by seq', () => {
    const b = new OrderBook();
    const late = order('BUY_YES', 40, 1, { expiresAt: 2000 });
    const due2 = order('SELL_YES', 60, 1, { expiresAt: 1000, seq: 5 });
    const due1 = order('BUY_NO', 70, 1, { expiresAt: 500, seq: 1 });
    const gtc = order('BUY_YES', 41, 1);
    for (const o of [late, due2, due1, gtc]) b.add(o);
    expect(b.expireDue(1000).map((o) => o.id)).toEqual([due1.id, due2.id]);
    expect(b.orders().map((o) => o.id)).toEqual([gtc.id, late.id]);
    expect(b.expireDue(1999)).toEqual([]);
  });
});
