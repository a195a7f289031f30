import type { EntityManager } from 'typeorm';
import {
  cancelEffects, expire, fillEffects, match, ownPrice, preTradeCheck, reserveEffects,
  takerReleaseEffects, type AccountRef, type Effects, type MoneyMove, type OrderBook,
} from '../exchange';
import { outcomeOf } from '../exchange/intent';
import type { Fill, Intent, RestingOrder } from '../exchange/types';
import type { OrderStatus } from '../entities';
import { post, systemAccountId, userAccountsOf, type Move } from '../ledger/ledger';
import { kop, type Kop } from '../money';
import type {
  CancelAllCommand, CancelOrderCommand, CommandResult, MatchingCommand, OrderOutcome, PlaceOrderCommand,
} from './commands';
import { fail, isFailureCode } from './result';
import { takerVolume, takerVolumes } from './volume';

/** The market row as locked for the batch. */
export interface LockedMarket {
  id: number;
  status: string;
  tradingPaused: boolean;
  deadline: Date;
  bookVersion: number;
  escrowAccountId: number;
}

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
}

interface NewOrder {
  id: number;
  userId: number;
  intent: Intent;
  bookPrice: number;
  qty: number;
  spendKop: Kop | null;
  remaining: number;
  filled: number;
  kind: 'limit' | 'market';
  tif: string;
  postOnly: boolean;
  expiresAt: number | null;
  status: OrderStatus;
  costKop: number;
  feeKop: number;
  cancelReason: string | null;
  idempotencyKey: string;
}

interface OrderDelta {
  remaining: number;
  filled: number;
  cost: number;
  fee: number;
  status: OrderStatus;
  reason: string | null;
}

type Ref = { type: 'order'; id: number } | { type: 'fill'; index: number };

/**
 * One transaction's worth of a market's commands (a "unit of work"): each command runs the pure
 * core (validate → reserve → match → effects) against the in-memory book and in-memory balances,
 * and `flush()` writes everything with a fixed number of statements, whatever the number of
 * commands. That is what lets a backlog of one market's commands share one commit without
 * weakening any rule: commands still apply strictly in order, each sees the effects of the ones
 * before it (shares bought can be sold in the very next command), and nothing is visible until
 * the whole batch commits.
 *
 * Must run inside a transaction holding the market row lock (see matching.ts).
 */
export class MarketBatch {
  readonly notices: Notice[] = [];
  private readonly moves: { move: MoneyMove; ref: Ref }[] = [];
  private readonly availLoaded = new Map<number, number>();
  private readonly availDelta = new Map<number, number>();
  private readonly posLoaded = new Map<string, { shares: number; reserved: number }>();
  private readonly posDelta = new Map<string, { userId: number; outcome: 'YES' | 'NO'; shares: number; reserved: number }>();
  private readonly newOrders = new Map<number, NewOrder>();
  private readonly newByKey = new Map<string, NewOrder>();
  private readonly deltas = new Map<number, OrderDelta>();
  private readonly fills: Fill[] = [];
  private readonly volumeAdded = new Map<number, number>();
  private readonly volume30d = new Map<number, number>();
  private readonly known = new Map<string, NewOrder>();
  private readonly ids: number[] = [];
  private lastPrice: number | null = null;
  private tradedKop = 0;
  private changed = false;
  private closing = false;
  /** Orders cancelled by this batch's first `close` (later ones find the book empty). */
  private closedOrders = 0;

  constructor(
    private readonly m: EntityManager,
    private readonly market: LockedMarket,
    readonly book: OrderBook,
    private readonly now: number,
  ) {}

