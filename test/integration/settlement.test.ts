import type { DataSource } from 'typeorm';
import { runAudit } from '../../domain/read/audit';
import { BookCache } from '../../domain/services/book-cache';
import type { MatchingCommand } from '../../domain/services/commands';
import { applyCommands } from '../../domain/services/matching';
import { proposeResolution, type ProposeInput } from '../../domain/services/resolution';
import { settleMarket } from '../../domain/services/settlement';
import { balancesOf } from '../../domain/services/users';
import { freshDatabase } from '../helpers/db';
import { openMarket, userWithMoney } from '../helpers/world';

let ds: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => ({ ds, drop } = await freshDatabase('settle')));
afterAll(async () => drop());

/** Quorum 1, no dispute window: a proposal is final at once. */
const resolveMarket = (input: ProposeInput) => proposeResolution(ds, input, { quorum: 1, disputeWindowMs: 0 });

let n = 0;
const key = () => `s-${n++}`;

/** A market where `yes` bought YES from `no` (a mint of `qty` pairs at 60), then trading stopped. */
async function tradedMarket(qty = 100) {
  const cache = new BookCache();
  const market = await openMarket(ds);
  const yes = await userWithMoney(ds, 1000);
  const no = await userWithMoney(ds, 1000);
  const cmds: MatchingCommand[] = [
    { type: 'place', idempotencyKey: key(), marketId: market, userId: yes, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 60, qty },
    { type: 'place', idempotencyKey: key(), marketId: market, userId: no, intent: 'BUY_NO', kind: 'limit', tif: 'GTC', price: 40, qty },
    // A resting order that closing must cancel and release.
    { type: 'place', idempotencyKey: key(), marketId: market, userId: yes, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 30, qty: 50 },
  ];
  await applyCommands(ds, cache, market, cmds);
  await applyCommands(ds, cache, market, [{ type: 'close', idempotencyKey: key(), marketId: market }]);
  return { market, yes, no };
}

test('YES pays 100 per YES share; settling twice and in parallel pays once; escrow ends at 0', async () => {
  const { market, yes, no } = await tradedMarket();
  const before = { yes: await balancesOf(ds.manager, yes), no: await balancesOf(ds.manager, no) };
  expect(before.yes.reserved).toBe(0);
  const r = await resolveMarket({ marketId: market, adminUserId: yes, outcome: 'YES', early: false });
  expect(r.ok).toBe(true);
  const runs = await Promise.all([settleMarket(ds, market, { batchSize: 1 }), settleMarket(ds, market, { batchSize: 1 })]);
  expect(runs.map((x) => x.status)).toEqual(['settled', 'settled']);
  await settleMarket(ds, market);
  expect((await balancesOf(ds.manager, yes)).available).toBe(before.yes.available + 100 * 100);
  expect((await balancesOf(ds.manager, no)).available).toBe(before.no.available);
  const [mk] = await ds.query(`SELECT status FROM markets WHERE id = $1`, [market]);
  expect(mk.status).toBe('settled');
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
});

test.each([
  ['NO', undefined, 0, 100],
  ['VOID', undefined, 50, 50],
  ['PROB', 37, 37, 63],
] as const)('%s pays YES %s → %i and NO %i per share', async (outcome, probability, yesPays, noPays) => {
  const { market, yes, no } = await tradedMarket(50);
  const before = { yes: await balancesOf(ds.manager, yes), no: await balancesOf(ds.manager, no) };
  expect((await resolveMarket({ marketId: market, adminUserId: yes, outcome, probability, early: false })).ok).toBe(true);
  await settleMarket(ds, market);
  expect((await balancesOf(ds.manager, yes)).available - before.yes.available).toBe(50 * yesPays);
  expect((await balancesOf(ds.manager, no)).available - before.no.available).toBe(50 * noPays);
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
});

test('bad resolutions change nothing', async () => {
  const market = await openMarket(ds);
  const admin = await userWithMoney(ds, 0);
  expect(await resolveMarket({ marketId: market, adminUserId: admin, outcome: 'YES', early: false }))
    .toMatchObject({ ok: false, code: 'market_still_open' });
  expect(await resolveMarket({ marketId: market, adminUserId: admin, outcome: 'PROB', probability: 101, early: true }))
    .toMatchObject({ ok: false, code: 'probability_out_of_range' });
  const { market: done } = await tradedMarket(50);
  await resolveMarket({ marketId: done, adminUserId: admin, outcome: 'NO', early: false });
  expect(await resolveMarket({ marketId: done, adminUserId: admin, outcome: 'YES', early: false }))
    .toMatchObject({ ok: false, code: 'market_already_resolved' });
  const [mk] = await ds.query(`SELECT status, outcome FROM markets WHERE id = $1`, [market]);
  expect(mk).toEqual({ status: 'open', outcome: null });
});
