/** Issue 12: league placement and the season close on the real database. */
import type { DataSource } from 'typeorm';
import { kop } from '../../domain/money';
import { runAudit } from '../../domain/read/audit';
import { membershipOf, seasonResultOf } from '../../domain/read/league';
import { BookCache } from '../../domain/services/book-cache';
import { closeSeason, joinSeason } from '../../domain/services/leagues';
import { COHORT_TARGET, seasonBounds } from '../../domain/services/league-rules';
import { leaderboard } from '../../domain/read/leaderboard';
import { applyCommands } from '../../domain/services/matching';
import { proposeResolution } from '../../domain/services/resolution';
import { settleMarket } from '../../domain/services/settlement';
import { balancesOf } from '../../domain/services/users';
import { freshDatabase } from '../helpers/db';
import { openMarket, userWithMoney } from '../helpers/world';

let ds: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => ({ ds, drop } = await freshDatabase('league')));
afterAll(async () => drop());

const IN_SEASON = new Date('2026-01-15T12:00:00Z');
const AFTER = new Date('2026-02-01T09:00:00Z');
let seq = 0;

async function auditOk(): Promise<void> {
  const a = await runAudit(ds.manager);
  expect(Object.entries(a.invariants).filter(([, r]) => !r.ok)).toEqual([]);
}

test('concurrent first fills fill cohorts to the target, then open the next; a second join changes nothing', async () => {
  const users = await Promise.all(Array.from({ length: COHORT_TARGET + 5 }, (_, i) => userWithMoney(ds, 0, `P${i}`)));
  const now = new Date('2025-11-10T10:00:00Z');
  const placed = (await Promise.all(users.map((u) => joinSeason(ds, [u], now)))).flat();
  expect(placed.sort((a, b) => a - b)).toEqual([...users].sort((a, b) => a - b));
  expect(await joinSeason(ds, users, now)).toEqual([]);
  const sizes = await ds.query(`SELECT division, cohort, count(*)::int n FROM league_members WHERE season = '2025-11' GROUP BY 1, 2 ORDER BY 2`);
  expect(sizes).toEqual([{ division: 'bronze', cohort: 1, n: COHORT_TARGET }, { division: 'bronze', cohort: 2, n: 5 }]);
});

test('one join of many traders (one batch of fills) fills cohorts the same way, with overlapping calls placing each once', async () => {
  const users = await Promise.all(Array.from({ length: 2 * COHORT_TARGET + 3 }, (_, i) => userWithMoney(ds, 0, `Q${i}`)));
  const now = new Date('2025-10-10T10:00:00Z');
  const halves = [users.slice(0, COHORT_TARGET + 10), users.slice(COHORT_TARGET - 10)];
  const placed = (await Promise.all([joinSeason(ds, halves[0]!, now), joinSeason(ds, halves[1]!, now)])).flat();
  expect(placed.sort((a, b) => a - b)).toEqual([...users].sort((a, b) => a - b));
  const sizes = await ds.query(`SELECT cohort, count(*)::int n FROM league_members WHERE season = '2025-10' GROUP BY 1 ORDER BY 1`);
  expect(sizes).toEqual([{ cohort: 1, n: COHORT_TARGET }, { cohort: 2, n: COHORT_TARGET }, { cohort: 3, n: 3 }]);
});

