/**
 * Model-based property test of the exchange core (DESIGN §2, §3 invariants 1–4).
 *
 * Random sequences of place (all four intents; GTC, GTD, IOC, FOK, post-only, spend-X; three
 * users; YES prices 45..55 so orders cross) / cancel / expire / advance-time run against
 * OrderBook + match AND against a NAIVE reference matcher written here from the rules alone (one
 * unsorted array, re-sorted for every order, BigInt fee maths, spend-X by search instead of the
 * closed form). After every step: identical fills and books, book not crossed, fills at the
 * maker's price in price-time priority, a rebuilt book hashes the same, and an in-memory ledger
 * that applies effects.ts keeps the DESIGN §3 invariants 1–4.
 *
 * On failure fast-check prints the seed and the shrunk command list; replay with
 * `fc.assert(..., { seed, path })`.
 */
import fc from 'fast-check';
import {
  cancelEffects,
  expire,
  fillEffects,
  match,
  OrderBook,
  reserveEffects,
  reserveFor,
  takerReleaseEffects,
  validateOrder,
  type AccountRef,
  type Effects,
  type Fill,
  type FillKind,
  type IncomingOrder,
  type Intent,
  type MatchResult,
  type RestingOrder,
  type TimeInForce,
} from '../../domain/exchange';
import type { Kop } from '../../domain/money';

const USERS = [1, 2, 3];
const DEPOSIT = 300_000;
/** Share pairs each user starts with (bought from escrow at 100 kop a pair) so sells can fill from step one. */
const START_PAIRS = 600;
const START_MS = 1_700_000_000_000;

// ---------------------------------------------------------------------------------------------
// The naive reference matcher: written from DESIGN §2 and the brief, sharing no code with domain/.
// ---------------------------------------------------------------------------------------------

const IS_BID: Record<Intent, boolean> = { BUY_YES: true, SELL_NO: true, SELL_YES: false, BUY_NO: false };
const IS_YES: Record<Intent, boolean> = { BUY_YES: true, SELL_YES: true, BUY_NO: false, SELL_NO: false };
const KIND: Record<string, FillKind> = {
  'BUY_YES/SELL_YES': 'transfer_yes',
  'BUY_YES/BUY_NO': 'mint',
  'SELL_NO/SELL_YES': 'merge',
  'SELL_NO/BUY_NO': 'transfer_no',
};

/** ceil(n × bps / 10 000) in BigInt, independent of money.ts. */
const refFee = (n: number, bps: number): number => Number((BigInt(n) * BigInt(bps) + 9999n) / 10000n);
const refRebate = (n: number): number => Number(BigInt(n) / 10000n);
const refOwn = (intent: Intent, p: number): number => (IS_YES[intent] ? p : 100 - p);

/** Bids best (highest) first, then asks best (lowest) first; each price by seq. Same order as OrderBook.orders(). */
function refSort(orders: RestingOrder[]): RestingOrder[] {
  return [...orders].sort((a, b) => {
    if (IS_BID[a.intent] !== IS_BID[b.intent]) return IS_BID[a.intent] ? -1 : 1;
    if (a.price !== b.price) return IS_BID[a.intent] ? b.price - a.price : a.price - b.price;
    return a.seq - b.seq;
  });
}

class RefBook {
  orders: RestingOrder[] = [];

