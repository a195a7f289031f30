/**
 * The house maker's cost in matching (issue 8, DESIGN §9): the same seeded stream of 10 000 users'
 * orders (limit GTC, IOC, spend-X market buys; all four intents) over 10 markets, matched once with
 * a maker in every book and once without, in the same process, each warmed up first. Also settles
 * every maker both ways at the end of the stream and reports the worst loss over its budget.
 * Prints ONE JSON line:
 * {"name":"amm","ours":…,"baseline":…,"ratio":…,"unit":"orders/s","worstLossToBudget":…,"worstBoundToBudget":…}
 * where `ours` is with makers, `baseline` without, and `worstBoundToBudget` is the same ratio for
 * the maker's exact worst case from its final inventory (its ladder walked to either end).
 * Run: tsc, then `node dist/bench/amm.js` (optional argv[2]: order count, default 10 000).
 */
import {
  deriveB, makeLadder, matchWithMaker, OrderBook, requote, worstEndValues, type IncomingOrder, type Intent, type MakerSim,
} from '../domain/exchange';
import type { Kop } from '../domain/money';
import { mulberry32 } from '../infra/prng';

const ORDERS = Number(process.argv[2] ?? 10_000);
const MARKETS = 10;
const BUDGET = 100_000;
const MAKER_USER = 1_000_000;
const WINDOW = 8;
const ROUNDS = 9;
const INTENTS: Intent[] = ['BUY_YES', 'SELL_YES', 'BUY_NO', 'SELL_NO'];

interface StreamOrder {
  market: number;
  order: Omit<IncomingOrder, 'id' | 'seq'>;
}

/** Users' orders priced around each market's opening price so that they trade with the maker and each other. */
function stream(n: number, seed: number, opens: number[]): StreamOrder[] {
  const rnd = mulberry32(seed);
  const out: StreamOrder[] = [];
  for (let i = 0; i < n; i++) {
    const market = Math.floor(rnd() * MARKETS);
    const intent = INTENTS[Math.floor(rnd() * 4)]!;
    const bid = intent === 'BUY_YES' || intent === 'SELL_NO';
    const kind = rnd();
    const userId = 1 + Math.floor(rnd() * 500);
    // Book price: a bid reaches a few points above the opening price, an ask a few below.
    const reach = Math.floor(rnd() * 12) - 4;
    const limitPrice = Math.min(99, Math.max(1, opens[market]! + (bid ? reach : -reach)));
    const base = { userId, intent, limitPrice, postOnly: false, expiresAt: null, takerFeeBps: 10 };
    if (kind < 0.2 && (intent === 'BUY_YES' || intent === 'BUY_NO')) {
      out.push({ market, order: { ...base, limitPrice: bid ? 99 : 1, tif: 'IOC', spendKop: (1_000 + Math.floor(rnd() * 20_000)) as Kop } });
    } else {
      out.push({ market, order: { ...base, tif: kind < 0.5 ? 'IOC' : 'GTC', qty: 1 + Math.floor(rnd() * 150) } });
    }
  }
  return out;
}

interface Run {
  seconds: number;
  makers: (MakerSim | null)[];
}

function run(orders: StreamOrder[], opens: number[], withMakers: boolean): Run {
  let nextId = 1;
  const books = opens.map(() => new OrderBook());
  const makers: (MakerSim | null)[] = opens.map((p0, i) => {
    if (!withMakers) return null;
    const sim: MakerSim = {
      params: { userId: MAKER_USER + i, ladder: makeLadder(deriveB(BUDGET, BUDGET, p0), p0), anchorNet: 0, window: WINDOW },
      inv: { yes: 0, no: 0, cashKop: BUDGET },
      nextId: () => nextId++,
    };
    requote(books[i]!, sim, 0, []);
    return sim;
  });
  const incoming = orders.map((o) => ({ market: o.market, order: o.order as IncomingOrder }));
  // CPU time of this process, not the wall clock: the machine may be shared, and a run that
  // waits for a core should not look slower than one that did not.
  const start = process.cpuUsage();
  for (const { market, order } of incoming) {
    const id = nextId++;
    matchWithMaker(books[market]!, { ...order, id, seq: id }, 0, makers[market]!);
  }
  const used = process.cpuUsage(start);
  return { seconds: (used.user + used.system) / 1e6, makers };
}

/** Best of the measured rounds of each, the two interleaved so that both meet the same machine load. */
function best(orders: StreamOrder[], opens: number[]): { withMakers: Run; without: Run } {
  run(orders, opens, true);
  run(orders, opens, false);
  let withMakers: Run | null = null;
  let without: Run | null = null;
  for (let i = 0; i < ROUNDS; i++) {
    const a = run(orders, opens, true);
    const b = run(orders, opens, false);
    if (withMakers === null || a.seconds < withMakers.seconds) withMakers = a;
    if (without === null || b.seconds < without.seconds) without = b;
  }
  return { withMakers: withMakers!, without: without! };
}

const rnd = mulberry32(8_2026);
const opens = Array.from({ length: MARKETS }, () => 10 + Math.floor(rnd() * 80));
const orders = stream(ORDERS, 20261202, opens);
const { withMakers, without } = best(orders, opens);
let worstLoss = -Infinity;
let worstBound = -Infinity;
for (const m of withMakers.makers) {
  const inv = m!.inv;
  // Settled now: YES pays 100 a YES share, NO pays 100 a NO share.
  for (const value of [inv.cashKop + 100 * inv.yes, inv.cashKop + 100 * inv.no]) worstLoss = Math.max(worstLoss, (BUDGET - value) / BUDGET);
  const end = worstEndValues(m!.params, inv);
  for (const value of [end.yes, end.no]) worstBound = Math.max(worstBound, (BUDGET - value) / BUDGET);
}
const ours = ORDERS / withMakers.seconds;
const baseline = ORDERS / without.seconds;
console.log(JSON.stringify({
  name: 'amm', ours: Math.round(ours), baseline: Math.round(baseline), ratio: Math.round((ours / baseline) * 100) / 100,
  unit: 'orders/s', worstLossToBudget: Math.round(worstLoss * 1000) / 1000, worstBoundToBudget: Math.round(worstBound * 1000) / 1000,
}));
