import type { EntityManager } from 'typeorm';
import {
  cancelEffects, expire, fillEffects, matchWithMaker, ownPrice, preTradeCheck, requote, reserveEffects,
  takerReleaseEffects, type Effects, type MakerSim, type MakerStep, type MoneyMove, type OrderBook,
} from '../exchange';
import { outcomeOf } from '../exchange/intent';
import type { Fill, Intent, RestingOrder } from '../exchange/types';
import type { OrderStatus } from '../entities';
import type { Move } from '../ledger/ledger';
import { kop, type Kop } from '../money';
import type {
  CancelAllCommand, CancelOrderCommand, CommandResult, MatchingCommand, OrderOutcome, PlaceOrderCommand,
} from './commands';
import { loadMakerState, loadMakerStates, type MakerState } from './maker-state';
import { BatchWriter, type AccountLookup, type BatchChanges, type DeferredRows, type LockedMarket, type NewOrder, type OrderDelta, type PositionDelta, type Ref } from './market-batch-writer';
import { fail, isFailureCode } from './result';
import { exclusionBlock, exclusionsOf } from './responsible-use';
import { takerVolume, takerVolumes } from './volume';

/**
 * Order ids kept at hand while the maker is in the book: a requote places at most a few orders
 * per level of its window, and matching with it is synchronous (maker-match.ts).
 */
const MAKER_ID_RESERVE = 256;

export type { LockedMarket };

/** A message for a user about their resting order, sent after commit (STYLE §6). */
export interface Notice {
  userId: number;
  marketId: number;
  orderId: number;
  kind: 'fill' | 'self_trade_cancelled' | 'order_expired' | 'market_closed';
  intent: Intent;
  shares: number;
  /** Own price, kop per share. */
  price: number;
  /** Paid (buys) or received (sells) before fees, kop. */
  amountKop: Kop;
  /** A fill's maker rebate, kop (DESIGN fees: 0.01 %, rounded down; 0 or absent otherwise). */
  rebateKop?: Kop;
}


/**
 * One transaction's worth of a market's commands (a "unit of work", in memory; its database
 * writer is market-batch-writer.ts): each command runs the pure
 * core (validate → reserve → match → effects) against the in-memory book and in-memory balances,
 * and `flush()` writes everything with a fixed number of statements, whatever the number of
 * commands. That is what lets a backlog of one market's commands share one commit without
 * weakening any rule: commands still apply strictly in order, each sees the effects of the ones
 * before it (shares bought can be sold in the very next command), and nothing is visible until
 * the whole batch commits.
 *
 * Must run inside a transaction holding the market row lock (see matching.ts).
 */
/**
 * The not yet written balance and volume changes of every batch of one transaction that applies
 * several markets (matching.ts `drainMarkets`): the batches share these maps, so a later market's
 * batch sees the money an earlier one spent or freed although the postings are written once, for
 * all of them, at the end. Absent, a batch keeps its own.
 */
export interface GroupLedger {
  /** user id → change of the user's available kop. */
  availDelta: Map<number, number>;
  /** user id → taker notional added today, kop. */
  volumeAdded: Map<number, number>;
}

/**
 * What the batches of one transaction will read before applying their place commands, read for
 * all of them at once (a handful of statements whatever the number of markets): earlier orders by
 * idempotency key, fresh order ids (in increasing order; each batch takes as many as it has
 * places, so its ids keep time priority), and the takers' balances, 30-day volumes, self-exclusions
 * and, per market, positions (key `market:user:outcome`).
 */
export interface GroupPrefetch {
  orders: Map<string, NewOrder>;
  ids: number[];
  balances: Map<number, number>;
  volumes: Map<number, number>;
  exclusions: Map<number, Date>;
  positions: Map<string, { shares: number; reserved: number }>;
  /** The markets' house makers (a market absent has none), read when the group has several markets. */
  makers?: Map<number, MakerState>;
}