  place(o: IncomingOrder, now: number): MatchResult {
    const bidTaker = IS_BID[o.intent];
    const dead = (r: RestingOrder) => r.expiresAt !== null && r.expiresAt <= now;
    const reach = refSort(
      this.orders.filter((r) => IS_BID[r.intent] !== bidTaker && (bidTaker ? r.price <= o.limitPrice : r.price >= o.limitPrice)),
    );
    const reject = (rejected: MatchResult['rejected']): MatchResult => ({
      fills: [], selfTradeCancelled: [], expired: [], rested: 0, filledQty: 0, rejected,
    });
    if (o.postOnly && reach.some((r) => !dead(r))) return reject('post_only_would_cross');

    const spend = o.spendKop;
    const fills: Fill[] = [];
    const stp: RestingOrder[] = [];
    const expired: RestingOrder[] = [];
    let filled = 0;
    let notional = 0;
    for (const r of reach) {
      if (dead(r)) { expired.push(r); continue; }
      if (r.userId === o.userId) { stp.push(r); continue; }
      const c = refOwn(o.intent, r.price);
      let k = 0;
      if (spend !== undefined) {
        // largest k whose total (notional + fee) stays within X: linear search, obviously correct.
        while (k < r.remaining && notional + (k + 1) * c + refFee(notional + (k + 1) * c, o.takerFeeBps) <= spend) k++;
      } else {
        k = Math.min(r.remaining, o.qty! - filled);
      }
      if (k === 0) break;
      const [bid, ask] = bidTaker ? [o.intent, r.intent] : [r.intent, o.intent];
      fills.push({
        makerOrderId: r.id, makerUserId: r.userId, makerIntent: r.intent,
        takerOrderId: o.id, takerUserId: o.userId, takerIntent: o.intent,
        price: r.price, qty: k, kind: KIND[`${bid}/${ask}`]!,
        takerFee: (refFee(notional + k * c, o.takerFeeBps) - refFee(notional, o.takerFeeBps)) as Kop,
        makerRebate: refRebate(refOwn(r.intent, r.price) * k) as Kop,
      });
      filled += k;
      notional += k * c;
      if (spend === undefined && filled === o.qty) break;
    }
    if (o.tif === 'FOK' && filled < o.qty!) return reject('fok_not_fillable');
    const mayRest = spend === undefined && (o.tif === 'GTC' || o.tif === 'GTD');
    if (!mayRest && filled === 0) return reject('no_liquidity');

    const gone = new Set([...expired, ...stp].map((r) => r.id));
    for (const f of fills) {
      const r = this.orders.find((x) => x.id === f.makerOrderId)!;
      r.remaining -= f.qty;
      if (r.remaining === 0) gone.add(r.id);
    }
    this.orders = this.orders.filter((r) => !gone.has(r.id));
    const rested = mayRest ? o.qty! - filled : 0;
    if (rested > 0) {
      this.orders.push({
        id: o.id, userId: o.userId, intent: o.intent, price: o.limitPrice, remaining: rested, seq: o.seq,
        expiresAt: o.tif === 'GTD' ? o.expiresAt : null,
      });
    }
    return { fills, selfTradeCancelled: stp.map((r) => ({ ...r })), expired: expired.map((r) => ({ ...r })), rested, filledQty: filled };
  }

  cancel(id: number): RestingOrder | null {
    const r = this.orders.find((x) => x.id === id);
    this.orders = this.orders.filter((x) => x.id !== id);
    return r ?? null;
  }

  expire(now: number): RestingOrder[] {
    const due = this.orders.filter((r) => r.expiresAt !== null && r.expiresAt <= now).sort((a, b) => a.seq - b.seq);
    this.orders = this.orders.filter((r) => !due.includes(r));
    return due;
  }
}

// ---------------------------------------------------------------------------------------------
// Cheap assertions: jest's expect() per check would dominate the run time of 10 000 sequences.
// ---------------------------------------------------------------------------------------------

function same<T>(what: string, got: T, want: T): void {
  if (got !== want) throw new Error(`${what}: got ${String(got)}, want ${String(want)}`);
}
function holds(what: string, ok: boolean): void {
  if (!ok) throw new Error(what);
}
const fmtOrder = (o: RestingOrder): string =>
  `#${o.id} u${o.userId} ${o.intent} @${o.price} x${o.remaining} s${o.seq} e${o.expiresAt ?? '-'}`;
const fmtFill = (f: Fill): string =>
  `${f.kind} m#${f.makerOrderId}/u${f.makerUserId}/${f.makerIntent} t#${f.takerOrderId}/u${f.takerUserId}/${f.takerIntent} @${f.price} x${f.qty} fee${f.takerFee} reb${f.makerRebate}`;
const fmtResult = (r: MatchResult): string =>
  [
    `rejected=${r.rejected ?? '-'} filled=${r.filledQty} rested=${r.rested}`,
    ...r.fills.map(fmtFill),
    ...r.selfTradeCancelled.map((o) => `stp ${fmtOrder(o)}`),
    ...r.expired.map((o) => `exp ${fmtOrder(o)}`),
  ].join('\n');
const fmtBook = (orders: RestingOrder[]): string => orders.map(fmtOrder).join('\n');

// ---------------------------------------------------------------------------------------------
// An in-memory ledger that applies effects.ts.
// ---------------------------------------------------------------------------------------------

class Ledger {
  readonly money = new Map<string, number>();
  readonly shares = new Map<string, { held: number; reserved: number }>();

