/**
 * issue 11: the history read side on the real database — the daily account value from postings
 * and positions at each Moscow day's last price point, its return and maximum drawdown, and paging.
 */
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { postingsOf, tradesOf, valueHistory } from '../../domain/read/history';
import { BookCache } from '../../domain/services/book-cache';
import { applyCommands } from '../../domain/services/matching';
import { balancesOf } from '../../domain/services/users';
import { freshDatabase } from '../helpers/db';
import { openMarket, userWithMoney } from '../helpers/world';

let ds: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => ({ ds, drop } = await freshDatabase('history')));
afterAll(async () => drop());

/** `hour`:00 Moscow time on `day` March 2026. */
const msk = (day: number, hour = 12) => DateTime.fromObject({ year: 2026, month: 3, day, hour }, { zone: 'Europe/Moscow' }).toJSDate();

test('value per Moscow day = cash + shares at that day\'s last price; return and drawdown of the series', async () => {
  const user = await userWithMoney(ds, 1000, 'H');
  const other = await userWithMoney(ds, 1000, 'O');
  const market = await openMarket(ds);
  await applyCommands(ds, new BookCache(), market, [
    { type: 'place', idempotencyKey: 'h1', marketId: market, userId: user, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 60, qty: 100 },
    { type: 'place', idempotencyKey: 'h2', marketId: market, userId: other, intent: 'BUY_NO', kind: 'limit', tif: 'GTC', price: 40, qty: 100 },
  ]);
  // Move the whole story to 8 March, 23:30 Moscow (20:30 UTC: still the 8th in Moscow, not the 9th).
  const start = DateTime.fromObject({ year: 2026, month: 3, day: 8, hour: 23, minute: 30 }, { zone: 'Europe/Moscow' }).toJSDate();
  await ds.query(`UPDATE postings SET created_at = $1`, [start]);
  await ds.query(`UPDATE fills SET created_at = $1`, [start]);
  await ds.query(`UPDATE price_points SET at = $1`, [start]);
  // 9 March: 45 then 30 (the day's last counts); 10 March: 90.
  await ds.query(`INSERT INTO price_points (market_id, at, price) VALUES ($1, $2, 45), ($1, $3, 30), ($1, $4, 90)`,
    [market, msk(9, 10), msk(9, 20), msk(10, 9)]);
  const b = await balancesOf(ds.manager, user);
  const cash = b.available + b.reserved;

  const h = await valueHistory(ds.manager, user, msk(10, 15));
  expect(h.values.map((v) => [v.day, v.valueKop])).toEqual([
    ['2026-03-08', cash + 100 * 60],
    ['2026-03-09', cash + 100 * 30],
    ['2026-03-10', cash + 100 * 90],
  ]);
  expect(h.values[0]?.flowKop).toBe(100_000);
  expect(h.returnRatio).toBeCloseTo((cash + 9000) / (cash + 6000) - 1, 12);
  expect(h.drawdown.drawdown).toBeCloseTo(1 - (cash + 3000) / (cash + 6000), 12);
  expect([h.drawdown.peakDay, h.drawdown.troughDay]).toEqual(['2026-03-08', '2026-03-09']);
});

test('trades and postings come newest first, paged, with the user\'s money delta per posting', async () => {
  const user = await userWithMoney(ds, 100, 'P');
  const other = await userWithMoney(ds, 100, 'Q');
  const market = await openMarket(ds);
  await applyCommands(ds, new BookCache(), market, [
    { type: 'place', idempotencyKey: 'p1', marketId: market, userId: user, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 50, qty: 20 },
    { type: 'place', idempotencyKey: 'p2', marketId: market, userId: other, intent: 'BUY_NO', kind: 'limit', tif: 'GTC', price: 50, qty: 20 },
  ]);
  const trades = await tradesOf(ds.manager, user, { offset: 0, limit: 10 });
  expect(trades.total).toBe(1);
  expect(trades.rows[0]).toMatchObject({ role: 'maker', intent: 'BUY_YES', shares: 20, price: 50, amountKop: 1000 });
  const all = await postingsOf(ds.manager, user, { offset: 0, limit: 100 });
  expect(all.rows.map((r) => r.id)).toEqual([...all.rows.map((r) => r.id)].sort((a, b) => b - a));
  expect(all.rows[all.rows.length - 1]).toMatchObject({ kind: 'deposit', deltaKop: 10_000 });
  const b = await balancesOf(ds.manager, user);
  expect(all.rows.reduce((s, r) => s + r.deltaKop, 0)).toBe(b.available + b.reserved);
  const page2 = await postingsOf(ds.manager, user, { offset: 1, limit: 1 });
  expect(page2.total).toBe(all.total);
  expect(page2.rows.map((r) => r.id)).toEqual([all.rows[1]?.id]);
});
