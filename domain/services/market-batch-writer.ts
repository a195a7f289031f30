import type { EntityManager } from 'typeorm';
import type { AccountRef, Fill, MoneyMove } from '../exchange';
import type { Intent } from '../exchange/types';
import type { OrderStatus } from '../entities';
import { post, systemAccountId, userAccountsOf, type Move, type UserAccounts } from '../ledger/ledger';
import type { Kop } from '../money';

/** The market row as locked for the batch. */
export interface LockedMarket {
  id: number;
  status: string;
  tradingPaused: boolean;
  deadline: Date;
  bookVersion: number;
  escrowAccountId: number;
}

export interface NewOrder {
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

export interface OrderDelta {
  remaining: number;
  filled: number;
  cost: number;
  fee: number;
  status: OrderStatus;
  reason: string | null;
}

export type Ref = { type: 'order'; id: number } | { type: 'fill'; index: number };

/** A position change of one user and outcome in the batch's market: deltas of total and reserved shares. */
export interface PositionDelta {
  userId: number;
  outcome: 'YES' | 'NO';
  shares: number;
  reserved: number;
}

/** Everything a {@link MarketBatch} decided in memory, for {@link BatchWriter} to write. */
export interface BatchChanges {
  /** Anything besides new (possibly rejected) order rows changed. */
  changed: boolean;
  newOrders: ReadonlyMap<number, NewOrder>;
  /** Changes of orders that were open before the batch. */
  deltas: ReadonlyMap<number, OrderDelta>;
  fills: readonly Fill[];
  moves: readonly { move: MoneyMove; ref: Ref }[];
  posDelta: ReadonlyMap<string, PositionDelta>;
  /** Taker notional per user, kop, for the fee tier's 30-day volume. */
  volumeAdded: ReadonlyMap<number, number>;
  lastPrice: number | null;
  tradedKop: number;
  /** Trading stopped in this batch (a close command). */
  closing: boolean;
  closedOrders: number;
}

/**
 * The database writer of a matching batch: turns a {@link BatchChanges} into rows with a fixed
 * number of statements whatever the number of commands (orders, fills, postings, positions,
 * volume, market). Runs in the batch's transaction, under the market row lock.
 */
export class BatchWriter {
  /** Maker orders placed and requoted away within this batch, untouched: not written (see {@link transientMakerOrders}). */
  private readonly transient: ReadonlySet<number>;

  constructor(
    private readonly m: EntityManager,
    private readonly market: LockedMarket,
    private readonly now: number,
    private readonly c: BatchChanges,
  ) {
    this.transient = transientMakerOrders(c);
  }

  /**
   * Writes the batch: orders, fills, postings, positions, volume, market — a fixed number of
   * statements. Returns the market's new book version.
   * @throws InsufficientFundsError / constraint errors only on a bug (every command was checked).
   */
  async write(): Promise<number> {
    const version = await this.writeOwn();
    await this.writeShared();
    return version;
  }

  private fillIds: number[] = [];

