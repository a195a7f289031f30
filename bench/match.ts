/**
 * Matching throughput: the same seeded stream of GTC limit orders (prices 40–60, sizes 1–100,
 * random side, distinct users so no self-trade prevention interferes) through our OrderBook +
 * match and through nodejs-order-book's `OrderBook.limit`, in the same process, each warmed up
 * first. Prints ONE JSON line: {"name":"match","ours":…,"baseline":…,"ratio":…,"unit":"orders/s"}.
 * Run: tsc, then `node dist/bench/match.js` (optional argv[2]: order count, default 200 000).
 */
import { OrderBook as BaselineBook, Side } from 'nodejs-order-book';
import { OrderBook, match, type IncomingOrder } from '../domain/exchange';
import { mulberry32 } from '../infra/prng';

const ORDERS = Number(process.argv[2] ?? 200_000);
const WARMUP_ROUNDS = 2;
const MEASURED_ROUNDS = 3;

interface StreamOrder {
  buy: boolean;
  price: number;
  size: number;
}

function stream(n: number, seed: number): StreamOrder[] {
  const rnd = mulberry32(seed);
  const out: StreamOrder[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ buy: rnd() < 0.5, price: 40 + Math.floor(rnd() * 21), size: 1 + Math.floor(rnd() * 100) });
  }
  return out;
}

/** Orders are built before the clock starts, so both runs time only the engine. */
function runOurs(orders: StreamOrder[]): number {
  const incoming: IncomingOrder[] = orders.map((o, i) => ({
    id: i + 1,
    userId: i + 1,
    intent: o.buy ? 'BUY_YES' : 'SELL_YES',
    limitPrice: o.price,
    qty: o.size,
    tif: 'GTC',
    postOnly: false,
    expiresAt: null,
    takerFeeBps: 10,
    seq: i + 1,
  }));
  const book = new OrderBook();
  const start = process.hrtime.bigint();
  for (const o of incoming) match(book, o, 0);
  return elapsedSeconds(start);
}

function runBaseline(orders: StreamOrder[]): number {
  const input = orders.map((o, i) => ({ id: String(i + 1), side: o.buy ? Side.BUY : Side.SELL, size: o.size, price: o.price }));
  const book = new BaselineBook();
  const start = process.hrtime.bigint();
  for (const o of input) book.limit(o);
  return elapsedSeconds(start);
}

function elapsedSeconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Best of the measured rounds: the least disturbed by GC and the OS. */
function throughput(run: (orders: StreamOrder[]) => number, orders: StreamOrder[]): number {
  for (let i = 0; i < WARMUP_ROUNDS; i++) run(orders);
  let best = Infinity;
  for (let i = 0; i < MEASURED_ROUNDS; i++) best = Math.min(best, run(orders));
  return orders.length / best;
}

const orders = stream(ORDERS, 20240601);
const ours = throughput(runOurs, orders);
const baseline = throughput(runBaseline, orders);
console.log(
  JSON.stringify({ name: 'match', ours: Math.round(ours), baseline: Math.round(baseline), ratio: Math.round((ours / baseline) * 100) / 100, unit: 'orders/s' }),
);
