import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { balanceOf, ensureUserAccounts, post, systemAccountId, type UserAccounts } from '../../domain/ledger/ledger';
import { kop } from '../../domain/money';
import { createMarket } from '../../domain/services/markets';
import { upsertUser } from '../../domain/services/users';
import { freshDatabase } from '../helpers/db';

/**
 * The set-based references of migrations/1764800000000-set-based-references.ts keep the guarantees
 * of the foreign keys they replaced: postings, fills and orders cannot refer to a missing account,
 * market, user or order (23503, the whole statement fails); their reference columns cannot change;
 * a referenced account, user, market or order cannot be deleted or renumbered (23503), also against
 * a concurrent transaction (the guard waits for it, then sees its rows); the guard refuses to run
 * outside READ COMMITTED (0A000); and postings' partial idempotency index is still unique.
 */

let ds: DataSource;
let drop: () => Promise<void>;
let deposits: number;
beforeAll(async () => {
  ({ ds, drop } = await freshDatabase('refs'));
  deposits = await systemAccountId(ds.manager, 'external:telegram:deposits');
});
afterAll(async () => drop());

const FK = { code: '23503' };
let nextTelegramId = 7_000_000;
/** Ids no sequence here reaches: targets of renumbering, and references to nothing. */
let nextFarId = 900_000_000;
const farId = () => nextFarId++;

async function userWithAccounts(name: string, rub = 0): Promise<{ userId: number; acc: UserAccounts }> {
  const { user } = await upsertUser(ds, { id: nextTelegramId++, first_name: name });
  const acc = await ensureUserAccounts(ds.manager, user.id);
  if (rub > 0) {
    await ds.transaction((m) => post(m, [{ from: deposits, to: acc.available, amount: kop(rub * 100), kind: 'deposit', refType: 'test' }]));
  }
  return { userId: user.id, acc };
}

async function market(title = 'Will the references hold?'): Promise<number> {
  const r = await createMarket(ds, { title, category: 'other', deadline: new Date(Date.now() + 86_400_000), createdBy: null, liquidityKop: kop(0) });
  if (!r.ok) throw new Error(r.code);
  return r.market.id;
}

/**
 * A user or market row and nothing else. The services also create accounts (and for a market a
 * `created` event) whose real foreign keys would refuse the delete on their own; the delete
 * tests use these bare rows so that only the migration's guard can refuse.
 */
async function bareUser(): Promise<number> {
  const [r] = await ds.query(`INSERT INTO users (telegram_id, first_name) VALUES ($1, 'bare') RETURNING id`, [nextTelegramId++]);
  return Number(r.id);
}
async function bareMarket(): Promise<number> {
  const [r] = await ds.query(`INSERT INTO markets (title, category, deadline) VALUES ('Bare market', 'other', now() + interval '1 day') RETURNING id`);
  return Number(r.id);
}
async function bareAccount(mayGoNegative = false): Promise<number> {
  const [r] = await ds.query(`INSERT INTO accounts (code, kind, may_go_negative) VALUES ($1, 'available', $2) RETURNING id`,
    [`test:${randomBytes(6).toString('hex')}`, mayGoNegative]);
  return Number(r.id);
}

async function order(marketId: number, userId: number, m: EntityManager = ds.manager): Promise<number> {
  const [r] = await m.query(
    `INSERT INTO orders (market_id, user_id, intent, price, qty, remaining, kind, tif, status, idempotency_key)
     VALUES ($1, $2, 'BUY_YES', 50, 10, 10, 'limit', 'GTC', 'open', $3) RETURNING id`,
    [marketId, userId, `test:${randomBytes(8).toString('hex')}`]);
  return Number(r.id);
}

interface FillRefs { marketId: number; makerOrderId: number; takerOrderId: number; makerUserId: number; takerUserId: number }

async function fill(f: FillRefs): Promise<number> {
  const [r] = await ds.query(
    `INSERT INTO fills (market_id, maker_order_id, taker_order_id, maker_user_id, taker_user_id, kind, price, qty)
     VALUES ($1, $2, $3, $4, $5, 'transfer_yes', 50, 1) RETURNING id`,
    [f.marketId, f.makerOrderId, f.takerOrderId, f.makerUserId, f.takerUserId]);
  return Number(r.id);
}

