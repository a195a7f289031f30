/** Money and share effects of fills, reserves and releases (DESIGN §2–§3). */
import {
  cancelEffects,
  EffectsError,
  fillEffects,
  match,
  OrderBook,
  reserveEffects,
  reserveFor,
  restingReserve,
  takerReleaseEffects,
  type Fill,
  type FillKind,
  type IncomingOrder,
  type Intent,
} from '../../domain/exchange';
import type { Kop } from '../../domain/money';

const A = { kind: 'available' as const, userId: 1 };
const RA = { kind: 'reserved' as const, userId: 1 };
const B = { kind: 'available' as const, userId: 2 };
const RB = { kind: 'reserved' as const, userId: 2 };
const ESCROW = { kind: 'escrow' as const };
const FEES = { kind: 'fees' as const };

/** User 1 bids (taker), user 2 asks (maker), 10 shares at 30. */
function fill(kind: FillKind, bidIntent: Intent, askIntent: Intent, takerFee = 3, makerRebate = 1): Fill {
  return {
    makerOrderId: 20, makerUserId: 2, makerIntent: askIntent,
    takerOrderId: 10, takerUserId: 1, takerIntent: bidIntent,
    price: 30, qty: 10, kind, takerFee: takerFee as Kop, makerRebate: makerRebate as Kop,
  };
}

function order(intent: Intent, limitPrice: number, extra: Partial<IncomingOrder> = {}): IncomingOrder {
  return { id: 10, userId: 1, intent, limitPrice, qty: 10, tif: 'GTC', postOnly: false, expiresAt: null, takerFeeBps: 10, seq: 10, ...extra };
}

describe('fillEffects', () => {
  it('transfer_yes: buyer pays P×q from reserved to the seller; YES moves; fee from reserved; rebate to maker', () => {
    expect(fillEffects(fill('transfer_yes', 'BUY_YES', 'SELL_YES'))).toEqual({
      moves: [
        { from: RA, to: B, amount: 300, kind: 'trade' },
        { from: RA, to: FEES, amount: 3, kind: 'fee' },
        { from: FEES, to: B, amount: 1, kind: 'rebate' },
      ],
      shares: [
        { userId: 2, outcome: 'YES', held: 0, reserved: -10 },
        { userId: 1, outcome: 'YES', held: 10, reserved: 0 },
      ],
    });
  });

  it('mint: both buyers pay into escrow (P and 100 − P); a YES and a NO per share are created', () => {
    expect(fillEffects(fill('mint', 'BUY_YES', 'BUY_NO', 3, 0))).toEqual({
      moves: [
        { from: RA, to: ESCROW, amount: 300, kind: 'mint' },
        { from: RB, to: ESCROW, amount: 700, kind: 'mint' },
        { from: RA, to: FEES, amount: 3, kind: 'fee' },
      ],
      shares: [
        { userId: 1, outcome: 'YES', held: 10, reserved: 0 },
        { userId: 2, outcome: 'NO', held: 10, reserved: 0 },
      ],
    });
  });

  it('merge: escrow pays P to the YES seller and 100 − P to the NO seller; the pairs burn; a selling taker pays its fee from available', () => {
    expect(fillEffects(fill('merge', 'SELL_NO', 'SELL_YES', 7, 0))).toEqual({
      moves: [
        { from: ESCROW, to: B, amount: 300, kind: 'merge' },
        { from: ESCROW, to: A, amount: 700, kind: 'merge' },
        { from: A, to: FEES, amount: 7, kind: 'fee' },
      ],
      shares: [
        { userId: 2, outcome: 'YES', held: 0, reserved: -10 },
        { userId: 1, outcome: 'NO', held: 0, reserved: -10 },
      ],
    });
  });

  it('transfer_no: the NO buyer pays 100 − P from reserved to the NO seller; NO moves', () => {
    expect(fillEffects(fill('transfer_no', 'SELL_NO', 'BUY_NO', 0, 0))).toEqual({
      moves: [{ from: RB, to: A, amount: 700, kind: 'trade' }],
      shares: [
        { userId: 1, outcome: 'NO', held: 0, reserved: -10 },
        { userId: 2, outcome: 'NO', held: 10, reserved: 0 },
      ],
    });
  });
});

