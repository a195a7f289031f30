/**
 * Issue 8: the house market maker's pure maths and its behaviour in the book (DESIGN §9).
 *
 * The model test runs random sequences of users' limit, market and spend-X orders and cancels
 * against a book with a maker, applying every effect to an in-memory ledger, and checks after
 * every command: the maker's resting orders equal quote(inventory), the book is not crossed,
 * invariants 1–4 hold, and the maker's worst end values (its ladder walked to either end and
 * settled) stay ≥ 0, so its loss at settlement never exceeds its budget. fast-check prints the
 * seed of a failure; replay with `fc.assert(..., { seed, path })`.
 */
import fc from 'fast-check';
import {
  applyFillToMaker, cancelEffects, deriveB, fillEffects, ladderLosses, makeLadder, makerOrders, matchWithMaker,
  OrderBook, ownPrice, previewOrder, quote, requote, reserveEffects, reserveFor, takerReleaseEffects, validateOrder,
  worstEndValues, type Effects, type IncomingOrder, type Intent, type MakerInventory, type MakerParams, type MakerSim,
  type MakerStep, type TimeInForce,
} from '../../domain/exchange';
import type { Kop } from '../../domain/money';

const MAKER = 100;
const NOW = 1_000;
const INTENTS: Intent[] = ['BUY_YES', 'SELL_YES', 'BUY_NO', 'SELL_NO'];

function params(budget: number, p0: number, window = 6): MakerParams {
  return { userId: MAKER, ladder: makeLadder(deriveB(budget, budget, p0), p0), anchorNet: 0, window };
}

function holds(what: string, ok: boolean): void {
  if (!ok) throw new Error(what);
}

describe('issue 8: maker maths', () => {
  it('derives b ≈ 1 464 for 1 000 ₽ at 50 and a 100 ₽ buy moves the price a few points', () => {
    const b = deriveB(100_000, 100_000, 50);
    expect(b).toBeGreaterThan(1_400);
    expect(b).toBeLessThan(1_550);
    const l = ladderLosses(b, 50);
    expect(Math.max(l.yes, l.no)).toBeLessThanOrEqual(100_000);
    const worse = ladderLosses(b + 1, 50);
    expect(Math.max(worse.yes, worse.no)).toBeGreaterThan(100_000);
  });

  it('b is the largest whole b whose exact losses stay within the budget (many budgets and opening prices)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 99 }), (budget, p0) => {
      const b = deriveB(budget, budget, p0);
      const l = ladderLosses(b, p0);
      holds('loss within budget', l.yes <= budget && l.no <= budget);
      const next = ladderLosses(b + 1, p0);
      holds('b + 1 exceeds the budget', next.yes > budget || next.no > budget);
    }), { numRuns: 2_000 });
  });

  it('quotes never cross, stay within 1..99, back sells with held shares and reserve at most the cash', () => {
    const arb = fc.record({
      budget: fc.integer({ min: 1_000, max: 1_000_000 }),
      p0: fc.integer({ min: 1, max: 99 }),
      window: fc.integer({ min: 1, max: 30 }),
      yes: fc.integer({ min: 0, max: 3_000 }),
      no: fc.integer({ min: 0, max: 3_000 }),
      cash: fc.integer({ min: 0, max: 1_000_000 }),
    });
    fc.assert(fc.property(arb, (a) => {
      const p = params(a.budget, a.p0, a.window);
      const inv = { yes: a.yes, no: a.no, cashKop: a.cash };
      const qs = quote(p, inv);
      let bid = 0;
      let ask = 100;
      let kop = 0;
      let yes = 0;
      let no = 0;
      const levels = { bid: new Set<number>(), ask: new Set<number>() };
      for (const q of qs) {
        holds('price 1..99 and whole shares', q.price >= 1 && q.price <= 99 && Number.isSafeInteger(q.qty) && q.qty > 0);
        if (q.intent === 'BUY_YES' || q.intent === 'SELL_NO') { bid = Math.max(bid, q.price); levels.bid.add(q.price); } else { ask = Math.min(ask, q.price); levels.ask.add(q.price); }
        if (q.intent === 'BUY_YES' || q.intent === 'BUY_NO') kop += ownPrice(q.intent, q.price) * q.qty;
        if (q.intent === 'SELL_YES') yes += q.qty;
        if (q.intent === 'SELL_NO') no += q.qty;
      }
      holds(`crossed ${bid} ≥ ${ask}`, bid < ask);
      holds('reserves within cash', kop <= a.cash && yes <= a.yes && no <= a.no);
      holds('window', levels.bid.size <= a.window && levels.ask.size <= a.window);
      // A pure function: the same inventory gives the same quotes.
      expect(quote(p, { ...inv })).toEqual(qs);
    }), { numRuns: 2_000 });
  });
});