/** Reads a {@link GroupPrefetch} for the place commands of `parts` (one entry per market). */
export async function prefetchPlaces(
  m: EntityManager, parts: readonly { marketId: number; cmds: readonly MatchingCommand[] }[],
): Promise<GroupPrefetch> {
  const places = parts.flatMap((p) => p.cmds.filter((c): c is PlaceOrderCommand => c.type === 'place'));
  const users = [...new Set(places.map((c) => c.userId))];
  const markets = parts.filter((p) => p.cmds.some((c) => c.type === 'place')).map((p) => p.marketId);
  const out: GroupPrefetch = { orders: new Map(), ids: [], balances: new Map(), volumes: new Map(), exclusions: new Map(), positions: new Map() };
  if (places.length === 0) return out;
  // One connection per transaction: these run one after another (pg queues them anyway).
  const orders = await m.query(
    `SELECT id, user_id, intent, price, qty, remaining, filled, status, cost_kop, fee_kop, cancel_reason, idempotency_key
       FROM orders WHERE idempotency_key = ANY($1::text[])`, [places.map((c) => c.idempotencyKey)]);
  const ids = await m.query(`SELECT nextval('orders_id_seq') AS id FROM generate_series(1, $1)`, [places.length]);
  const balances = await m.query(
    `SELECT user_id, balance FROM accounts WHERE user_id = ANY($1::bigint[]) AND kind = 'available'`, [users]);
  const volumes = await takerVolumes(m, users);
  out.exclusions = await exclusionsOf(m, users);
  const positions = await m.query(
    `SELECT market_id, user_id, outcome, shares, reserved FROM positions WHERE market_id = ANY($1::bigint[]) AND user_id = ANY($2::bigint[])`,
    [markets, users]);
  for (const r of orders) out.orders.set(r.idempotency_key, orderFromRow(r));
  out.ids = ids.map((r: { id: string }) => Number(r.id)).sort((a: number, b: number) => a - b);
  for (const r of balances) out.balances.set(Number(r.user_id), Number(r.balance));
  for (const [u, v] of volumes) out.volumes.set(u, v);
  for (const r of positions) out.positions.set(`${r.market_id}:${r.user_id}:${r.outcome}`, { shares: r.shares, reserved: r.reserved });
  if (parts.length > 1) out.makers = await loadMakerStates(m, parts.map((p) => p.marketId));
  return out;
}

export class MarketBatch {
  readonly notices: Notice[] = [];
  private readonly moves: { move: MoneyMove; ref: Ref }[] = [];
  private readonly availLoaded = new Map<number, number>();
  private readonly availDelta: Map<number, number>;
  private readonly posLoaded = new Map<string, { shares: number; reserved: number }>();
  private readonly posDelta = new Map<string, PositionDelta>();
  private readonly newOrders = new Map<number, NewOrder>();
  private readonly newByKey = new Map<string, NewOrder>();
  private readonly deltas = new Map<number, OrderDelta>();
  private readonly fills: Fill[] = [];
  private readonly volumeAdded: Map<number, number>;
  private readonly volume30d = new Map<number, number>();
  /** Self-exclusion ends of the batch's takers (issue 9), null when never excluded. */
  private readonly excludedUntil = new Map<number, Date | null>();
  private readonly known = new Map<string, NewOrder>();
  /** Keys `prepare` looked up: one absent from `known` has no order yet (no second look, issue 13). */
  private readonly lookedUp = new Set<string>();
  private readonly ids: number[] = [];
  private lastPrice: number | null = null;
  private tradedKop = 0;
  private changed = false;
  private closing = false;
  /** Orders cancelled by this batch's first `close` (later ones find the book empty). */
  private closedOrders = 0;
  /** The group's reads (prepare), when this batch is one of several markets'. */
  private pre: GroupPrefetch | undefined;
  /** The market's maker, loaded at first use; null: the market has none. */
  private maker: MakerSim | null | undefined = undefined;

