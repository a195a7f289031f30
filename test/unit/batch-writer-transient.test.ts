import { transientMakerOrders, type NewOrder, type Ref } from '../../domain/services/market-batch-writer';
import type { MoneyMove } from '../../domain/exchange';
import { kop } from '../../domain/money';

const MAKER = 7;
function order(id: number, over: Partial<NewOrder> = {}): NewOrder {
  return {
    id, userId: MAKER, intent: 'BUY_YES', bookPrice: 48, qty: 10, spendKop: null, remaining: 0, filled: 0, kind: 'limit',
    tif: 'GTC', postOnly: false, expiresAt: null, status: 'cancelled', costKop: 0, feeKop: 0, cancelReason: 'requote',
    idempotencyKey: `maker:1:${id}`, ...over,
  };
}
const reserve = (id: number, amount: number): { move: MoneyMove; ref: Ref } => ({
  move: { from: { kind: 'available', userId: MAKER }, to: { kind: 'reserved', userId: MAKER }, amount: kop(amount), kind: 'reserve' }, ref: { type: 'order', id },
});
const release = (id: number, amount: number): { move: MoneyMove; ref: Ref } => ({
  move: { from: { kind: 'reserved', userId: MAKER }, to: { kind: 'available', userId: MAKER }, amount: kop(amount), kind: 'release' }, ref: { type: 'order', id },
});

test('a maker order placed and requoted away in one batch, untouched, is transient; anything else is written', () => {
  const newOrders = new Map([
    [1, order(1)], // placed and cancelled, reserve = release: transient
    [2, order(2, { status: 'open', remaining: 10 })], // still resting
    [3, order(3, { filled: 4, status: 'cancelled' })], // traded before the requote
    [4, order(4, { idempotencyKey: 'bet:abc', userId: 9 })], // a user's order: always written
    [5, order(5)], // moves do not net to zero (a bug elsewhere): written, so the audit can see it
  ]);
  const moves = [reserve(1, 480), release(1, 480), reserve(2, 480), reserve(3, 480), release(3, 288), reserve(5, 480), release(5, 479)];
  expect([...transientMakerOrders({ newOrders, moves })]).toEqual([1]);
});
