/** Issue 12: achievements awarded once on the real database, streaks from backdated fills. */
import type { DataSource } from 'typeorm';
import { achievementsOf, streaksAt } from '../../domain/read/profile';
import { BookCache } from '../../domain/services/book-cache';
import { applyCommands } from '../../domain/services/matching';
import { awardAchievements } from '../../domain/services/achievements';
import { freshDatabase } from '../helpers/db';
import { openMarket, userWithMoney } from '../helpers/world';

let ds: DataSource;
let drop: () => Promise<void>;
let market: number;
const cache = new BookCache();
beforeAll(async () => {
  ({ ds, drop } = await freshDatabase('achieve'));
  market = await openMarket(ds);
});
afterAll(async () => drop());

let seq = 0;
async function trade(userId: number): Promise<void> {
  const other = await userWithMoney(ds, 100, 'counterparty');
  const rest = { type: 'place' as const, idempotencyKey: `a-${seq++}`, kind: 'limit' as const, tif: 'GTC' as const, marketId: market, userId: other, intent: 'BUY_NO' as const, price: 50, qty: 40 };
  const out = await applyCommands(ds, cache, market, [rest, { ...rest, idempotencyKey: `a-${seq++}`, userId, intent: 'BUY_YES' as const, tif: 'IOC' as const }]);
  expect(out.results).toMatchObject([{ ok: true }, { ok: true, outcome: { filled: 40 } }]);
}

test('first trade is awarded once, to the concurrent hooks together, in the private chat', async () => {
  const u = await userWithMoney(ds, 1_000, 'Trader');
  expect(await awardAchievements(ds, [u])).toEqual([]);
  await trade(u);
  const runs = await Promise.all([awardAchievements(ds, [u]), awardAchievements(ds, [u]), awardAchievements(ds, [u, u])]);
  const [tg] = await ds.query(`SELECT telegram_id FROM users WHERE id = $1`, [u]);
  expect(runs.flat()).toEqual([{ userId: u, code: 'first_trade', chatId: Number(tg.telegram_id) }]);
  expect([...(await achievementsOf(ds.manager, u)).keys()]).toEqual(['first_trade']);
  await trade(u);
  expect(await awardAchievements(ds, [u])).toEqual([]);
});

test('seven Moscow days in a row with a fill: streak 7 and its achievement; a day missed ends the current streak', async () => {
  const u = await userWithMoney(ds, 1_000, 'Daily');
  for (let i = 0; i < 7; i++) await trade(u);
  // Backdate the seven fills to 23:30 MSK of seven consecutive days ending 10 March 2026.
  const fills: { id: string }[] = await ds.query(`SELECT id FROM fills WHERE taker_user_id = $1 ORDER BY id`, [u]);
  for (const [i, f] of fills.entries()) {
    await ds.query(`UPDATE fills SET created_at = $2 WHERE id = $1`, [f.id, new Date(Date.UTC(2026, 2, 4 + i, 20, 30))]);
  }
  expect(await streaksAt(ds.manager, u, new Date('2026-03-10T21:00:00Z'))).toEqual({ current: 7, best: 7 }); // 00:00 MSK 11 March
  expect(await streaksAt(ds.manager, u, new Date('2026-03-11T21:00:00Z'))).toEqual({ current: 0, best: 7 }); // 00:00 MSK 12 March
  const awards = await awardAchievements(ds, [u], { now: new Date('2026-03-11T21:00:00Z') });
  expect(awards.map((a) => a.code).sort()).toEqual(['first_trade', 'streak_7']);
});

test('a group market is announced in its group', async () => {
  const u = await userWithMoney(ds, 0, 'Host');
  await ds.query(`INSERT INTO markets (title, category, deadline, chat_id, created_by) VALUES ('Group q', 'group', now() + interval '1 day', -100123, $1)`, [u]);
  expect(await awardAchievements(ds, [u], { groupChatId: -100123 })).toEqual([{ userId: u, code: 'group_market', chatId: -100123 }]);
});

test('`only` limits a hook to the achievements its event can earn; the rest wait for their own', async () => {
  const u = await userWithMoney(ds, 1_000, 'Limited');
  await trade(u);
  await ds.query(`INSERT INTO markets (title, category, deadline, chat_id, created_by) VALUES ('Group q2', 'group', now() + interval '1 day', -100124, $1)`, [u]);
  expect((await awardAchievements(ds, [u], { groupChatId: -100124, only: ['group_market'] })).map((a) => a.code)).toEqual(['group_market']);
  expect(await awardAchievements(ds, [u], { only: ['group_market'] })).toEqual([]);
  expect((await awardAchievements(ds, [u], { only: ['first_trade', 'streak_7'] })).map((a) => a.code)).toEqual(['first_trade']);
});