  constructor(
    private readonly m: EntityManager,
    private readonly market: LockedMarket,
    readonly book: OrderBook,
    private readonly now: number,
    group?: GroupLedger,
  ) {
    this.availDelta = group?.availDelta ?? new Map();
    this.volumeAdded = group?.volumeAdded ?? new Map();
  }

  /**
   * Reads in a few statements what the commands will need (earlier orders with their keys, order
   * ids, the takers' balances, volumes and positions), so that applying them costs no round trip.
   */
  async prepare(cmds: readonly MatchingCommand[], pre?: GroupPrefetch): Promise<void> {
    const places = cmds.filter((c): c is PlaceOrderCommand => c.type === 'place');
    if (places.length === 0) return;
    const users = [...new Set(places.map((c) => c.userId))];
    this.pre = pre;
    const got = pre ?? await prefetchPlaces(this.m, [{ marketId: this.market.id, cmds }]);
    for (const c of places) {
      const known = got.orders.get(c.idempotencyKey);
      if (known) this.known.set(c.idempotencyKey, known);
      this.lookedUp.add(c.idempotencyKey);
    }
    this.ids.push(...got.ids.splice(0, places.length));
    for (const u of users) {
      this.availLoaded.set(u, got.balances.get(u) ?? 0);
      this.volume30d.set(u, got.volumes.get(u) ?? 0);
      this.excludedUntil.set(u, got.exclusions.get(u) ?? null);
      for (const o of ['YES', 'NO']) {
        this.posLoaded.set(`${u}:${o}`, got.positions.get(`${this.market.id}:${u}:${o}`) ?? { shares: 0, reserved: 0 });
      }
    }
  }

  /** Applies one command in memory. Expected failures are results; exceptions are bugs. */
  async apply(cmd: MatchingCommand): Promise<CommandResult> {
    switch (cmd.type) {
      case 'place': return this.place(cmd);
      case 'cancel': return this.cancel(cmd);
      case 'cancel_all': return this.cancelAll(cmd);
      case 'expire': return this.sweep('expired');
      case 'close': return this.sweep('market_closed');
    }
  }

  /**
   * The market's maker (DESIGN §9) with its inventory as of now, loaded at its first use in the
   * batch (only this market's batches change it, under the market lock), or null without one.
   */
  private async makerSim(): Promise<MakerSim | null> {
    if (this.maker === undefined) {
      const loaded = this.pre?.makers ? this.pre.makers.get(this.market.id) ?? null : await loadMakerState(this.m, this.market.id);
      this.maker = loaded === null ? null : { params: loaded.params, inv: loaded.inv, nextId: () => this.takeId() };
    }
    if (this.maker !== null) await this.topUpIds(MAKER_ID_RESERVE);
    return this.maker;
  }

  /**
   * Brings the maker's orders in line with its quote (a new market, or new money after
   * `addLiquidity`); a no-op without a maker or when its orders already equal its quote.
   */
  async requoteMaker(): Promise<void> {
    const maker = await this.makerSim();
    if (maker === null || this.market.status !== 'open') return;
    const steps: MakerStep[] = [];
    requote(this.book, maker, this.now, steps);
    this.applySteps(steps, null);
  }