/** A market, two users with an order each, and a fill between the orders. */
async function trade(): Promise<FillRefs & { marketId: number; fillId: number }> {
  const marketId = await market();
  const maker = await userWithAccounts('maker');
  const taker = await userWithAccounts('taker');
  const refs = {
    marketId,
    makerOrderId: await order(marketId, maker.userId),
    takerOrderId: await order(marketId, taker.userId),
    makerUserId: maker.userId,
    takerUserId: taker.userId,
  };
  return { ...refs, fillId: await fill(refs) };
}

async function rawPostings(rows: [number, number][], m: EntityManager = ds.manager): Promise<void> {
  await m.query(
    `INSERT INTO postings (from_account_id, to_account_id, amount, kind, ref_type)
     SELECT f, t, 100, 'test', 'test' FROM unnest($1::bigint[], $2::bigint[]) AS x(f, t)`,
    [rows.map((r) => r[0]), rows.map((r) => r[1])]);
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [r] = await ds.query(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return r.n;
}

/** Every posting and every cached balance: what a refused posting must leave as it was. */
async function ledgerState(): Promise<{ postings: number; balances: unknown }> {
  const balances = await ds.query(`SELECT id, balance FROM accounts ORDER BY id`);
  return { postings: await count('postings'), balances };
}

/** A promise and whether it has settled yet (its rejection counts as handled). */
function track<T>(p: Promise<T>): { p: Promise<T>; settled: () => boolean } {
  let settled = false;
  p.then(() => (settled = true), () => (settled = true));
  return { p, settled: () => settled };
}

async function connect(): Promise<{ qr: QueryRunner; pid: number }> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  const [r] = await qr.query('SELECT pg_backend_pid() AS pid');
  return { qr, pid: Number(r.pid) };
}

/** Waits (up to 10 s) until backend `pid` waits on a heavyweight lock, then 300 ms more. */
async function blockedOnLock(pid: number): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const [r] = await ds.query(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [pid]);
    if (r?.wait_event_type === 'Lock') break;
    if (Date.now() > until) throw new Error(`backend ${pid} never waited on a lock`);
    await new Promise((res) => setTimeout(res, 20));
  }
  await new Promise((res) => setTimeout(res, 300));
}

describe('1. a posting to or from a missing account', () => {
  test('fails with 23503 through the ledger and changes nothing, even when only one move is bad', async () => {
    const { acc } = await userWithAccounts('Ann', 50);
    const missing = farId();
    const before = await ledgerState();
    const move = { amount: kop(100), kind: 'test', refType: 'test' };
    await expect(ds.transaction((m) => post(m, [{ ...move, from: acc.available, to: missing }]))).rejects.toMatchObject(FK);
    await expect(ds.transaction((m) => post(m, [{ ...move, from: missing, to: acc.available }]))).rejects.toMatchObject(FK);
    await expect(ds.transaction((m) => post(m, [
      { ...move, from: deposits, to: acc.available },
      { ...move, from: acc.available, to: acc.reserved },
      { ...move, from: acc.available, to: missing },
    ]))).rejects.toMatchObject(FK);
    expect(await ledgerState()).toEqual(before);
    expect(await balanceOf(ds.manager, acc.available)).toBe(5000);
    // The same moves without the bad one go through.
    await ds.transaction((m) => post(m, [{ ...move, from: deposits, to: acc.available }, { ...move, from: acc.available, to: acc.reserved }]));
    expect(await count('postings')).toBe(before.postings + 2);
  });

  test('a multi-row INSERT with one bad row, in any column or position, fails as a whole', async () => {
    const a = await bareAccount(true);
    const b = await bareAccount(true);
    const missing = farId();
    const before = await ledgerState();
    for (const rows of [
      [[a, missing]], [[missing, b]],
      [[a, b], [b, a], [a, missing]],
      [[missing, a], [a, b], [b, a]],
      [[a, b], [missing, a], [b, a]],
    ] as [number, number][][]) {
      await expect(rawPostings(rows)).rejects.toMatchObject(FK);
    }
    expect(await ledgerState()).toEqual(before);
    await rawPostings([[a, b], [b, a], [a, b]]);
    expect(await count('postings')).toBe(before.postings + 3);
  });
});