  static key(a: AccountRef): string {
    return a.kind === 'available' || a.kind === 'reserved' ? `${a.kind}:${a.userId}` : a.kind;
  }
  balance(key: string): number {
    return this.money.get(key) ?? 0;
  }
  position(userId: number, outcome: 'YES' | 'NO'): { held: number; reserved: number } {
    const k = `${userId}:${outcome}`;
    let p = this.shares.get(k);
    if (p === undefined) this.shares.set(k, (p = { held: 0, reserved: 0 }));
    return p;
  }
  transfer(from: string, to: string, amount: number): void {
    this.money.set(from, this.balance(from) - amount);
    this.money.set(to, this.balance(to) + amount);
  }
  apply(e: Effects): void {
    for (const m of e.moves) {
      holds(`move ${m.kind} has amount ${m.amount} > 0`, m.amount > 0);
      this.transfer(Ledger.key(m.from), Ledger.key(m.to), m.amount);
    }
    for (const s of e.shares) {
      const p = this.position(s.userId, s.outcome);
      p.held += s.held;
      p.reserved += s.reserved;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Commands.
// ---------------------------------------------------------------------------------------------

interface Model {
  ref: RefBook;
  now: number;
  nextId: number;
  /** Expected money (available + reserved) and shares per user, and the fee account, from the fills alone. */
  cash: Map<number, number>;
  held: Map<string, number>;
  fees: number;
}

/** Books a fill from first principles: each side pays or gets its own price × q, gains or loses q shares. */
function bookFill(m: Model, f: Fill): void {
  for (const [user, intent, fee] of [[f.makerUserId, f.makerIntent, -f.makerRebate], [f.takerUserId, f.takerIntent, f.takerFee]] as const) {
    const sign = intent === 'BUY_YES' || intent === 'BUY_NO' ? 1 : -1;
    m.cash.set(user, m.cash.get(user)! - sign * refOwn(intent, f.price) * f.qty - fee);
    const key = `${user}:${IS_YES[intent] ? 'YES' : 'NO'}`;
    m.held.set(key, m.held.get(key)! + sign * f.qty);
    m.fees += fee;
  }
}
interface Real {
  book: OrderBook;
  ledger: Ledger;
}

function checkAll(m: Model, r: Real): void {
  const expected = refSort(m.ref.orders);
  same('book', fmtBook(r.book.orders()), fmtBook(expected));
  const bid = r.book.bestBid();
  const ask = r.book.bestAsk();
  holds(`book crossed: bid ${bid} ≥ ask ${ask}`, bid === null || ask === null || bid < ask);

  // A book rebuilt from the same orders in another order (as a restarted worker would) hashes the same.
  const rebuilt = new OrderBook();
  for (const o of [...expected].reverse()) rebuilt.add(o);
  same('hash of rebuilt book', rebuilt.hash(), r.book.hash());

  for (const side of ['bid', 'ask'] as const) {
    const agg = new Map<number, { qty: number; orders: number }>();
    for (const o of expected) {
      if (IS_BID[o.intent] !== (side === 'bid')) continue;
      const l = agg.get(o.price) ?? { qty: 0, orders: 0 };
      agg.set(o.price, { qty: l.qty + o.remaining, orders: l.orders + 1 });
    }
    const want = [...agg.entries()].slice(0, 3).map(([price, l]) => `${price}:${l.qty}/${l.orders}`).join(' ');
    same(`levels(${side}, 3)`, r.book.levels(side, 3).map((l) => `${l.price}:${l.qty}/${l.orders}`).join(' '), want);
  }

  const L = r.ledger;
  // Who got what: each user's money and shares, and the fee account, as booked from the fills.
  for (const u of USERS) {
    same(`money of user ${u}`, L.balance(`available:${u}`) + L.balance(`reserved:${u}`), m.cash.get(u));
    for (const outcome of ['YES', 'NO'] as const) {
      const p = L.position(u, outcome);
      same(`${outcome} shares of user ${u}`, p.held + p.reserved, m.held.get(`${u}:${outcome}`));
    }
  }
  same('fee account', L.balance('fees'), m.fees);
  // (1) money is neither created nor lost (the deposits account is negative).
  let sum = 0;
  for (const v of L.money.values()) sum += v;
  same('(1) sum of all balances', sum, 0);
  // (2) no user account below 0, in money or shares.
  for (const [k, v] of L.money) holds(`(2) ${k} = ${v} < 0`, v >= 0 || k === 'deposits' || k === 'fees');
  for (const [k, p] of L.shares) holds(`(2) shares ${k} negative`, p.held >= 0 && p.reserved >= 0);
  // (3) escrow = 100 × outstanding YES = 100 × outstanding NO.
  let yes = 0;
  let no = 0;
  for (const [k, p] of L.shares) {
    if (k.endsWith(':YES')) yes += p.held + p.reserved;
    else no += p.held + p.reserved;
  }
  same('(3) escrow vs YES', L.balance('escrow'), 100 * yes);
  same('(3) escrow vs NO', L.balance('escrow'), 100 * no);
  // (4) reserved money and shares equal exactly what the open orders need.
  for (const u of USERS) {
    let kop = 0;
    let yesShares = 0;
    let noShares = 0;
    for (const o of expected) {
      if (o.userId !== u) continue;
      if (o.intent === 'BUY_YES' || o.intent === 'BUY_NO') kop += refOwn(o.intent, o.price) * o.remaining;
      else if (o.intent === 'SELL_YES') yesShares += o.remaining;
      else noShares += o.remaining;
    }
    same(`(4) reserved kop of user ${u}`, L.balance(`reserved:${u}`), kop);
    same(`(4) reserved YES of user ${u}`, L.position(u, 'YES').reserved, yesShares);
    same(`(4) reserved NO of user ${u}`, L.position(u, 'NO').reserved, noShares);
  }
}

type OrderKind = 'GTC' | 'GTD' | 'IOC' | 'FOK' | 'POST' | 'SPEND';
interface PlaceSpec {
  user: number;
  intent: Intent;
  price: number;
  kind: OrderKind;
  qty: number;
  spend: number;
  ttl: number;
  bps: number;
}

class PlaceCommand implements fc.Command<Model, Real> {
  constructor(readonly s: PlaceSpec) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const s = this.s;
    const spend = s.kind === 'SPEND';
    const tif: TimeInForce = s.kind === 'POST' ? 'GTC' : s.kind === 'SPEND' ? 'IOC' : s.kind;
    const id = m.nextId++;
    const o: IncomingOrder = {
      id, userId: s.user, intent: s.intent, limitPrice: s.price, tif, postOnly: s.kind === 'POST',
      expiresAt: s.kind === 'GTD' ? m.now + s.ttl : null, takerFeeBps: s.bps, seq: id,
      ...(spend ? { spendKop: s.spend as Kop } : { qty: s.qty }),
    };
    // The service's checks before matching: limits, then affordability.
    if (!validateOrder(o, m.now).ok) return;
    const need = reserveFor(o);
    const pos = r.ledger.position(s.user, need.outcome);
    if (r.ledger.balance(`available:${s.user}`) < need.kop || pos.held < need.shares) return;

    const before = new Map(m.ref.orders.map((x) => [x.id, { ...x }]));
    r.ledger.apply(reserveEffects(o));
    const got = match(r.book, o, m.now);
    const want = m.ref.place(o, m.now);
    same('match result', fmtResult(got), fmtResult(want));
    for (const f of want.fills) bookFill(m, f);

    checkFillsAgainstBook(o, got, before, m.now);
    for (const f of got.fills) r.ledger.apply(fillEffects(f));
    for (const x of [...got.selfTradeCancelled, ...got.expired]) r.ledger.apply(cancelEffects(x));
    r.ledger.apply(takerReleaseEffects(o, got));
    checkAll(m, r);
  }
  toString(): string {
    return `place(${JSON.stringify(this.s)})`;
  }
}

/** Fills at the maker's price, and price-time priority: no better live, foreign maker was left unfilled. */
function checkFillsAgainstBook(o: IncomingOrder, res: MatchResult, before: Map<number, RestingOrder>, now: number): void {
  const bidTaker = IS_BID[o.intent];
  const better = (a: RestingOrder, b: RestingOrder) =>
    a.price !== b.price ? (bidTaker ? a.price < b.price : a.price > b.price) : a.seq < b.seq;
  const filledQty = new Map<number, number>();
  for (const f of res.fills) filledQty.set(f.makerOrderId, (filledQty.get(f.makerOrderId) ?? 0) + f.qty);
  for (const f of res.fills) {
    const maker = before.get(f.makerOrderId)!;
    same('fill price = maker price', f.price, maker.price);
    holds('fill within the taker limit', bidTaker ? f.price <= o.limitPrice : f.price >= o.limitPrice);
    for (const other of before.values()) {
      const live = other.expiresAt === null || other.expiresAt > now;
      if (IS_BID[other.intent] !== bidTaker && live && other.userId !== o.userId && better(other, maker)) {
        same(`priority: better maker #${other.id} fully filled before #${maker.id}`, filledQty.get(other.id), other.remaining);
      }
    }
  }
}

class CancelCommand implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const open = refSort(m.ref.orders);
    const id = open.length === 0 ? 999_999 : open[this.pick % open.length]!.id;
    const got = r.book.cancel(id);
    const want = m.ref.cancel(id);
    same('cancel', got && fmtOrder(got), want && fmtOrder(want));
    if (got !== null) r.ledger.apply(cancelEffects(got));
    checkAll(m, r);
  }
  toString(): string {
    return `cancel(#${this.pick})`;
  }
}

