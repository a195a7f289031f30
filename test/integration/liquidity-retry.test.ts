import type { DataSource } from 'typeorm';
import { balanceOf, systemAccountId } from '../../domain/ledger/ledger';
import { kop } from '../../domain/money';
import { addLiquidity, HOUSE_LIQUIDITY } from '../../domain/services/liquidity';
import { freshDatabase } from '../helpers/db';
import { openMarket } from '../helpers/world';

/**
 * addLiquidity promises "`idempotencyKey` (an outside event, e.g. the Telegram update)
 * makes a retry change nothing". On a market WITHOUT a maker the first call opens one and posts
 * the funding under the key `liquidity:<market>:open`, not under the caller's key; the retry
 * then found no posting with its key, found the maker, and funded it a second time (fixed: the
 * opening funding is posted under the caller's key).
 */
let ds: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ ds, drop } = await freshDatabase('liqretry'));
});
afterAll(async () => drop());

test('a repeated addLiquidity (same key) on a market without a maker funds it once', async () => {
  const marketId = await openMarket(ds, 'No maker yet?');
  const house = await systemAccountId(ds.manager, HOUSE_LIQUIDITY);
  const before = await balanceOf(ds.manager, house);
  const first = await addLiquidity(ds, { marketId, amountKop: kop(100_000), idempotencyKey: 'tg-update:42' });
  const again = await addLiquidity(ds, { marketId, amountKop: kop(100_000), idempotencyKey: 'tg-update:42' });
  expect(first).toMatchObject({ ok: true, budgetKop: 100_000 });
  const [mm] = await ds.query(`SELECT budget_kop::int AS budget FROM market_makers WHERE market_id = $1`, [marketId]);
  expect({ again, budget: mm.budget, houseSpent: before - (await balanceOf(ds.manager, house)) })
    .toEqual({ again: expect.objectContaining({ ok: true, budgetKop: 100_000 }), budget: 100_000, houseSpent: 100_000 });
});