describe('2. a fill or order referencing a missing row', () => {
  test('an order with a missing market or user fails with 23503', async () => {
    const marketId = await market();
    const { userId } = await userWithAccounts('Bob');
    const before = await count('orders');
    await expect(order(farId(), userId)).rejects.toMatchObject(FK);
    await expect(order(marketId, farId())).rejects.toMatchObject(FK);
    await expect(ds.query(
      `INSERT INTO orders (market_id, user_id, intent, price, qty, remaining, kind, tif, status, idempotency_key)
       SELECT m, u, 'BUY_YES', 50, 10, 10, 'limit', 'GTC', 'open', 'multi:' || g
         FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS x(m, u, g)`,
      [[marketId, marketId, marketId], [userId, farId(), userId]],
    )).rejects.toMatchObject(FK);
    expect(await count('orders')).toBe(before);
    await order(marketId, userId);
    expect(await count('orders')).toBe(before + 1);
  });

  test.each([
    ['market', 'marketId'], ['maker order', 'makerOrderId'], ['taker order', 'takerOrderId'],
    ['maker user', 'makerUserId'], ['taker user', 'takerUserId'],
  ] as const)('a fill with a missing %s fails with 23503', async (_what, key) => {
    const t = await trade();
    const before = await count('fills');
    await expect(fill({ ...t, [key]: farId() })).rejects.toMatchObject(FK);
    expect(await count('fills')).toBe(before);
    await fill(t);
    expect(await count('fills')).toBe(before + 1);
  });
});

describe('3. reference columns are immutable', () => {
  test('changing a reference fails, even to an existing row; other columns still change', async () => {
    const t = await trade();
    const other = await trade();
    const a = await bareAccount(true);
    const b = await bareAccount(true);
    const c = await bareAccount(true);
    await rawPostings([[a, b]]);
    const [{ id: postingId }] = await ds.query(`SELECT max(id) AS id FROM postings`);

    for (const [sql, params] of [
      ['UPDATE postings SET to_account_id = $2 WHERE id = $1', [postingId, c]],
      ['UPDATE postings SET from_account_id = $2 WHERE id = $1', [postingId, c]],
      ['UPDATE postings SET from_account_id = to_account_id, to_account_id = from_account_id WHERE id = $1', [postingId]],
      ['UPDATE fills SET maker_order_id = $2 WHERE id = $1', [t.fillId, other.makerOrderId]],
      ['UPDATE fills SET taker_order_id = $2 WHERE id = $1', [t.fillId, other.takerOrderId]],
      ['UPDATE fills SET market_id = $2 WHERE id = $1', [t.fillId, other.marketId]],
      ['UPDATE fills SET maker_user_id = $2 WHERE id = $1', [t.fillId, other.makerUserId]],
      ['UPDATE fills SET taker_user_id = $2 WHERE id = $1', [t.fillId, other.takerUserId]],
      ['UPDATE orders SET user_id = $2 WHERE id = $1', [t.makerOrderId, other.makerUserId]],
      ['UPDATE orders SET market_id = $2 WHERE id = $1', [t.makerOrderId, other.marketId]],
      ['UPDATE orders SET user_id = $2 WHERE id = $1', [t.makerOrderId, farId()]],
    ] as [string, unknown[]][]) {
      await expect(ds.query(sql, params)).rejects.toMatchObject(FK);
    }
    expect(await ds.query(`SELECT from_account_id::int AS f, to_account_id::int AS t FROM postings WHERE id = $1`, [postingId]))
      .toEqual([{ f: a, t: b }]);
    expect(await ds.query(`SELECT market_id::int AS m, maker_order_id::int AS mo, taker_order_id::int AS tao,
                                  maker_user_id::int AS mu, taker_user_id::int AS tu FROM fills WHERE id = $1`, [t.fillId]))
      .toEqual([{ m: t.marketId, mo: t.makerOrderId, tao: t.takerOrderId, mu: t.makerUserId, tu: t.takerUserId }]);

    // Other columns, and a reference set to the value it has, still update.
    await ds.query(`UPDATE orders SET remaining = 4, filled = 6, status = 'cancelled', user_id = user_id WHERE id = $1`, [t.makerOrderId]);
    expect(await ds.query(`SELECT remaining, filled, status, user_id::int AS u FROM orders WHERE id = $1`, [t.makerOrderId]))
      .toEqual([{ remaining: 4, filled: 6, status: 'cancelled', u: t.makerUserId }]);
    await ds.query(`UPDATE fills SET taker_fee_kop = 7, maker_order_id = $2 WHERE id = $1`, [t.fillId, t.makerOrderId]);
    await ds.query(`UPDATE postings SET ref_id = 42 WHERE id = $1`, [postingId]);
    expect(await ds.query(`SELECT ref_id::int AS r FROM postings WHERE id = $1`, [postingId])).toEqual([{ r: 42 }]);
  });
});

