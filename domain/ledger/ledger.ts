import type { EntityManager } from 'typeorm';
import type { Kop } from '../money';

/**
 * One movement of money to record: `amount` kop (> 0) from one account to another.
 * `refType`/`refId` name the business object that caused it (order, fill, payment, settlement);
 * `idempotencyKey` is set when an outside event caused it, and is unique in the ledger.
 */
export interface Move {
  from: number;
  to: number;
  amount: Kop;
  kind: string;
  refType: string;
  refId?: number | null;
  idempotencyKey?: string | null;
}

/** Thrown when a posting would take an account that must stay ≥ 0 below zero (a bug: callers check funds first). */
export class InsufficientFundsError extends Error {
  constructor(detail: string) {
    super(`ledger: account would go negative (${detail})`);
  }
}

/**
 * Records `moves` as postings and updates the cached balances, inside the caller's transaction
 * (DESIGN §3: every change of money is a posting in the same transaction as its cause).
 * Two statements whatever the number of moves, because this sits on the matching hot path.
 *
 * @throws InsufficientFundsError when a non-negative account would go below zero (CHECK constraint)
 * @throws the driver's unique-violation error when an idempotency key was already used
 */
export async function post(m: EntityManager, moves: readonly Move[]): Promise<void> {
  const real = moves.filter((x) => x.amount > 0);
  if (real.length === 0) return;
  const delta = new Map<number, number>();
  for (const x of real) {
    delta.set(x.from, (delta.get(x.from) ?? 0) - x.amount);
    delta.set(x.to, (delta.get(x.to) ?? 0) + x.amount);
  }
  const ids = [...delta.keys()].filter((id) => delta.get(id) !== 0).sort((a, b) => a - b);
  await m.query(
    `INSERT INTO postings (from_account_id, to_account_id, amount, kind, ref_type, ref_id, idempotency_key)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[])`,
    [
      real.map((x) => x.from),
      real.map((x) => x.to),
      real.map((x) => x.amount),
      real.map((x) => x.kind),
      real.map((x) => x.refType),
      real.map((x) => x.refId ?? null),
      real.map((x) => x.idempotencyKey ?? null),
    ],
  );
  // Row locks in one global order (account id), taken before the balances change, so transactions
  // of different markets crediting the same users cannot deadlock. NO KEY UPDATE is what the UPDATE
  // below takes anyway; the postings' reference check takes no row lock (migration 1764800000000):
  // so the postings are inserted first, outside the locks, and other transactions wait only for
  // the balance update and the commit (issue 13: batches of markets sharing users overlap more).
  if (ids.length > 0) {
    await m.query(`SELECT 1 FROM accounts WHERE id = ANY($1::bigint[]) AND NOT may_go_negative ORDER BY id FOR NO KEY UPDATE`, [ids]);
  }
  if (ids.length === 0) return;
  try {
    await m.query(
      `UPDATE accounts a SET balance = a.balance + d.delta
         FROM unnest($1::bigint[], $2::bigint[]) AS d(id, delta)
        WHERE a.id = d.id AND NOT a.may_go_negative`,
      [ids, ids.map((id) => delta.get(id))],
    );
  } catch (e) {
    if ((e as { code?: string }).code === '23514') throw new InsufficientFundsError((e as Error).message);
    throw e;
  }
}

/** Account ids of one user. */
export interface UserAccounts {
  available: number;
  reserved: number;
}

/** Creates (if missing) and returns a user's available and reserved accounts. */
export async function ensureUserAccounts(m: EntityManager, userId: number): Promise<UserAccounts> {
  const rows: { id: string; kind: string }[] = await m.query(
    `WITH ins AS (
       INSERT INTO accounts (code, kind, user_id)
       VALUES ('user:' || $1::text || ':available', 'available', $1::bigint), ('user:' || $1::text || ':reserved', 'reserved', $1::bigint)
       ON CONFLICT (code) DO NOTHING RETURNING id, kind)
     SELECT id, kind FROM ins
     UNION ALL SELECT id, kind FROM accounts WHERE user_id = $1::bigint AND kind IN ('available', 'reserved')`,
    [userId],
  );
  const get = (k: string) => Number(rows.find((r) => r.kind === k)!.id);
  return { available: get('available'), reserved: get('reserved') };
}

/** Returns the user accounts of several users at once (they must exist). */
export async function userAccountsOf(m: EntityManager, userIds: readonly number[]): Promise<Map<number, UserAccounts>> {
  const out = new Map<number, UserAccounts>();
  if (userIds.length === 0) return out;
  const rows: { id: string; kind: string; user_id: string }[] = await m.query(
    `SELECT id, kind, user_id FROM accounts WHERE user_id = ANY($1::bigint[]) AND kind IN ('available', 'reserved')`,
    [userIds],
  );
  for (const r of rows) {
    const u = Number(r.user_id);
    const acc = out.get(u) ?? { available: 0, reserved: 0 };
    acc[r.kind as 'available' | 'reserved'] = Number(r.id);
    out.set(u, acc);
  }
  return out;
}

/** Creates (if missing) and returns a market's escrow account id. */
export async function ensureEscrowAccount(m: EntityManager, marketId: number): Promise<number> {
  await m.query(
    `INSERT INTO accounts (code, kind, market_id) VALUES ('market:' || $1::text || ':escrow', 'escrow', $1::bigint)
     ON CONFLICT (code) DO NOTHING`,
    [marketId],
  );
  const [r] = await m.query(`SELECT id FROM accounts WHERE code = 'market:' || $1::text || ':escrow'`, [marketId]);
  return Number(r.id);
}

const houseIds = new Map<string, number>();

/** Id of a house or outside account created by the first migration (`house:fees`, `external:telegram:deposits`, ...). */
export async function systemAccountId(m: EntityManager, code: string): Promise<number> {
  const cached = houseIds.get(code);
  if (cached) return cached;
  const [r] = await m.query(`SELECT id FROM accounts WHERE code = $1`, [code]);
  if (!r) throw new Error(`no system account ${code}`);
  houseIds.set(code, Number(r.id));
  return Number(r.id);
}

/** Balance of one account, kop: the cache where kept, else the sum of its postings. */
export async function balanceOf(m: EntityManager, accountId: number): Promise<Kop> {
  const [r] = await m.query(
    `SELECT CASE WHEN a.may_go_negative THEN
        COALESCE((SELECT sum(amount) FROM postings WHERE to_account_id = a.id), 0)
      - COALESCE((SELECT sum(amount) FROM postings WHERE from_account_id = a.id), 0)
      ELSE a.balance END AS b
     FROM accounts a WHERE a.id = $1`,
    [accountId],
  );
  return Number(r.b) as Kop;
}