  /**
   * The rows only this market's batches touch (orders, fills, positions, the market): written
   * first, under the market row lock. Returns the market's new book version.
   */
  async writeOwn(defer?: DeferredRows): Promise<number> {
    if (!this.c.changed && this.c.newOrders.size === 0) return this.market.bookVersion;
    const m = this.m;
    const orders = [...this.c.newOrders.values()].filter((o) => !this.transient.has(o.id));
    // Fills reference their orders: a batch with fills writes its orders itself, first.
    if (defer && this.c.fills.length === 0) defer.orders.push(...orders.map((order) => ({ marketId: this.market.id, order })));
    else if (orders.length > 0) await insertOrders(m, orders.map((order) => ({ marketId: this.market.id, order })));
    if (this.c.deltas.size > 0) {
      const ids = [...this.c.deltas.keys()];
      const ds = ids.map((id) => this.c.deltas.get(id)!);
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
    this.fillIds = await this.insertFills();
    await this.writePositions();
    const change: MarketChange = { id: this.market.id, lastPrice: this.c.lastPrice, tradedKop: this.c.tradedKop, closing: this.c.closing };
    let version: number;
    if (defer) {
      // Under the market row lock read in this transaction, the UPDATE below makes it exactly this.
      defer.markets.push(change);
      version = this.market.bookVersion + 1;
    } else {
      version = (await updateMarkets(m, [change])).get(this.market.id)!;
    }
    // The audit trail of the lifecycle (market_events): trading stopped, and how many orders that cancelled.
    if (this.c.closing && this.market.status === 'open') {
      await m.query(`INSERT INTO market_events (market_id, kind, data) VALUES ($1, 'closed', $2)`,
        [this.market.id, { cancelled: this.c.closedOrders }]);
    }
    if (this.c.lastPrice !== null) {
      await m.query(`INSERT INTO price_points (market_id, at, price, volume_kop) VALUES ($1, to_timestamp($2 / 1000.0), $3, $4)`,
        [this.market.id, this.now, this.c.lastPrice, this.c.tradedKop]);
    }
    return version;
  }

  /**
   * The rows other markets' batches touch too (the users' accounts through the postings, their
   * taker volume): written last, just before commit (issue 13), so the row locks they take — in
   * one global order, accounts by id (ledger.post) then taker volume by user — are held as briefly as possible
   * and batches of different markets sharing users overlap for the rest of their work.
   */
  async writeShared(): Promise<void> {
    if (!this.c.changed && this.c.newOrders.size === 0) return;
    await post(this.m, await this.postings(this.fillIds));
    await writeTakerVolume(this.m, this.c.volumeAdded, this.now);
  }

  /**
   * The postings `writeShared` would write, not written: a transaction of several markets posts
   * them all at once (one lock order over all their accounts) after `writeOwn` of each.
   */
  async sharedMoves(lookup?: AccountLookup): Promise<Move[]> {
    if (!this.c.changed && this.c.newOrders.size === 0) return [];
    return this.postings(this.fillIds, lookup);
  }

  private async insertFills(): Promise<number[]> {
    if (this.c.fills.length === 0) return [];
    const rows: { id: string }[] = await this.m.query(
      `SELECT nextval('fills_id_seq') AS id FROM generate_series(1, $1)`, [this.c.fills.length]);
    const ids = rows.map((x) => Number(x.id));
    await this.m.query(
      `INSERT INTO fills (id, market_id, maker_order_id, taker_order_id, maker_user_id, taker_user_id, kind, price, qty,
                          taker_fee_kop, maker_rebate_kop, created_at)
       SELECT f.*, to_timestamp($12 / 1000.0) FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
                            $6::bigint[], $7::text[], $8::smallint[], $9::int[], $10::bigint[], $11::bigint[]) AS f`,
      [ids, this.c.fills.map(() => this.market.id), ...columns(this.c.fills, [
        (f) => f.makerOrderId, (f) => f.takerOrderId, (f) => f.makerUserId, (f) => f.takerUserId, (f) => f.kind,
        (f) => f.price, (f) => f.qty, (f) => f.takerFee, (f) => f.makerRebate,
      ]), this.now],
    );
    return ids;
  }

  /** The users whose accounts the batch's postings move money on. */
  movedUsers(): number[] {
    const users = new Set<number>();
    for (const { move } of this.c.moves) {
      for (const a of [move.from, move.to]) if (a.kind === 'available' || a.kind === 'reserved') users.add(a.userId);
    }
    return [...users];
  }

  /**
   * The batch's postings as account moves. `lookup`: account ids already read (a transaction of
   * several markets reads every batch's users at once, see `sharedMoves`); missing ones are read here.
   */
  private async postings(fillIds: number[], lookup?: AccountLookup): Promise<Move[]> {
    const users = this.movedUsers();
    const known = lookup?.accounts ?? new Map<number, UserAccounts>();
    const missing = users.filter((u) => !known.has(u));
    if (missing.length > 0) for (const [u, a] of await userAccountsOf(this.m, missing)) known.set(u, a);
    const fees = lookup?.fees ?? await systemAccountId(this.m, 'house:fees');
    if (lookup) lookup.fees = fees;
    const idOf = (a: AccountRef): number => {
      if (a.kind === 'escrow') return this.market.escrowAccountId;
      if (a.kind === 'fees') return fees;
      return known.get(a.userId)![a.kind];
    };
    return this.c.moves.filter(({ ref }) => ref.type !== 'order' || !this.transient.has(ref.id)).map(({ move, ref }) => ({
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
    const ps = [...this.c.posDelta.values()].filter((p) => p.shares !== 0 || p.reserved !== 0)
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
}

/**
 * The house maker's orders that this batch both placed and cancelled (a later requote of the same
 * batch) without a fill: their reserve and its release cancel out, and no one outside the
 * transaction ever saw them, so writing them would only cost rows (a busy batch requotes many
 * times; `npm run bench` persist). An order qualifies only if its moves net to zero on every
 * account, so leaving them out changes no balance and no invariant.
 */
export function transientMakerOrders(c: Pick<BatchChanges, 'newOrders' | 'moves'>): Set<number> {
  const candidates = new Set<number>();
  for (const o of c.newOrders.values()) {
    if (o.idempotencyKey.startsWith('maker:') && o.status === 'cancelled' && o.filled === 0 && o.costKop === 0) candidates.add(o.id);
  }
  if (candidates.size === 0) return candidates;
  const net = new Map<string, number>();
  const bump = (id: number, a: AccountRef, by: number) => {
    const k = `${id}:${a.kind}:${'userId' in a ? a.userId : ''}`;
    net.set(k, (net.get(k) ?? 0) + by);
  };
  for (const { move, ref } of c.moves) {
    if (ref.type !== 'order' || !candidates.has(ref.id)) continue;
    bump(ref.id, move.from, -move.amount);
    bump(ref.id, move.to, move.amount);
  }
  for (const [k, v] of net) if (v !== 0) candidates.delete(Number(k.split(':')[0]));
  return candidates;
}

/** Column arrays for an `unnest` insert. */
function columns<T>(rows: readonly T[], getters: ((row: T) => unknown)[]): unknown[][] {
  return getters.map((g) => rows.map(g));
}

/**
 * Adds today's taker notional per user (`volumeAdded`: user id → kop) to `taker_volume`, rows
 * locked in user order so concurrent batches cannot deadlock on them. `now`: the batch's clock, ms.
 */
export async function writeTakerVolume(m: EntityManager, volumeAdded: ReadonlyMap<number, number>, now: number): Promise<void> {
  const vs = [...volumeAdded.entries()].filter(([, v]) => v > 0).sort((a, b) => a[0] - b[0]);
  if (vs.length === 0) return;
  await m.query(
    `INSERT INTO taker_volume (user_id, day, notional_kop)
     SELECT v.user_id, (to_timestamp($3 / 1000.0) AT TIME ZONE 'UTC')::date, v.kop
       FROM unnest($1::bigint[], $2::bigint[]) AS v(user_id, kop)
     ON CONFLICT (user_id, day) DO UPDATE SET notional_kop = taker_volume.notional_kop + EXCLUDED.notional_kop`,
    [vs.map(([u]) => u), vs.map(([, v]) => v), now],
  );
}

/** Account ids shared by the batches of one transaction: user id → accounts, and the house fees account. */
export interface AccountLookup {
  accounts: Map<number, UserAccounts>;
  fees?: number;
}

/** What a batch changes on its market row. */
interface MarketChange {
  id: number;
  lastPrice: number | null;
  tradedKop: number;
  closing: boolean;
}

/**
 * Rows the batches of a transaction of several markets leave to one statement each, written by
 * {@link writeDeferred} after every batch's `writeOwn(defer)`: their new orders (of batches without
 * fills) and their market rows.
 */
export interface DeferredRows {
  orders: { marketId: number; order: NewOrder }[];
  markets: MarketChange[];
}

/** Writes {@link DeferredRows}: one INSERT of orders, one UPDATE of markets, whatever the number of markets. */
export async function writeDeferred(m: EntityManager, rows: DeferredRows): Promise<void> {
  if (rows.orders.length > 0) await insertOrders(m, rows.orders);
  if (rows.markets.length > 0) await updateMarkets(m, rows.markets);
}

async function insertOrders(m: EntityManager, rows: readonly { marketId: number; order: NewOrder }[]): Promise<void> {
  await m.query(
    `INSERT INTO orders (id, market_id, user_id, intent, price, qty, spend_kop, remaining, filled, kind, tif,
                         post_only, expires_at, status, cost_kop, fee_kop, cancel_reason, idempotency_key)
     SELECT o.id, o.market_id, o.user_id, o.intent, o.price, o.qty, o.spend, o.remaining, o.filled, o.kind, o.tif,
            o.post_only, to_timestamp(o.expires / 1000.0), o.status, o.cost, o.fee, o.reason, o.key
       FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::smallint[], $6::int[], $7::bigint[], $8::int[],
                   $9::int[], $10::text[], $11::text[], $12::bool[], $13::bigint[], $14::text[], $15::bigint[],
                   $16::bigint[], $17::text[], $18::text[])
         AS o(id, market_id, user_id, intent, price, qty, spend, remaining, filled, kind, tif, post_only, expires, status,
              cost, fee, reason, key)`,
    columns(rows, [
      (r) => r.order.id, (r) => r.marketId, (r) => r.order.userId, (r) => r.order.intent, (r) => r.order.bookPrice, (r) => r.order.qty,
      (r) => r.order.spendKop, (r) => r.order.remaining, (r) => r.order.filled, (r) => r.order.kind, (r) => r.order.tif,
      (r) => r.order.postOnly, (r) => r.order.expiresAt, (r) => r.order.status, (r) => r.order.costKop, (r) => r.order.feeKop,
      (r) => r.order.cancelReason, (r) => r.order.idempotencyKey,
    ]),
  );
}

/** Bumps each market's book version and applies its price, volume and close; returns market id → new book version. */
async function updateMarkets(m: EntityManager, changes: readonly MarketChange[]): Promise<Map<number, number>> {
  // TypeORM returns [rows, affected] for an UPDATE ... RETURNING on Postgres.
  const [rows]: [{ id: string; book_version: string }[]] = await m.query(
    `UPDATE markets m SET book_version = m.book_version + 1, last_price = COALESCE(c.price, m.last_price),
            volume_kop = m.volume_kop + c.traded,
            -- Only an open market closes: a late close command (deadline sweep queued before an
            -- early resolution) must not turn a proposed, resolved or settled market back.
            status = CASE WHEN c.closing AND m.status = 'open' THEN 'closed' ELSE m.status END,
            closed_at = CASE WHEN c.closing AND m.status = 'open' THEN now() ELSE m.closed_at END
       FROM unnest($1::bigint[], $2::smallint[], $3::bigint[], $4::bool[]) AS c(id, price, traded, closing)
      WHERE m.id = c.id RETURNING m.id, m.book_version`,
    columns(changes, [(c) => c.id, (c) => c.lastPrice, (c) => c.tradedKop, (c) => c.closing]),
  );
  return new Map(rows.map((r) => [Number(r.id), Number(r.book_version)]));
}