describe('4. a referenced row cannot be deleted or renumbered', () => {
  test('accounts: referenced as from or to, no; unreferenced, yes', async () => {
    const from = await bareAccount(true);
    const to = await bareAccount(true);
    await rawPostings([[from, to]]);
    for (const id of [from, to, deposits]) {
      await expect(ds.query(`DELETE FROM accounts WHERE id = $1`, [id])).rejects.toMatchObject(FK);
      await expect(ds.query(`UPDATE accounts SET id = $2 WHERE id = $1`, [id, farId()])).rejects.toMatchObject(FK);
    }
    // A user's accounts once money moved through them, through the ledger.
    const { acc } = await userWithAccounts('Cat', 10);
    await expect(ds.query(`DELETE FROM accounts WHERE id = $1`, [acc.available])).rejects.toMatchObject(FK);
    expect(await count(`accounts WHERE id = ANY($1::bigint[])`, [[from, to, deposits, acc.available]])).toBe(4);

    const free = await bareAccount();
    const renumbered = farId();
    await ds.query(`UPDATE accounts SET id = $2 WHERE id = $1`, [free, renumbered]);
    await ds.query(`UPDATE accounts SET balance = balance WHERE id = $1`, [renumbered]);
    await ds.query(`DELETE FROM accounts WHERE id = $1`, [renumbered]);
    expect(await count(`accounts WHERE id = ANY($1::bigint[])`, [[free, renumbered]])).toBe(0);
  });

  test('users: with an order or a fill (maker or taker), no; without, yes', async () => {
    const marketId = await bareMarket();
    const [withOrder, maker, taker, free] = [await bareUser(), await bareUser(), await bareUser(), await bareUser()];
    const o = await order(marketId, withOrder);
    await fill({ marketId, makerOrderId: o, takerOrderId: o, makerUserId: maker, takerUserId: taker });
    for (const id of [withOrder, maker, taker]) {
      await expect(ds.query(`DELETE FROM users WHERE id = $1`, [id])).rejects.toMatchObject(FK);
      await expect(ds.query(`UPDATE users SET id = $2 WHERE id = $1`, [id, farId()])).rejects.toMatchObject(FK);
    }
    expect(await count(`users WHERE id = ANY($1::bigint[])`, [[withOrder, maker, taker]])).toBe(3);
    await ds.query(`DELETE FROM users WHERE id = $1`, [free]);
    expect(await count(`users WHERE id = $1`, [free])).toBe(0);
  });

  test('markets: with an order or a fill, no; without, yes', async () => {
    const [withOrder, withFill, free] = [await bareMarket(), await bareMarket(), await bareMarket()];
    const userId = await bareUser();
    const o = await order(withOrder, userId);
    await fill({ marketId: withFill, makerOrderId: o, takerOrderId: o, makerUserId: userId, takerUserId: userId });
    for (const id of [withOrder, withFill]) {
      await expect(ds.query(`DELETE FROM markets WHERE id = $1`, [id])).rejects.toMatchObject(FK);
      await expect(ds.query(`UPDATE markets SET id = $2 WHERE id = $1`, [id, farId()])).rejects.toMatchObject(FK);
    }
    expect(await count(`markets WHERE id = ANY($1::bigint[])`, [[withOrder, withFill]])).toBe(2);
    await ds.query(`DELETE FROM markets WHERE id = $1`, [free]);
    expect(await count(`markets WHERE id = $1`, [free])).toBe(0);
  });

  test('orders: maker or taker of a fill, no; without a fill, yes', async () => {
    const t = await trade();
    const free = await order(t.marketId, t.makerUserId);
    for (const id of [t.makerOrderId, t.takerOrderId]) {
      await expect(ds.query(`DELETE FROM orders WHERE id = $1`, [id])).rejects.toMatchObject(FK);
      await expect(ds.query(`UPDATE orders SET id = $2 WHERE id = $1`, [id, farId()])).rejects.toMatchObject(FK);
    }
    expect(await count(`orders WHERE id = ANY($1::bigint[])`, [[t.makerOrderId, t.takerOrderId]])).toBe(2);
    await ds.query(`DELETE FROM orders WHERE id = $1`, [free]);
    expect(await count(`orders WHERE id = $1`, [free])).toBe(0);
  });
});