  private async place(cmd: PlaceOrderCommand): Promise<CommandResult> {
    const seen = this.newByKey.get(cmd.idempotencyKey) ?? (await this.findByKey(cmd.idempotencyKey));
    if (seen) return seen.status === 'rejected' ? fail(isFailureCode(seen.cancelReason) ? seen.cancelReason : 'rejected') : { ok: true, outcome: toOutcome(seen) };
    const blocked = exclusionBlock(await this.exclusionOf(cmd.userId), new Date(this.now));
    if (blocked) return blocked;
    const checked = preTradeCheck(
      // A batch that has run `close` takes no more orders, whatever the row still says.
      { status: this.closing ? 'closed' : this.market.status, tradingPaused: this.market.tradingPaused, deadlineMs: this.market.deadline.getTime() },
      {
        volume30dKop: await this.volumeOf(cmd.userId),
        availableKop: await this.available(cmd.userId),
        freeShares: await this.freeShares(cmd.userId, outcomeOf(cmd.intent)),
      },
      cmd, this.now);
    if (!checked.ok) return fail(checked.code, checked.vars);
    const incoming = checked.order;

    const id = await this.nextOrderId();
    incoming.id = id;
    incoming.seq = id;
    const { result, steps } = matchWithMaker(this.book, incoming, this.now, await this.makerSim());
    const order: NewOrder = {
      id, userId: cmd.userId, intent: cmd.intent, bookPrice: incoming.limitPrice, qty: cmd.qty ?? 0,
      spendKop: cmd.spendKop ?? null, remaining: 0, filled: 0, kind: cmd.kind, tif: cmd.tif,
      postOnly: incoming.postOnly, expiresAt: incoming.expiresAt, status: 'rejected', costKop: 0, feeKop: 0,
      cancelReason: result.rejected ?? null, idempotencyKey: cmd.idempotencyKey,
    };
    this.newOrders.set(id, order);
    this.newByKey.set(cmd.idempotencyKey, order);
    // A rejected order is recorded (so a retried command gets the same answer) but moves nothing.
    if (result.rejected) return fail(result.rejected);

    this.changed = true;
    this.applyEffects(reserveEffects(incoming), { type: 'order', id });
    for (const o of result.expired) this.removeResting(o, 'expired', 'order_expired');
    for (const o of result.selfTradeCancelled) this.removeResting(o, 'cancelled', 'self_trade_cancelled', 'self_trade');
    this.applySteps(steps, order);
    this.applyEffects(takerReleaseEffects(incoming, result), { type: 'order', id });

    order.filled = result.filledQty;
    order.remaining = result.rested;
    if (cmd.spendKop !== undefined) order.qty = result.filledQty;
    if (result.rested > 0) order.status = 'open';
    else if (result.filledQty === order.qty) order.status = 'filled';
    else {
      order.status = 'cancelled';
      order.cancelReason = 'unfilled_remainder';
    }
    this.volumeAdded.set(cmd.userId, (this.volumeAdded.get(cmd.userId) ?? 0) + order.costKop);
    return { ok: true, outcome: { ...toOutcome(order), selfTradeCancelled: result.selfTradeCancelled.length } };
  }

  /**
   * Records what matching with the maker did, in order: the taker's fills, and the maker's
   * requotes (cancelled and new maker orders with their reserves, and their own fills).
   */
  private applySteps(steps: readonly MakerStep[], taker: NewOrder | null): void {
    for (const s of steps) {
      if (s.kind === 'fill') {
        this.recordFill(s.fill, taker!, s.makerLeft);
      } else if (s.kind === 'maker_cancel') {
        this.changed = true;
        this.applyEffects(cancelEffects(s.order), { type: 'order', id: s.order.id });
        this.updateOrder(s.order.id, { remaining: 0, filled: 0, cost: 0, fee: 0, status: 'cancelled', reason: 'requote' });
      } else {
        this.changed = true;
        const o = s.order;
        const row: NewOrder = {
          id: o.id, userId: o.userId, intent: o.intent, bookPrice: o.limitPrice, qty: o.qty ?? 0, spendKop: null,
          remaining: 0, filled: 0, kind: 'limit', tif: 'GTC', postOnly: false, expiresAt: null, status: 'open',
          costKop: 0, feeKop: 0, cancelReason: null, idempotencyKey: `maker:${this.market.id}:${o.id}`,
        };
        this.newOrders.set(o.id, row);
        this.applyEffects(reserveEffects(o), { type: 'order', id: o.id });
        s.result.fills.forEach((f, i) => this.recordFill(f, row, s.makerLeft[i]!));
        this.applyEffects(takerReleaseEffects(o, s.result), { type: 'order', id: o.id });
        row.filled = s.result.filledQty;
        row.remaining = s.result.rested;
        row.status = s.result.rested > 0 ? 'open' : 'filled';
      }
    }
  }

