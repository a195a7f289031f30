import type { DataSource } from 'typeorm';
import { kop } from '../../domain/money';
import { runAudit } from '../../domain/read/audit';
import { BookCache, loadBook } from '../../domain/services/book-cache';
import type { MatchingCommand, PlaceOrderCommand } from '../../domain/services/commands';
import { applyCommands } from '../../domain/services/matching';
import { balancesOf } from '../../domain/services/users';
import { freshDatabase } from '../helpers/db';
import { openMarket, userWithMoney } from '../helpers/world';

let ds: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => ({ ds, drop } = await freshDatabase('match')));
afterAll(async () => drop());

let seq = 0;
function place(p: Omit<PlaceOrderCommand, 'type' | 'idempotencyKey' | 'kind' | 'tif'> & Partial<PlaceOrderCommand>): PlaceOrderCommand {
  return { type: 'place', idempotencyKey: `t-${seq++}`, kind: 'limit', tif: 'GTC', ...p };
}
async function run(cache: BookCache, marketId: number, ...cmds: MatchingCommand[]) {
  return applyCommands(ds, cache, marketId, cmds);
}
async function position(userId: number, marketId: number, outcome: 'YES' | 'NO') {
  const [r] = await ds.query(`SELECT shares, reserved FROM positions WHERE user_id=$1 AND market_id=$2 AND outcome=$3`, [userId, marketId, outcome]);
  return r ?? { shares: 0, reserved: 0 };
}

test('BUY_YES 60 rests, BUY_NO 40 crosses: a mint at the maker price, escrow backs the pair', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds);
  const ann = await userWithMoney(ds, 1000, 'ann');
  const bob = await userWithMoney(ds, 1000, 'bob');
  const a = await run(cache, market, place({ marketId: market, userId: ann, intent: 'BUY_YES', price: 60, qty: 100 }));
  expect(a.results[0]).toMatchObject({ ok: true, outcome: { status: 'open', filled: 0, resting: 100 } });
  // Reserve = 60 × 100 + ceil(6000 × 10 / 10000) fee reserve = 6001; the resting part keeps 6000.
  expect(await balancesOf(ds.manager, ann)).toEqual({ available: 100_000 - 6000, reserved: 6000 });

  const b = await run(cache, market, place({ marketId: market, userId: bob, intent: 'BUY_NO', price: 40, qty: 100 }));
  expect(b.results[0]).toMatchObject({ ok: true, outcome: { status: 'filled', filled: 100, costKop: 4000, feeKop: 4 } });
  expect(b.notices).toEqual([expect.objectContaining({ userId: ann, kind: 'fill', shares: 100, price: 60 })]);
  expect(await position(ann, market, 'YES')).toEqual({ shares: 100, reserved: 0 });
  expect(await position(bob, market, 'NO')).toEqual({ shares: 100, reserved: 0 });
  // Ann (maker) gets a rebate of floor(6000 / 10000) = 0; Bob pays 4000 + 4 fee.
  expect(await balancesOf(ds.manager, ann)).toEqual({ available: 94_000, reserved: 0 });
  expect(await balancesOf(ds.manager, bob)).toEqual({ available: 100_000 - 4004, reserved: 0 });
  const audit = await runAudit(ds.manager);
  expect(audit).toMatchObject({ ok: true });
});

