import type { DataSource } from 'typeorm';
import { ensureUserAccounts, post, systemAccountId } from '../../domain/ledger/ledger';
import { kop } from '../../domain/money';
import { createMarket } from '../../domain/services/markets';
import { upsertUser } from '../../domain/services/users';

let nextTelegramId = 5_000_000;

/** A user with `rub` roubles deposited (through the real ledger, from the outside deposits account). */
export async function userWithMoney(ds: DataSource, rub: number, name = 'user'): Promise<number> {
  const { user } = await upsertUser(ds, { id: nextTelegramId++, first_name: name });
  if (rub > 0) {
    const acc = await ensureUserAccounts(ds.manager, user.id);
    const from = await systemAccountId(ds.manager, 'external:telegram:deposits');
    await ds.transaction((m) => post(m, [{ from, to: acc.available, amount: kop(rub * 100), kind: 'deposit', refType: 'test' }]));
  }
  return user.id;
}

/** An open market with a deadline `hours` ahead; `liquidityKop` > 0 gives it a house maker (default: an empty book). */
export async function openMarket(ds: DataSource, title = 'Will it rain tomorrow?', hours = 48, liquidityKop = 0): Promise<number> {
  const r = await createMarket(ds, {
    title, category: 'weather', deadline: new Date(Date.now() + hours * 3_600_000), createdBy: null, liquidityKop: kop(liquidityKop),
  });
  if (!r.ok) throw new Error(r.code);
  return r.market.id;
}

/**
 * `count` open markets (deadline `hours` ahead, no house maker) with their escrow accounts and
 * `created` events, in three set-based statements: thousands take well under a second. Returns their ids.
 */
export async function seedOpenMarkets(ds: DataSource, count: number, hours = 24): Promise<number[]> {
  return ds.transaction(async (m) => {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO markets (title, category, deadline)
       SELECT 'Seeded market ' || g, 'other', now() + make_interval(hours => $2::int) FROM generate_series(1, $1::int) g RETURNING id`,
      [count, hours]);
    const ids = rows.map((r) => Number(r.id));
    await m.query(
      `INSERT INTO accounts (code, kind, market_id) SELECT 'market:' || id || ':escrow', 'escrow', id FROM unnest($1::bigint[]) AS id`, [ids]);
    await m.query(`INSERT INTO market_events (market_id, kind, data) SELECT id, 'created', '{}' FROM unnest($1::bigint[]) AS id`, [ids]);
    return ids;
  });
}
