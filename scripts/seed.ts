import type { DataSource } from 'typeorm';
import { ensureUserAccounts, post, systemAccountId } from '../domain/ledger/ledger';
import { kop } from '../domain/money';
import type { MatchingCommand } from '../domain/services/commands';
import { BookCache } from '../domain/services/book-cache';
import { applyCommands } from '../domain/services/matching';
import { createMarket } from '../domain/services/markets';
import { upsertUser } from '../domain/services/users';
import seedMarkets from './seed-markets.json';
import { mulberry32 } from '../infra/prng';

/** The house market maker's Telegram-like id (not a real account; it never chats). */
export const MARKET_MAKER_TELEGRAM_ID = 777_000_001;

/**
 * Seeds the five markets of the seed plan with 30 days of YES-price history ending at their
 * seed price, and a house market maker quoting both sides (bids as BUY_YES, asks as BUY_NO, so it
 * needs no shares), funded from `house:promo` through the ledger. Returns the market ids.
 */
export async function seedDemo(ds: DataSource, now = Date.now()): Promise<number[]> {
  const { user: mm } = await upsertUser(ds, { id: MARKET_MAKER_TELEGRAM_ID, first_name: 'Pravda MM' });
  const acc = await ensureUserAccounts(ds.manager, mm.id);
  await ds.transaction(async (m) => post(m, [{
    from: await systemAccountId(m, 'house:promo'), to: acc.available, amount: kop(10_000_000), kind: 'promo', refType: 'seed',
  }]));
  const cache = new BookCache();
  const ids: number[] = [];
  for (const [i, s] of seedMarkets.entries()) {
    const r = await createMarket(ds, {
      title: s.title, description: s.description, category: s.category,
      deadline: new Date(now + s.deadlineDays * 86_400_000), createdBy: null,
    });
    if (!r.ok) throw new Error(`seed market: ${r.code}`);
    const id = r.market.id;
    ids.push(id);
    const rnd = mulberry32(1000 + i);
    const points: [number, number][] = [];
    let p = s.yesPrice;
    // A walk backwards from today's price, so the chart ends where the book is.
    for (let h = 0; h < 30 * 24; h += 6) {
      points.push([now - h * 3_600_000, p]);
      p = Math.min(95, Math.max(5, p + Math.round((rnd() - 0.5) * 4)));
    }
    await ds.query(
      `INSERT INTO price_points (market_id, at, price, volume_kop)
       SELECT $1, to_timestamp(t / 1000.0), pr, 0 FROM unnest($2::bigint[], $3::int[]) AS x(t, pr)`,
      [id, points.map((x) => x[0]), points.map((x) => x[1])]);
    await ds.query(`UPDATE markets SET volume_kop = $2, last_price = $3 WHERE id = $1`, [id, s.volumeKop, s.yesPrice]);
    const quotes: MatchingCommand[] = [];
    for (const d of [1, 2, 3]) {
      quotes.push({ type: 'place', idempotencyKey: `seed-${id}-bid-${d}`, marketId: id, userId: mm.id, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: s.yesPrice - d, qty: 200 * d });
      quotes.push({ type: 'place', idempotencyKey: `seed-${id}-ask-${d}`, marketId: id, userId: mm.id, intent: 'BUY_NO', kind: 'limit', tif: 'GTC', price: 100 - (s.yesPrice + d), qty: 200 * d });
    }
    const out = await applyCommands(ds, cache, id, quotes);
    const bad = out.results.find((x) => !x.ok);
    if (bad && !bad.ok) throw new Error(`seed quotes: ${bad.code}`);
  }
  return ids;
}