// ---------------------------------------------------------------------------------------------
// The maker in the book: an in-memory ledger and random users' commands.
// ---------------------------------------------------------------------------------------------

const USERS = [1, 2, 3];
const USER_CASH = 200_000;
const USER_PAIRS = 300;

class Ledger {
  readonly money = new Map<string, number>();
  readonly shares = new Map<string, { held: number; reserved: number }>();
  bal(k: string): number {
    return this.money.get(k) ?? 0;
  }
  pos(u: number, o: 'YES' | 'NO') {
    const k = `${u}:${o}`;
    if (!this.shares.has(k)) this.shares.set(k, { held: 0, reserved: 0 });
    return this.shares.get(k)!;
  }
  move(from: string, to: string, amount: number): void {
    this.money.set(from, this.bal(from) - amount);
    this.money.set(to, this.bal(to) + amount);
  }
  apply(e: Effects): void {
    const key = (a: { kind: string; userId?: number }) => (a.kind === 'available' || a.kind === 'reserved' ? `${a.kind}:${a.userId}` : a.kind);
    for (const m of e.moves) this.move(key(m.from), key(m.to), m.amount);
    for (const s of e.shares) {
      const p = this.pos(s.userId, s.outcome);
      p.held += s.held;
      p.reserved += s.reserved;
    }
  }
}

interface World {
  book: OrderBook;
  ledger: Ledger;
  sim: MakerSim;
  budget: number;
  nextId: number;
}

function newWorld(budget: number, p0: number, window: number): World {
  const ledger = new Ledger();
  let nextId = 1;
  const w: World = { book: new OrderBook(), ledger, budget, nextId, sim: null as unknown as MakerSim };
  w.sim = { params: params(budget, p0, window), inv: { yes: 0, no: 0, cashKop: budget }, nextId: () => w.nextId++ };
  ledger.move('liquidity', `available:${MAKER}`, budget);
  for (const u of USERS) {
    ledger.move('deposits', `available:${u}`, USER_CASH + 100 * USER_PAIRS);
    // Pairs bought from escrow so that users can sell from the first step.
    ledger.move(`available:${u}`, 'escrow', 100 * USER_PAIRS);
    ledger.pos(u, 'YES').held += USER_PAIRS;
    ledger.pos(u, 'NO').held += USER_PAIRS;
  }
  const steps: MakerStep[] = [];
  requote(w.book, w.sim, NOW, steps);
  applySteps(w, steps);
  void nextId;
  return w;
}

function applySteps(w: World, steps: MakerStep[]): void {
  for (const s of steps) {
    if (s.kind === 'fill') w.ledger.apply(fillEffects(s.fill));
    else if (s.kind === 'maker_cancel') w.ledger.apply(cancelEffects(s.order));
    else {
      w.ledger.apply(reserveEffects(s.order));
      for (const f of s.result.fills) w.ledger.apply(fillEffects(f));
      w.ledger.apply(takerReleaseEffects(s.order, s.result));
    }
  }
}