test('shares bought can be sold in the very next command of the same batch, and a duplicate command applies once', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds);
  const ann = await userWithMoney(ds, 1000);
  const bob = await userWithMoney(ds, 1000);
  const carl = await userWithMoney(ds, 1000);
  const buy = place({ marketId: market, userId: bob, intent: 'BUY_YES', price: 55, qty: 50, tif: 'IOC' });
  const out = await run(cache, market,
    place({ marketId: market, userId: ann, intent: 'BUY_NO', price: 45, qty: 50 }),
    buy,
    buy,
    place({ marketId: market, userId: carl, intent: 'BUY_YES', price: 50, qty: 40 }),
    place({ marketId: market, userId: bob, intent: 'SELL_YES', price: 50, qty: 40 }),
  );
  expect(out.results.map((r) => r.ok)).toEqual([true, true, true, true, true]);
  expect(out.results[1]).toEqual(out.results[2]);
  expect(out.results[4]).toMatchObject({ ok: true, outcome: { filled: 40, status: 'filled' } });
  expect(await position(bob, market, 'YES')).toEqual({ shares: 10, reserved: 0 });
  expect(await position(carl, market, 'YES')).toEqual({ shares: 40, reserved: 0 });
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
});

test('rejections change nothing: too small, no money, no shares, closed price', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds);
  const poor = await userWithMoney(ds, 20);
  const before = await balancesOf(ds.manager, poor);
  const out = await run(cache, market,
    place({ marketId: market, userId: poor, intent: 'BUY_YES', price: 50, qty: 1 }),
    place({ marketId: market, userId: poor, intent: 'BUY_YES', price: 50, qty: 100 }),
    place({ marketId: market, userId: poor, intent: 'SELL_NO', price: 50, qty: 100 }),
    place({ marketId: market, userId: poor, intent: 'BUY_YES', price: 100, qty: 100 }),
    place({ marketId: market, userId: poor, intent: 'BUY_YES', spendKop: kop(1500), kind: 'market', tif: 'IOC', price: 99 }),
  );
  expect(out.results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
    'notional_too_small', 'insufficient_funds', 'insufficient_shares', 'price_out_of_range', 'no_liquidity',
  ]);
  expect(await balancesOf(ds.manager, poor)).toEqual(before);
});

test('a restarted worker rebuilds the same book from the database', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds);
  const users = await Promise.all([1, 2, 3].map(() => userWithMoney(ds, 10_000)));
  const cmds: MatchingCommand[] = [];
  for (let i = 0; i < 30; i++) {
    const intent = (['BUY_YES', 'BUY_NO'] as const)[i % 2];
    cmds.push(place({ marketId: market, userId: users[i % 3], intent, price: 40 + (i % 7), qty: 10 + i }));
  }
  await run(cache, market, ...cmds.slice(0, 15));
  await run(cache, market, ...cmds.slice(15));
  const [row] = await ds.query(`SELECT book_version FROM markets WHERE id=$1`, [market]);
  const live = await cache.get(ds.manager, market, Number(row.book_version));
  // The worker's book is served from memory at the committed version, not reloaded.
  expect(await cache.get(ds.manager, market, Number(row.book_version))).toBe(live);
  const rebuilt = await loadBook(ds.manager, market);
  expect(rebuilt.hash()).toBe(live.hash());
  expect(rebuilt.size).toBeGreaterThan(0);
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
});

test('shares bought in an earlier batch can be offered and sold later (bot-trade "sell half" regression)', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds);
  const ann = await userWithMoney(ds, 1000);
  const bob = await userWithMoney(ds, 1000);
  await run(cache, market, place({ marketId: market, userId: ann, intent: 'BUY_NO', price: 40, qty: 100 }));
  await run(cache, market, place({ marketId: market, userId: bob, intent: 'BUY_YES', price: 60, qty: 100 }));
  const offer = await run(cache, market, place({ marketId: market, userId: bob, intent: 'SELL_YES', price: 70, qty: 50 }));
  expect(offer.results[0]).toMatchObject({ ok: true, outcome: { status: 'open', resting: 50 } });
  expect(await position(bob, market, 'YES')).toEqual({ shares: 100, reserved: 50 });
  const sold = await run(cache, market, place({ marketId: market, userId: ann, intent: 'BUY_YES', price: 70, qty: 50 }));
  expect(sold.results[0]).toMatchObject({ ok: true, outcome: { filled: 50 } });
  expect(await position(bob, market, 'YES')).toEqual({ shares: 50, reserved: 0 });
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
});