  /** A message about a user's order, after commit; the maker has no chat to tell. */
  private notify(n: Notice): void {
    if (this.maker && n.userId === this.maker.params.userId) return;
    this.notices.push(n);
  }

  private recordFill(f: Fill, taker: NewOrder, left: number): void {
    const index = this.fills.push(f) - 1;
    this.applyEffects(fillEffects(f), { type: 'fill', index });
    const takerKop = ownPrice(f.takerIntent, f.price) * f.qty;
    const makerKop = ownPrice(f.makerIntent, f.price) * f.qty;
    taker.costKop += takerKop;
    taker.feeKop += f.takerFee;
    this.updateOrder(f.makerOrderId, {
      remaining: left, filled: f.qty, cost: makerKop, fee: -f.makerRebate,
      status: left > 0 ? 'open' : 'filled', reason: null,
    });
    this.lastPrice = f.price;
    this.tradedKop += f.kind === 'mint' || f.kind === 'merge' ? 100 * f.qty : f.kind === 'transfer_yes' ? f.price * f.qty : (100 - f.price) * f.qty;
    this.notify({
      userId: f.makerUserId, marketId: this.market.id, orderId: f.makerOrderId, kind: 'fill',
      intent: f.makerIntent, shares: f.qty, price: ownPrice(f.makerIntent, f.price), amountKop: kop(makerKop), rebateKop: f.makerRebate,
    });
  }

  /** Takes a resting order out (already removed from the book) and releases its reserve. */
  private removeResting(o: RestingOrder, status: OrderStatus, notice: Notice['kind'], reason: string = status): void {
    this.changed = true;
    this.applyEffects(cancelEffects(o), { type: 'order', id: o.id });
    this.updateOrder(o.id, { remaining: 0, filled: 0, cost: 0, fee: 0, status, reason });
    this.notify({
      userId: o.userId, marketId: this.market.id, orderId: o.id, kind: notice, intent: o.intent,
      shares: o.remaining, price: ownPrice(o.intent, o.price), amountKop: kop(0),
    });
  }

  private async cancel(cmd: CancelOrderCommand): Promise<CommandResult> {
    const o = this.book.get(cmd.orderId);
    if (!o || o.userId !== cmd.userId) return fail('order_not_open');
    this.book.cancel(cmd.orderId);
    this.changed = true;
    this.applyEffects(cancelEffects(o), { type: 'order', id: o.id });
    this.updateOrder(o.id, { remaining: 0, filled: 0, cost: 0, fee: 0, status: 'cancelled', reason: 'user' });
    return { ok: true, cancelled: 1 };
  }

  private async cancelAll(cmd: CancelAllCommand): Promise<CommandResult> {
    const mine = this.book.orders().filter((o) => o.userId === cmd.userId);
    for (const o of mine) await this.cancel({ ...cmd, type: 'cancel', orderId: o.id });
    return { ok: true, cancelled: mine.length };
  }

  /** Removes due GTD orders ('expired'), or every order when trading stops ('market_closed'). */
  private async sweep(why: 'expired' | 'market_closed'): Promise<CommandResult> {
    const gone = why === 'expired' ? expire(this.book, this.now) : this.book.orders();
    if (why === 'market_closed') {
      for (const o of gone) this.book.cancel(o.id);
      this.closedOrders += this.closing ? 0 : gone.length;
      this.closing = true;
      this.changed = true;
    }
    for (const o of gone) this.removeResting(o, why === 'expired' ? 'expired' : 'cancelled', why === 'expired' ? 'order_expired' : 'market_closed', why);
    return { ok: true, cancelled: gone.length };
  }