function checkWorld(w: World): void {
  const { book, ledger, sim } = w;
  const bid = book.bestBid();
  const ask = book.bestAsk();
  holds(`book crossed ${bid} ≥ ${ask}`, bid === null || ask === null || bid < ask);
  // The maker's inventory as the ledger has it, and its orders equal quote(inventory).
  const inv: MakerInventory = {
    yes: ledger.pos(MAKER, 'YES').held + ledger.pos(MAKER, 'YES').reserved,
    no: ledger.pos(MAKER, 'NO').held + ledger.pos(MAKER, 'NO').reserved,
    cashKop: ledger.bal(`available:${MAKER}`) + ledger.bal(`reserved:${MAKER}`),
  };
  expect(sim.inv).toEqual(inv);
  const fmt = (qs: { intent: string; price: number; qty: number }[]) => qs.map((q) => `${q.intent}@${q.price}x${q.qty}`).sort().join(' ');
  const resting = makerOrders(book, MAKER).map((o) => ({ intent: o.intent, price: o.price, qty: o.remaining }));
  expect(fmt(resting)).toBe(fmt(quote(sim.params, inv)));
  // (1) sums to zero; (2) nothing negative but the outside accounts.
  let sum = 0;
  for (const [k, v] of ledger.money) {
    sum += v;
    holds(`(2) ${k} = ${v}`, v >= 0 || k === 'deposits' || k === 'liquidity' || k === 'fees');
  }
  holds('(1) sum', sum === 0);
  let yes = 0;
  let no = 0;
  for (const [k, p] of ledger.shares) {
    holds(`(2) shares ${k}`, p.held >= 0 && p.reserved >= 0);
    if (k.endsWith(':YES')) yes += p.held + p.reserved;
    else no += p.held + p.reserved;
  }
  holds('(3) escrow', ledger.bal('escrow') === 100 * yes && ledger.bal('escrow') === 100 * no);
  // (4) reserves equal what open orders need.
  for (const u of [...USERS, MAKER]) {
    let kop = 0;
    let y = 0;
    let n = 0;
    for (const o of book.orders()) {
      if (o.userId !== u) continue;
      if (o.intent === 'BUY_YES' || o.intent === 'BUY_NO') kop += ownPrice(o.intent, o.price) * o.remaining;
      else if (o.intent === 'SELL_YES') y += o.remaining;
      else n += o.remaining;
    }
    holds(`(4) reserved kop of ${u}`, ledger.bal(`reserved:${u}`) === kop);
    holds(`(4) reserved shares of ${u}`, ledger.pos(u, 'YES').reserved === y && ledger.pos(u, 'NO').reserved === n);
  }
  // The loss bound: settled now or after the ladder is walked to either end, the maker keeps ≥ 0.
  const end = worstEndValues(sim.params, inv);
  holds(`maker worst end values ${end.yes} / ${end.no} below 0 (budget ${w.budget})`, end.yes >= 0 && end.no >= 0);
  holds('settled now', inv.cashKop + 100 * inv.yes >= 0 && inv.cashKop + 100 * inv.no >= 0);
}

type Cmd =
  | { type: 'place'; user: number; intent: Intent; price: number; kind: 'GTC' | 'IOC' | 'FOK' | 'SPEND' | 'POST'; qty: number; spend: number }
  | { type: 'cancel'; user: number; pick: number };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({
    type: fc.constant('place' as const), user: fc.constantFrom(...USERS), intent: fc.constantFrom(...INTENTS),
    price: fc.integer({ min: 1, max: 99 }), kind: fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const, 'SPEND' as const, 'POST' as const),
    qty: fc.integer({ min: 1, max: 400 }), spend: fc.integer({ min: 1_000, max: 60_000 }),
  }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('cancel' as const), user: fc.constantFrom(...USERS), pick: fc.nat() }) },
);