describe('5. the delete guard against a concurrent transaction', () => {
  test.each([
    ['a raw INSERT', async (m: EntityManager, x: number) => rawPostings([[deposits, x]], m)],
    ['the ledger post', async (m: EntityManager, x: number) => post(m, [{ from: deposits, to: x, amount: kop(100), kind: 'test', refType: 'test' }])],
  ])('a delete waits for an open transaction that posted to the account (%s), then fails with 23503', async (_how, insert) => {
    const { acc } = await userWithAccounts('Dan');
    const x = acc.available;
    const a = await connect();
    const b = await connect();
    try {
      await a.qr.startTransaction();
      await insert(a.qr.manager, x);
      const del = track(b.qr.query(`DELETE FROM accounts WHERE id = $1`, [x]));
      await blockedOnLock(b.pid);
      expect(del.settled()).toBe(false);
      await a.qr.commitTransaction();
      await expect(del.p).rejects.toMatchObject(FK);
      expect(await count(`accounts WHERE id = $1`, [x])).toBe(1);
      expect(await count(`postings WHERE to_account_id = $1`, [x])).toBe(1);
    } finally {
      if (a.qr.isTransactionActive) await a.qr.rollbackTransaction();
      await a.qr.release();
      await b.qr.release();
    }
  });

  test('a posting waits for an open transaction that deleted its account, then fails with 23503', async () => {
    const y = await bareAccount();
    const a = await connect();
    const b = await connect();
    try {
      await b.qr.startTransaction();
      await b.qr.query(`DELETE FROM accounts WHERE id = $1`, [y]);
      await a.qr.startTransaction();
      const ins = track(post(a.qr.manager, [{ from: deposits, to: y, amount: kop(100), kind: 'test', refType: 'test' }]));
      await blockedOnLock(a.pid);
      expect(ins.settled()).toBe(false);
      await b.qr.commitTransaction();
      await expect(ins.p).rejects.toMatchObject(FK);
      await a.qr.rollbackTransaction();
      expect(await count(`accounts WHERE id = $1`, [y])).toBe(0);
      expect(await count(`postings WHERE to_account_id = $1 OR from_account_id = $1`, [y])).toBe(0);
    } finally {
      for (const c of [a, b]) {
        if (c.qr.isTransactionActive) await c.qr.rollbackTransaction();
        await c.qr.release();
      }
    }
  });
});