  /**
   * Reads in a few statements what the commands will need (earlier orders with their keys, order
   * ids, the takers' balances, volumes and positions), so that applying them costs no round trip.
   */
  async prepare(cmds: readonly MatchingCommand[]): Promise<void> {
    const places = cmds.filter((c): c is PlaceOrderCommand => c.type === 'place');
    if (places.length === 0) return;
    const m = this.m;
    const users = [...new Set(places.map((c) => c.userId))];
    // One connection per transaction: these run one after another (pg queues them anyway).
    const orders = await m.query(
      `SELECT id, user_id, intent, price, qty, remaining, filled, status, cost_kop, fee_kop, cancel_reason, idempotency_key
         FROM orders WHERE idempotency_key = ANY($1::text[])`, [places.map((c) => c.idempotencyKey)]);
    const ids = await m.query(`SELECT nextval('orders_id_seq') AS id FROM generate_series(1, $1)`, [places.length]);
    const balances = await m.query(
      `SELECT user_id, balance FROM accounts WHERE user_id = ANY($1::bigint[]) AND kind = 'available'`, [users]);
    const volumes = await takerVolumes(m, users);
    const positions = await m.query(
      `SELECT user_id, outcome, shares, reserved FROM positions WHERE market_id = $1 AND user_id = ANY($2::bigint[])`,
      [this.market.id, users]);
    for (const r of orders) this.known.set(r.idempotency_key, orderFromRow(r));
    for (const r of ids) this.ids.push(Number(r.id));
    for (const u of users) {
      this.availLoaded.set(u, 0);
      this.volume30d.set(u, 0);
      for (const o of ['YES', 'NO']) this.posLoaded.set(`${u}:${o}`, { shares: 0, reserved: 0 });
    }
    for (const r of balances) this.availLoaded.set(Number(r.user_id), Number(r.balance));
    for (const [u, v] of volumes) this.volume30d.set(u, v);
    for (const r of positions) this.posLoaded.set(`${r.user_id}:${r.outcome}`, { shares: r.shares, reserved: r.reserved });
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

  private async place(cmd: PlaceOrderCommand): Promise<CommandResult> {
    const seen = this.newByKey.get(cmd.idempotencyKey) ?? (await this.findByKey(cmd.idempotencyKey));
    if (seen) return seen.status === 'rejected' ? fail(isFailureCode(seen.cancelReason) ? seen.cancelReason : 'rejected') : { ok: true, outcome: toOutcome(seen) };
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
    const result = match(this.book, incoming, this.now);
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
    for (const f of result.fills) this.recordFill(f, order);
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

  private recordFill(f: Fill, taker: NewOrder): void {
    const index = this.fills.push(f) - 1;
    this.applyEffects(fillEffects(f), { type: 'fill', index });
    const takerKop = ownPrice(f.takerIntent, f.price) * f.qty;
    const makerKop = ownPrice(f.makerIntent, f.price) * f.qty;
    taker.costKop += takerKop;
    taker.feeKop += f.takerFee;
    const left = this.book.get(f.makerOrderId)?.remaining ?? 0;
    this.updateOrder(f.makerOrderId, {
      remaining: left, filled: f.qty, cost: makerKop, fee: -f.makerRebate,
      status: left > 0 ? 'open' : 'filled', reason: null,
    });
    this.lastPrice = f.price;
    this.tradedKop += f.kind === 'mint' || f.kind === 'merge' ? 100 * f.qty : f.kind === 'transfer_yes' ? f.price * f.qty : (100 - f.price) * f.qty;
    this.notices.push({
      userId: f.makerUserId, marketId: this.market.id, orderId: f.makerOrderId, kind: 'fill',
      intent: f.makerIntent, shares: f.qty, price: ownPrice(f.makerIntent, f.price), amountKop: kop(makerKop),
    });
  }

  /** Takes a resting order out (already removed from the book) and releases its reserve. */
  private removeResting(o: RestingOrder, status: OrderStatus, notice: Notice['kind'], reason: string = status): void {
    this.changed = true;
    this.applyEffects(cancelEffects(o), { type: 'order', id: o.id });
    this.updateOrder(o.id, { remaining: 0, filled: 0, cost: 0, fee: 0, status, reason });
    this.notices.push({
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
  private async volumeOf(userId: number): Promise<number> {
    if (!this.volume30d.has(userId)) {
      this.volume30d.set(userId, await takerVolume(this.m, userId));
    }
    return this.volume30d.get(userId)! + (this.volumeAdded.get(userId) ?? 0);
  }

  private async findByKey(key: string): Promise<NewOrder | null> {
    if (this.known.has(key)) return this.known.get(key)!;
    const [r] = await this.m.query(
      `SELECT id, user_id, intent, price, qty, remaining, filled, status, cost_kop, fee_kop, cancel_reason, idempotency_key
         FROM orders WHERE idempotency_key = $1`, [key]);
    return r ? orderFromRow(r) : null;
  }

  private async nextOrderId(): Promise<number> {
    const pre = this.ids.shift();
    if (pre !== undefined) return pre;
    const [r] = await this.m.query(`SELECT nextval('orders_id_seq') AS id`);
    return Number(r.id);
  }

  /**
   * Writes the batch: orders, fills, postings, positions, volume, market — a fixed number of
   * statements. Returns the market's new book version.
   * @throws InsufficientFundsError / constraint errors only on a bug (every command was checked).
   */
  async flush(): Promise<number> {
    if (!this.changed && this.newOrders.size === 0) return this.market.bookVersion;
    const m = this.m;
    const orders = [...this.newOrders.values()];
    if (orders.length > 0) {
      await m.query(
        `INSERT INTO orders (id, market_id, user_id, intent, price, qty, spend_kop, remaining, filled, kind, tif,
                             post_only, expires_at, status, cost_kop, fee_kop, cancel_reason, idempotency_key)
         SELECT o.id, $1, o.user_id, o.intent, o.price, o.qty, o.spend, o.remaining, o.filled, o.kind, o.tif,
                o.post_only, to_timestamp(o.expires / 1000.0), o.status, o.cost, o.fee, o.reason, o.key
           FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::smallint[], $6::int[], $7::bigint[], $8::int[],
                       $9::int[], $10::text[], $11::text[], $12::bool[], $13::bigint[], $14::text[], $15::bigint[],
                       $16::bigint[], $17::text[], $18::text[])
             AS o(id, user_id, intent, price, qty, spend, remaining, filled, kind, tif, post_only, expires, status,
                  cost, fee, reason, key)`,
        [this.market.id, ...columns(orders, [
          (o) => o.id, (o) => o.userId, (o) => o.intent, (o) => o.bookPrice, (o) => o.qty, (o) => o.spendKop,
          (o) => o.remaining, (o) => o.filled, (o) => o.kind, (o) => o.tif, (o) => o.postOnly, (o) => o.expiresAt,
          (o) => o.status, (o) => o.costKop, (o) => o.feeKop, (o) => o.cancelReason, (o) => o.idempotencyKey,
        ])],
      );
    }
    if (this.deltas.size > 0) {
      const ids = [...this.deltas.keys()];
      const ds = ids.map((id) => this.deltas.get(id)!);
      await m.query(
        `UPDATE orders o SET remaining = d.remaining, filled = o.filled + d.filled, cost_kop = o.cost_kop + d.cost,
                fee_kop = o.fee_kop + d.fee, status = d.status, cancel_reason = COALESCE(d.reason, o.cancel_reason),
                updated_at = now()
           FROM unnest($1::bigint[], $2::int[], $3::int[], $4::bigint[], $5::bigint[], $6::text[], $7::text[])
             AS d(id, remaining, filled, cost, fee, status, reason)
          WHERE o.id = d.id AND o.status = 'open'`,
        [ids, ...columns(ds, [(d) => d.remaining, (d) => d.filled, (d) => d.cost, (d) => d.fee, (d) => d.status, (d) => d.reason])],
      );
    }
    const fillIds = await this.insertFills();
    await post(m, await this.postings(fillIds));
    await this.writePositions();
    await this.writeVolume();
    // TypeORM returns [rows, affected] for an UPDATE ... RETURNING on Postgres.
    const [[r]] = await m.query(
      `UPDATE markets SET book_version = book_version + 1, last_price = COALESCE($2, last_price),
              volume_kop = volume_kop + $3,
              -- Only an open market closes: a late close command (deadline sweep queued before an
              -- early resolution) must not turn a proposed, resolved or settled market back.
              status = CASE WHEN $4 AND status = 'open' THEN 'closed' ELSE status END,
              closed_at = CASE WHEN $4 AND status = 'open' THEN now() ELSE closed_at END
        WHERE id = $1 RETURNING book_version`,
      [this.market.id, this.lastPrice, this.tradedKop, this.closing],
    );
    // The audit trail of the lifecycle (market_events): trading stopped, and how many orders that cancelled.
    if (this.closing && this.market.status === 'open') {
      await m.query(`INSERT INTO market_events (market_id, kind, data) VALUES ($1, 'closed', $2)`,
        [this.market.id, { cancelled: this.closedOrders }]);
    }
    if (this.lastPrice !== null) {
      await m.query(`INSERT INTO price_points (market_id, at, price, volume_kop) VALUES ($1, to_timestamp($2 / 1000.0), $3, $4)`,
        [this.market.id, this.now, this.lastPrice, this.tradedKop]);
    }
    return Number(r.book_version);
  }

  private async insertFills(): Promise<number[]> {
    if (this.fills.length === 0) return [];
    const rows: { id: string }[] = await this.m.query(
      `SELECT nextval('fills_id_seq') AS id FROM generate_series(1, $1)`, [this.fills.length]);
    const ids = rows.map((x) => Number(x.id));
    await this.m.query(
      `INSERT INTO fills (id, market_id, maker_order_id, taker_order_id, maker_user_id, taker_user_id, kind, price, qty,
                          taker_fee_kop, maker_rebate_kop, created_at)
       SELECT f.*, to_timestamp($12 / 1000.0) FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
                            $6::bigint[], $7::text[], $8::smallint[], $9::int[], $10::bigint[], $11::bigint[]) AS f`,
      [ids, this.fills.map(() => this.market.id), ...columns(this.fills, [
        (f) => f.makerOrderId, (f) => f.takerOrderId, (f) => f.makerUserId, (f) => f.takerUserId, (f) => f.kind,
        (f) => f.price, (f) => f.qty, (f) => f.takerFee, (f) => f.makerRebate,
      ]), this.now],
    );
    return ids;
  }

  private async postings(fillIds: number[]): Promise<Move[]> {
    const users = new Set<number>();
    for (const { move } of this.moves) {
      for (const a of [move.from, move.to]) if (a.kind === 'available' || a.kind === 'reserved') users.add(a.userId);
    }
    const accounts = await userAccountsOf(this.m, [...users]);
    const fees = await systemAccountId(this.m, 'house:fees');
    const idOf = (a: AccountRef): number => {
      if (a.kind === 'escrow') return this.market.escrowAccountId;
      if (a.kind === 'fees') return fees;
      return accounts.get(a.userId)![a.kind];
    };
    return this.moves.map(({ move, ref }) => ({
      from: idOf(move.from),
      to: idOf(move.to),
      amount: move.amount,
      kind: move.kind,
      refType: ref.type,
      refId: ref.type === 'order' ? ref.id : fillIds[ref.index]!,
    }));
  }

  private async writePositions(): Promise<void> {
    // Sorted, so concurrent batches lock position rows in one order.
    const ps = [...this.posDelta.values()].filter((p) => p.shares !== 0 || p.reserved !== 0)
      .sort((a, b) => a.userId - b.userId || a.outcome.localeCompare(b.outcome));
    if (ps.length === 0) return;
    const cols = [this.market.id, ...columns(ps, [(p) => p.userId, (p) => p.outcome, (p) => p.shares, (p) => p.reserved])];
    // Two steps: a row with a negative delta must never be inserted (the CHECK would fire before
    // ON CONFLICT could turn it into an update), so rows are created empty, then changed.
    await this.m.query(
      `INSERT INTO positions (user_id, market_id, outcome)
       SELECT p.user_id, $1, p.outcome FROM unnest($2::bigint[], $3::text[]) AS p(user_id, outcome)
       ON CONFLICT (user_id, market_id, outcome) DO NOTHING`,
      cols.slice(0, 3),
    );
    await this.m.query(
      `UPDATE positions t SET shares = t.shares + p.shares, reserved = t.reserved + p.reserved
         FROM unnest($2::bigint[], $3::text[], $4::int[], $5::int[]) AS p(user_id, outcome, shares, reserved)
        WHERE t.user_id = p.user_id AND t.market_id = $1 AND t.outcome = p.outcome`,
      cols,
    );
  }

  private async writeVolume(): Promise<void> {
    const vs = [...this.volumeAdded.entries()].filter(([, v]) => v > 0).sort((a, b) => a[0] - b[0]);
    if (vs.length === 0) return;
    await this.m.query(
      `INSERT INTO taker_volume (user_id, day, notional_kop)
       SELECT v.user_id, (to_timestamp($3 / 1000.0) AT TIME ZONE 'UTC')::date, v.kop
         FROM unnest($1::bigint[], $2::bigint[]) AS v(user_id, kop)
       ON CONFLICT (user_id, day) DO UPDATE SET notional_kop = taker_volume.notional_kop + EXCLUDED.notional_kop`,
      [vs.map(([u]) => u), vs.map(([, v]) => v), this.now],
    );
  }
}

function orderFromRow(r: any): NewOrder {
  return {
    id: Number(r.id), userId: Number(r.user_id), intent: r.intent, bookPrice: r.price, qty: r.qty, spendKop: null,
    remaining: r.remaining, filled: r.filled, kind: 'limit', tif: 'GTC', postOnly: false, expiresAt: null,
    status: r.status, costKop: Number(r.cost_kop), feeKop: Number(r.fee_kop), cancelReason: r.cancel_reason,
    idempotencyKey: r.idempotency_key,
  };
}

/** Column arrays for an `unnest` insert. */
function columns<T>(rows: readonly T[], getters: ((row: T) => unknown)[]): unknown[][] {
  return getters.map((g) => rows.map(g));
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