  private updateOrder(id: number, d: OrderDelta): void {
    const fresh = this.newOrders.get(id);
    if (fresh) {
      fresh.remaining = d.remaining;
      fresh.filled += d.filled;
      fresh.costKop += d.cost;
      fresh.feeKop += d.fee;
      fresh.status = d.status;
      fresh.cancelReason = d.reason ?? fresh.cancelReason;
      return;
    }
    const prev = this.deltas.get(id);
    this.deltas.set(id, prev
      ? { remaining: d.remaining, filled: prev.filled + d.filled, cost: prev.cost + d.cost, fee: prev.fee + d.fee, status: d.status, reason: d.reason ?? prev.reason }
      : d);
  }

  private applyEffects(e: Effects, ref: Ref): void {
    for (const move of e.moves) {
      this.moves.push({ move, ref });
      if (move.from.kind === 'available') this.bump(this.availDelta, move.from.userId, -move.amount);
      if (move.to.kind === 'available') this.bump(this.availDelta, move.to.userId, move.amount);
    }
    for (const s of e.shares) {
      const key = `${s.userId}:${s.outcome}`;
      const d = this.posDelta.get(key) ?? { userId: s.userId, outcome: s.outcome, shares: 0, reserved: 0 };
      d.shares += s.held + s.reserved;
      d.reserved += s.reserved;
      this.posDelta.set(key, d);
    }
  }