class ExpireCommand implements fc.Command<Model, Real> {
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const got = expire(r.book, m.now);
    same('expire', fmtBook(got), fmtBook(m.ref.expire(m.now)));
    for (const x of got) r.ledger.apply(cancelEffects(x));
    checkAll(m, r);
  }
  toString(): string {
    return 'expire()';
  }
}

class AdvanceCommand implements fc.Command<Model, Real> {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  run(m: Model): void {
    m.now += this.ms;
  }
  toString(): string {
    return `advance(${this.ms})`;
  }
}

const placeArb = fc
  .record({
    user: fc.constantFrom(...USERS),
    intent: fc.constantFrom<Intent>('BUY_YES', 'SELL_YES', 'BUY_NO', 'SELL_NO'),
    price: fc.integer({ min: 47, max: 53 }),
    // Takers that reach across the spread (also tests the limit bounding the walk).
    reach: fc.constantFrom(0, 0, 3, 6),
    kind: fc.constantFrom<OrderKind>('GTC', 'GTC', 'GTC', 'GTD', 'GTD', 'IOC', 'FOK', 'POST', 'SPEND', 'SPEND'),
    // Mostly small; sometimes large enough (≥ 190 shares) for a non-zero 1 bp maker rebate.
    qty: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 15, max: 70 }) }, { weight: 1, arbitrary: fc.integer({ min: 150, max: 400 }) }),
    spend: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 900, max: 4_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 25_000 }) }),
    ttl: fc.integer({ min: 1, max: 4_000 }),
    bps: fc.constantFrom(10, 5, 2),
  })
  // "spend X ₽" is a buy; keep the generated outcome.
  .map(({ reach, ...s }) => {
    const intent: Intent = s.kind === 'SPEND' ? (IS_YES[s.intent] ? 'BUY_YES' : 'BUY_NO') : s.intent;
    return { ...s, intent, price: s.price + (IS_BID[intent] ? reach : -reach) };
  })
  .map((s) => new PlaceCommand(s));