describe('reserves', () => {
  it('buy limit: ownPrice × qty + the taker fee on it, rounded up', () => {
    expect(reserveFor(order('BUY_YES', 30))).toEqual({ kop: 300 + 1, shares: 0, outcome: 'YES' });
    expect(reserveFor(order('BUY_NO', 30, { qty: 1_000 }))).toEqual({ kop: 70_000 + 70, shares: 0, outcome: 'NO' });
  });

  it('spend X reserves X; sells reserve the shares', () => {
    expect(reserveFor(order('BUY_YES', 60, { qty: undefined, spendKop: 5_000 as Kop, tif: 'IOC' }))).toEqual({ kop: 5_000, shares: 0, outcome: 'YES' });
    expect(reserveFor(order('SELL_NO', 30))).toEqual({ kop: 0, shares: 10, outcome: 'NO' });
  });

  it('reserveEffects moves available → reserved (kop or shares)', () => {
    expect(reserveEffects(order('BUY_YES', 30))).toEqual({ moves: [{ from: A, to: RA, amount: 301, kind: 'reserve' }], shares: [] });
    expect(reserveEffects(order('SELL_YES', 30))).toEqual({ moves: [], shares: [{ userId: 1, outcome: 'YES', held: -10, reserved: 10 }] });
  });

  it('a resting order needs ownPrice × remaining (no fee) or its remaining shares; cancel releases exactly that', () => {
    const buyNo = { id: 1, userId: 1, intent: 'BUY_NO' as const, price: 30, remaining: 4, seq: 1, expiresAt: null };
    expect(restingReserve(buyNo)).toEqual({ kop: 280, shares: 0, outcome: 'NO' });
    expect(cancelEffects(buyNo)).toEqual({ moves: [{ from: RA, to: A, amount: 280, kind: 'release' }], shares: [] });
    const sellYes = { ...buyNo, intent: 'SELL_YES' as const };
    expect(cancelEffects(sellYes)).toEqual({ moves: [], shares: [{ userId: 1, outcome: 'YES', held: 4, reserved: -4 }] });
  });
});

describe('takerReleaseEffects', () => {
  it('releases price improvement and the unused fee reserve; the resting part keeps ownPrice × rested', () => {
    const b = new OrderBook();
    b.add({ id: 1, userId: 2, intent: 'SELL_YES', price: 40, remaining: 4, seq: 1, expiresAt: null });
    const o = order('BUY_YES', 50); // reserves 500 + 1
    const r = match(b, o, 0); // 4 @ 40 = 160, fee 1; 6 rest at 50 = 300
    expect(takerReleaseEffects(o, r)).toEqual({ moves: [{ from: RA, to: A, amount: 501 - 161 - 300, kind: 'release' }], shares: [] });
  });

  it('a fully used reserve releases nothing (no zero moves)', () => {
    const b = new OrderBook();
    b.add({ id: 1, userId: 2, intent: 'SELL_YES', price: 50, remaining: 20, seq: 1, expiresAt: null });
    const o = order('BUY_YES', 50, { qty: 20 }); // 1 000 + fee 1, all spent
    expect(takerReleaseEffects(o, match(b, o, 0))).toEqual({ moves: [], shares: [] });
  });

  it('spend X releases what the fills and fees did not use; an IOC sell returns unsold shares', () => {
    const b = new OrderBook();
    b.add({ id: 1, userId: 2, intent: 'SELL_YES', price: 45, remaining: 2, seq: 1, expiresAt: null });
    const spend = order('BUY_YES', 60, { qty: undefined, spendKop: 1_000 as Kop, tif: 'IOC' });
    expect(takerReleaseEffects(spend, match(b, spend, 0)).moves).toEqual([{ from: RA, to: A, amount: 1_000 - 90 - 1, kind: 'release' }]);
    b.add({ id: 2, userId: 2, intent: 'BUY_YES', price: 45, remaining: 3, seq: 2, expiresAt: null });
    const sell = order('SELL_YES', 45, { tif: 'IOC' });
    expect(takerReleaseEffects(sell, match(b, sell, 0)).shares).toEqual([{ userId: 1, outcome: 'YES', held: 7, reserved: -7 }]);
  });

  it('a rejected order releases its whole reserve', () => {
    const o = order('BUY_NO', 40, { tif: 'FOK' });
    const r = match(new OrderBook(), o, 0);
    expect(r.rejected).toBe('fok_not_fillable');
    expect(takerReleaseEffects(o, r).moves).toEqual([{ from: RA, to: A, amount: 601, kind: 'release' }]);
  });

  it('throws EffectsError if a result spent more than the reserve (a matching bug, never user input)', () => {
    const o = order('BUY_YES', 30);
    const forged = { fills: [{ ...fill('transfer_yes', 'BUY_YES', 'SELL_YES'), price: 31 }], selfTradeCancelled: [], expired: [], rested: 0, filledQty: 10 };
    expect(() => takerReleaseEffects(o, forged)).toThrow(EffectsError);
  });
});