  private bump(map: Map<number, number>, key: number, by: number): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }

  /**
   * A user's available kop now: the committed value plus this batch's moves. Read without a lock
   * (locks are taken in account-id order at flush, see ledger.post): if another market's batch
   * spends the same money meanwhile, the CHECK constraint fails the flush and the batch reruns.
   */
  private async available(userId: number): Promise<number> {
    if (!this.availLoaded.has(userId)) {
      const [r] = await this.m.query(
        `SELECT balance FROM accounts WHERE user_id = $1 AND kind = 'available'`, [userId]);
      this.availLoaded.set(userId, r ? Number(r.balance) : 0);
    }
    return this.availLoaded.get(userId)! + (this.availDelta.get(userId) ?? 0);
  }

  /**
   * Shares of `outcome` the user holds and has not offered yet, including this batch's fills.
   * No lock needed: only this market's batches (serialized by the market lock) change them.
   */
  private async freeShares(userId: number, outcome: 'YES' | 'NO'): Promise<number> {
    const key = `${userId}:${outcome}`;
    if (!this.posLoaded.has(key)) {
      const [r] = await this.m.query(
        `SELECT shares, reserved FROM positions WHERE user_id = $1 AND market_id = $2 AND outcome = $3`,
        [userId, this.market.id, outcome]);
      this.posLoaded.set(key, { shares: r ? r.shares : 0, reserved: r ? r.reserved : 0 });
    }
    const p = this.posLoaded.get(key)!;
    const d = this.posDelta.get(key);
    return p.shares - p.reserved + (d ? d.shares - d.reserved : 0);
  }

  /** 30-day taker notional, kop, for the fee tier (seed plan: monthly volume). */
  private async exclusionOf(userId: number): Promise<Date | null> {
    if (!this.excludedUntil.has(userId)) this.excludedUntil.set(userId, (await exclusionsOf(this.m, [userId])).get(userId) ?? null);
    return this.excludedUntil.get(userId)!;
  }

  private async volumeOf(userId: number): Promise<number> {
    if (!this.volume30d.has(userId)) {
      this.volume30d.set(userId, await takerVolume(this.m, userId));
    }
    return this.volume30d.get(userId)! + (this.volumeAdded.get(userId) ?? 0);
  }

  private async findByKey(key: string): Promise<NewOrder | null> {
    if (this.known.has(key)) return this.known.get(key)!;
    if (this.lookedUp.has(key)) return null;
    const [r] = await this.m.query(
      `SELECT id, user_id, intent, price, qty, remaining, filled, status, cost_kop, fee_kop, cancel_reason, idempotency_key
         FROM orders WHERE idempotency_key = $1`, [key]);
    return r ? orderFromRow(r) : null;
  }

  private async nextOrderId(): Promise<number> {
    await this.topUpIds(1);
    return this.takeId();
  }

  /**
   * Makes sure `n` preallocated order ids are at hand (one statement when they are not). Takes at
   * least ID_CHUNK: the maker's requotes need ids one by one, and a gap in order ids is harmless.
   */
  private async topUpIds(n: number): Promise<void> {
    if (this.ids.length >= n) return;
    const rows: { id: string }[] = await this.m.query(
      `SELECT nextval('orders_id_seq') AS id FROM generate_series(1, $1)`, [Math.max(ID_CHUNK, 2 * n - this.ids.length)]);
    for (const r of rows) this.ids.push(Number(r.id));
  }

  /** The next preallocated order id; ids are taken in increasing order, so they keep time priority. */
  private takeId(): number {
    const id = this.ids.shift();
    if (id === undefined) throw new Error(`market ${this.market.id}: out of preallocated order ids`);
    return id;
  }


  /** The YES price of the batch's last fill (what flush commits as last_price), or null: nothing traded. */
  get committedPrice(): number | null {
    return this.lastPrice;
  }

  /** The market's status as locked for the batch ('open', 'closed', ...). */
  get marketStatus(): string {
    return this.market.status;
  }

  /** The batch ran `close`: trading stops when it commits. */
  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * Writes the batch (market-batch-writer.ts) and returns the market's new book version.
   * @throws InsufficientFundsError / constraint errors only on a bug (every command was checked).
   */
  async flush(): Promise<number> {
    return new BatchWriter(this.m, this.market, this.now, this.changes()).write();
  }

  /**
   * Like flush, in two steps: `flushOwn` writes what only this market touches and returns the new
   * book version; the returned `shared` writes the postings and taker volume (row locks shared
   * with other markets' batches), to be called last before commit (matching.ts); `sharedMoves`
   * returns those postings unwritten instead, for a transaction of several markets to post at once
   * (then the taker volume of the shared GroupLedger is written by that caller). With `defer`, the
   * new orders (when the batch has no fills) and the market row are left in it for writeDeferred.
   */
  async flushOwn(defer?: DeferredRows): Promise<{
    version: number; shared: () => Promise<void>; sharedMoves: (lookup?: AccountLookup) => Promise<Move[]>; movedUsers: () => number[];
  }> {
    const writer = new BatchWriter(this.m, this.market, this.now, this.changes());
    const version = await writer.writeOwn(defer);
    return { version, shared: () => writer.writeShared(), sharedMoves: (lookup) => writer.sharedMoves(lookup), movedUsers: () => writer.movedUsers() };
  }

  /** What the batch decided, for the writer. */
  private changes(): BatchChanges {
    return {
      changed: this.changed, newOrders: this.newOrders, deltas: this.deltas, fills: this.fills, moves: this.moves,
      posDelta: this.posDelta, volumeAdded: this.volumeAdded, lastPrice: this.lastPrice, tradedKop: this.tradedKop,
      closing: this.closing, closedOrders: this.closedOrders,
    };
  }
}

/** Fewest order ids fetched at once when the batch runs out (see topUpIds). */
const ID_CHUNK = 32;

function orderFromRow(r: any): NewOrder {
  return {
    id: Number(r.id), userId: Number(r.user_id), intent: r.intent, bookPrice: r.price, qty: r.qty, spendKop: null,
    remaining: r.remaining, filled: r.filled, kind: 'limit', tif: 'GTC', postOnly: false, expiresAt: null,
    status: r.status, costKop: Number(r.cost_kop), feeKop: Number(r.fee_kop), cancelReason: r.cancel_reason,
    idempotencyKey: r.idempotency_key,
  };
}

function toOutcome(o: NewOrder): OrderOutcome {
  return {
    orderId: o.id,
    marketId: 0,
    intent: o.intent,
    status: o.status,
    filled: o.filled,
    resting: o.remaining,
    costKop: kop(o.costKop),
    feeKop: kop(o.feeKop),
    selfTradeCancelled: 0,
    price: ownPrice(o.intent, o.bookPrice),
  };
}