describe('6. the delete guard needs READ COMMITTED', () => {
  test.each(['REPEATABLE READ', 'SERIALIZABLE'] as const)('in %s, deleting or renumbering raises 0A000', async (level) => {
    const account = await bareAccount();
    const userId = await bareUser();
    const marketId = await bareMarket();
    const orderId = await order(marketId, userId);
    for (const [sql, params] of [
      ['DELETE FROM accounts WHERE id = $1', [account]],
      ['UPDATE accounts SET id = $2 WHERE id = $1', [account, farId()]],
      ['DELETE FROM orders WHERE id = $1', [orderId]],
      ['DELETE FROM users WHERE id = $1', [userId]],
      ['DELETE FROM markets WHERE id = $1', [marketId]],
    ] as [string, unknown[]][]) {
      const qr = ds.createQueryRunner();
      try {
        await qr.startTransaction(level);
        await expect(qr.query(sql, params)).rejects.toMatchObject({ code: '0A000' });
      } finally {
        if (qr.isTransactionActive) await qr.rollbackTransaction();
        await qr.release();
      }
    }
    // Other updates of these rows are not guarded.
    await ds.transaction(level, async (m) => {
      await m.query(`UPDATE accounts SET balance = balance WHERE id = $1`, [account]);
      await m.query(`UPDATE orders SET status = 'cancelled' WHERE id = $1`, [orderId]);
    });
    expect(await count(`accounts WHERE id = $1`, [account])).toBe(1);
  });
});

describe('6b. outside READ COMMITTED, and TRUNCATE', () => {
  test('an insert in REPEATABLE READ whose account was deleted after its snapshot fails (40001), as with a foreign key', async () => {
    const y = await bareAccount();
    const a = await connect();
    try {
      await a.qr.startTransaction('REPEATABLE READ');
      await a.qr.query(`SELECT 1 FROM accounts LIMIT 1`); // the snapshot is taken here
      await ds.query(`DELETE FROM accounts WHERE id = $1`, [y]);
      await expect(rawPostings([[deposits, y]], a.qr.manager)).rejects.toMatchObject({ code: '40001' });
    } finally {
      if (a.qr.isTransactionActive) await a.qr.rollbackTransaction();
      await a.qr.release();
    }
    expect(await count(`postings WHERE to_account_id = $1`, [y])).toBe(0);
  });

  test.each(['accounts', 'orders', 'users', 'markets'])('TRUNCATE %s raises and leaves every row', async (table) => {
    const before = await count(table);
    const qr = ds.createQueryRunner();
    try {
      await qr.startTransaction();
      await expect(qr.query(`TRUNCATE ${table} CASCADE`)).rejects.toMatchObject({ code: '0A000' });
    } finally {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      await qr.release();
    }
    expect(before).toBeGreaterThan(0);
    expect(await count(table)).toBe(before);
  });
});

describe('7. postings idempotency keys stay unique', () => {
  test('a non-null key twice fails with 23505; NULL keys never conflict', async () => {
    const { acc } = await userWithAccounts('Eve');
    const key = `test:${randomBytes(8).toString('hex')}`;
    const move = { from: deposits, to: acc.available, amount: kop(100), kind: 'deposit', refType: 'test' };
    await ds.transaction((m) => post(m, [{ ...move, idempotencyKey: key }]));
    const before = await ledgerState();
    await expect(ds.transaction((m) => post(m, [{ ...move, idempotencyKey: key }]))).rejects.toMatchObject({ code: '23505' });
    const other = `test:${randomBytes(8).toString('hex')}`;
    await expect(ds.transaction((m) => post(m, [{ ...move, idempotencyKey: other }, { ...move, idempotencyKey: other }])))
      .rejects.toMatchObject({ code: '23505' });
    expect(await ledgerState()).toEqual(before);

    const nulls = Array.from({ length: 50 }, () => ({ ...move, idempotencyKey: null }));
    await ds.transaction((m) => post(m, nulls));
    await ds.transaction((m) => post(m, nulls));
    expect(await count(`postings WHERE to_account_id = $1 AND idempotency_key IS NULL`, [acc.available])).toBe(100);
    expect(await balanceOf(ds.manager, acc.available)).toBe(100 + 100 * 100);
  });
});