const commandsArb = fc.commands(
  [
    placeArb,
    placeArb,
    placeArb,
    placeArb,
    fc.nat().map((n) => new CancelCommand(n)),
    fc.constant(new ExpireCommand()),
    fc.integer({ min: 0, max: 3_000 }).map((ms) => new AdvanceCommand(ms)),
  ],
  { maxCommands: 60, size: 'max' },
);

function setup(): { model: Model; real: Real } {
  const ledger = new Ledger();
  for (const u of USERS) {
    ledger.transfer('deposits', `available:${u}`, DEPOSIT);
    ledger.transfer(`available:${u}`, 'escrow', 100 * START_PAIRS);
    ledger.position(u, 'YES').held = START_PAIRS;
    ledger.position(u, 'NO').held = START_PAIRS;
  }
  const cash = new Map(USERS.map((u) => [u, DEPOSIT - 100 * START_PAIRS]));
  const held = new Map(USERS.flatMap((u) => [[`${u}:YES`, START_PAIRS], [`${u}:NO`, START_PAIRS]] as const));
  return { model: { ref: new RefBook(), now: START_MS, nextId: 1, cash, held, fees: 0 }, real: { book: new OrderBook(), ledger } };
}

describe('exchange model (OrderBook + match + effects vs naive reference)', () => {
  it('agrees with the reference and keeps ledger invariants 1–4 after every step', () => {
    fc.assert(
      fc.property(commandsArb, (cmds) => {
        fc.modelRun(setup, cmds);
      }),
      { numRuns: 10_000 },
    );
  });
});