test('season close: realized P&L ranks the cohort, top promoted, prizes paid once under double and concurrent runs', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds, 'Season market');
  const winners = [await userWithMoney(ds, 1_000, 'W1'), await userWithMoney(ds, 1_000, 'W2')];
  const losers = [await userWithMoney(ds, 1_000, 'L1'), await userWithMoney(ds, 1_000, 'L2')];
  const idle = await userWithMoney(ds, 1_000, 'Idle');
  // W1 buys 100 YES, W2 50 YES, against L1 and L2 on NO, all at 50.
  const place = (userId: number, intent: 'BUY_YES' | 'BUY_NO', qty: number, tif: 'GTC' | 'IOC') =>
    ({ type: 'place' as const, idempotencyKey: `l-${seq++}`, kind: 'limit' as const, tif, marketId: market, userId, intent, price: 50, qty });
  await applyCommands(ds, cache, market, [place(losers[0]!, 'BUY_NO', 100, 'GTC'), place(winners[0]!, 'BUY_YES', 100, 'IOC')]);
  await applyCommands(ds, cache, market, [place(losers[1]!, 'BUY_NO', 50, 'GTC'), place(winners[1]!, 'BUY_YES', 50, 'IOC')]);
  await applyCommands(ds, cache, market, [{ type: 'close', idempotencyKey: `l-${seq++}`, marketId: market }]);
  expect((await proposeResolution(ds, { marketId: market, adminUserId: idle, outcome: 'YES', early: false }, { quorum: 1, disputeWindowMs: 0 })).ok).toBe(true);
  await settleMarket(ds, market);
  await ds.query(`UPDATE markets SET settled_at = $2 WHERE id = $1`, [market, IN_SEASON]);
  const all = [...winners, ...losers, idle];
  await joinSeason(ds, all, IN_SEASON);

  const prizes = new Map([[1, kop(50_000)], [2, kop(25_000)]]);
  expect(await closeSeason(ds, '2026-01', prizes, new Date('2026-01-31T20:59:59Z'))).toBeNull(); // 23:59:59 MSK: not over
  const before = await Promise.all(all.map(async (u) => (await balancesOf(ds.manager, u)).available));
  const runs = await Promise.all([closeSeason(ds, '2026-01', prizes, AFTER), closeSeason(ds, '2026-01', prizes, AFTER)]);
  const written = runs.filter((r) => r !== null && r.length > 0);
  expect(written).toHaveLength(1);
  expect(await closeSeason(ds, '2026-01', prizes, AFTER)).toEqual([]);
  const results = written[0]!;
  expect(results.map((r) => [r.userId, r.place, r.scoreKop, r.movement, r.prizeKop])).toEqual([
    [winners[0], 1, 5_000 - 5, 'promoted', 50_000], // paid 50 × 100 + fee 5, got 100 × 100
    [winners[1], 2, 2_500 - 3, 'stayed', 25_000],
    [idle, 3, 0, 'stayed', 0],
    [losers[1], 4, -2_500, 'stayed', 0],
    [losers[0], 5, -5_000, 'stayed', 0], // Bronze: nobody goes down
  ]);
  const after = await Promise.all(all.map(async (u) => (await balancesOf(ds.manager, u)).available));
  expect(after.map((a, i) => a - before[i]!)).toEqual([50_000, 25_000, 0, 0, 0]);
  const [n] = await ds.query(`SELECT count(*)::int n FROM postings WHERE kind = 'league_prize'`);
  expect(n.n).toBe(2);
  expect(await seasonResultOf(ds.manager, '2026-01', winners[0]!)).toMatchObject({ place: 1, size: 5, movement: 'promoted', prizeKop: 50_000 });
  // Next season W1 plays in Silver.
  await joinSeason(ds, [winners[0]!], new Date('2026-02-03T10:00:00Z'));
  expect(await membershipOf(ds.manager, '2026-02', winners[0]!)).toEqual({ division: 'silver', cohort: 1 });
  await auditOk();

  // `/top season` in a group: only markets settled in the season count; the all-time table keeps them.
  await ds.query(`UPDATE markets SET chat_id = -100777 WHERE id = $1`, [market]);
  const jan = await leaderboard(ds.manager, { chatId: -100777, since: seasonBounds('2026-01').start }, 10, null);
  expect(jan.markets).toBe(1);
  expect(jan.top[0]).toMatchObject({ userId: winners[0], pnlKop: 4_995 });
  const feb = await leaderboard(ds.manager, { chatId: -100777, since: seasonBounds('2026-02').start }, 10, null);
  expect(feb).toEqual({ top: [], me: null, markets: 0 });
  expect((await leaderboard(ds.manager, { chatId: -100777 }, 10, null)).markets).toBe(1);
});