/** Runs one user command the way MarketBatch does: validate, check funds, reserve, match with the maker, apply every step. */
function runCmd(w: World, c: Cmd): void {
  if (c.type === 'cancel') {
    const mine = w.book.orders().filter((o) => o.userId === c.user);
    if (mine.length === 0) return;
    const o = mine[c.pick % mine.length]!;
    w.book.cancel(o.id);
    w.ledger.apply(cancelEffects(o));
    return;
  }
  const id = w.nextId++;
  const spend = c.kind === 'SPEND';
  if (spend && (c.intent === 'SELL_YES' || c.intent === 'SELL_NO')) return;
  const o: IncomingOrder = {
    id, userId: c.user, intent: c.intent, limitPrice: c.price, tif: (c.kind === 'POST' ? 'GTC' : spend ? 'IOC' : c.kind) as TimeInForce,
    postOnly: c.kind === 'POST', expiresAt: null, takerFeeBps: 10, seq: id,
    ...(spend ? { spendKop: c.spend as Kop } : { qty: c.qty }),
  };
  if (!validateOrder(o, NOW).ok) return;
  const r = reserveFor(o);
  const outcome = r.outcome;
  if (r.kop > w.ledger.bal(`available:${c.user}`)) return;
  if (r.shares > w.ledger.pos(c.user, outcome).held) return;
  // Preview equals execution with the maker in the book.
  const preview = previewOrder(w.book, o, o.takerFeeBps, NOW, w.sim);
  const { result, steps } = matchWithMaker(w.book, o, NOW, w.sim);
  expect(preview.filledQty).toBe(result.filledQty);
  expect(preview.restQty).toBe(result.rested);
  expect(preview.rejected).toBe(result.rejected);
  if (result.rejected) {
    holds('a rejected order changes nothing', steps.length === 0);
    return;
  }
  w.ledger.apply(reserveEffects(o));
  for (const x of [...result.selfTradeCancelled, ...result.expired]) w.ledger.apply(cancelEffects(x));
  applySteps(w, steps);
  w.ledger.apply(takerReleaseEffects(o, result));
}

describe('issue 8: the maker in the book (model test)', () => {
  it('keeps its quotes = f(inventory), an uncrossed book, invariants 1–4 and its loss within budget', () => {
    fc.assert(fc.property(
      fc.integer({ min: 2_000, max: 200_000 }), fc.integer({ min: 5, max: 95 }), fc.integer({ min: 1, max: 12 }),
      fc.array(cmdArb, { minLength: 1, maxLength: 30 }),
      (budget, p0, window, cmds) => {
        const w = newWorld(budget, p0, window);
        checkWorld(w);
        for (const c of cmds) {
          runCmd(w, c);
          checkWorld(w);
        }
      },
    ), { numRuns: 2_000 });
  });

  it('fills a 100 ₽ market buy completely on a 100 ₽ ante market with nobody else trading', () => {
    const w = newWorld(10_000, 50, 4);
    const o: IncomingOrder = { id: 999, userId: 1, intent: 'BUY_YES', limitPrice: 99, spendKop: 10_000 as Kop, tif: 'IOC', postOnly: false, expiresAt: null, takerFeeBps: 10, seq: 999 };
    const { result } = matchWithMaker(w.book, o, NOW, w.sim);
    let spent = 0;
    for (const f of result.fills) spent += f.price * f.qty + f.takerFee;
    expect(result.rejected).toBeUndefined();
    // Whole shares: what is left is less than one more share at the last price.
    expect(10_000 - spent).toBeLessThan(result.fills[result.fills.length - 1]!.price + 1);
    expect(w.book.bestBid()).not.toBeNull();
  });

  it('applies a fill to the maker inventory as the ledger does', () => {
    const inv = { yes: 0, no: 0, cashKop: 1_000 };
    applyFillToMaker(inv, {
      makerOrderId: 1, makerUserId: MAKER, makerIntent: 'BUY_NO', takerOrderId: 2, takerUserId: 1, takerIntent: 'BUY_YES',
      price: 60, qty: 2, kind: 'mint', takerFee: 1 as Kop, makerRebate: 0 as Kop,
    }, MAKER);
    expect(inv).toEqual({ yes: 0, no: 2, cashKop: 920 });
  });
});
