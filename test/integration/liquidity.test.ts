/**
 * Issue 8 on the real database: every market made through the admin or group-market service has a
 * house maker, a 100 ₽ market buy fills at once with nobody else trading, the preview equals the
 * execution, settlement returns what the maker holds to its funder, and the audit stays ok.
 */
import type { DataSource } from 'typeorm';
import { balanceOf, systemAccountId } from '../../domain/ledger/ledger';
import { kop } from '../../domain/money';
import { runAudit } from '../../domain/read/audit';
import { BookCache } from '../../domain/services/book-cache';
import { createGroupMarket } from '../../domain/services/group-markets';
import { addLiquidity, createMarket, makerInfo } from '../../domain/services/market-admin';
import { applyCommands } from '../../domain/services/matching';
import { proposeResolution } from '../../domain/services/resolution';
import { settleMarket } from '../../domain/services/settlement';
import { previewBet } from '../../domain/services/trading';
import { balancesOf } from '../../domain/services/users';
import { freshDatabase } from '../helpers/db';
import { userWithMoney } from '../helpers/world';

let ds: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => ({ ds, drop } = await freshDatabase('liq')));
afterAll(async () => drop());

let n = 0;
const key = () => `liq-${n++}`;
const cache = new BookCache();
const deadline = () => new Date(Date.now() + 86_400_000);

/** Spends 100 ₽ on YES at market, previewing first; returns the outcome and the preview. */
async function buyYes100(marketId: number, userId: number) {
  const bet = { marketId, userId, intent: 'BUY_YES' as const, kind: 'market' as const, price: 99, spendKop: kop(10_000), tif: 'IOC' as const };
  const preview = await previewBet(ds.manager, bet);
  const { results } = await applyCommands(ds, cache, marketId, [{ type: 'place', idempotencyKey: key(), ...bet }]);
  return { preview, result: results[0]! };
}

async function settleYes(marketId: number, adminUserId: number) {
  await applyCommands(ds, cache, marketId, [{ type: 'close', idempotencyKey: key(), marketId }]);
  const r = await proposeResolution(ds, { marketId, adminUserId, outcome: 'YES', early: false }, { quorum: 1, disputeWindowMs: 0 });
  expect(r.ok).toBe(true);
  return settleMarket(ds, marketId);
}

test('issue 8: an admin market has a house maker; a 100 ₽ market buy fills at once at the previewed price', async () => {
  const house = await systemAccountId(ds.manager, 'house:liquidity');
  const houseBefore = await balanceOf(ds.manager, house);
  const r = await createMarket(ds, { title: 'Will the maker quote both sides?', category: 'other', deadline: deadline(), createdBy: null });
  if (!r.ok) throw new Error(r.code);
  const marketId = r.market.id;
  const info = await makerInfo(ds.manager, marketId);
  expect(info).toMatchObject({ budgetKop: 100_000, openingPrice: 50, funderUserId: null });
  expect(info!.b).toBeGreaterThan(1_400);
  expect(await balanceOf(ds.manager, house)).toBe(houseBefore - 100_000);

  const buyer = await userWithMoney(ds, 200);
  const { preview, result } = await buyYes100(marketId, buyer);
  if (!preview.ok || !result.ok) throw new Error('bet failed');
  const o = result.outcome!;
  expect(o.status).toBe('filled');
  // Preview equals execution with the maker in the book.
  expect({ shares: o.filled, cost: o.costKop, fee: o.feeKop }).toEqual({ shares: preview.preview.shares, cost: preview.preview.costKop, fee: preview.preview.feeKop });
  // The whole 100 ₽ is used but for less than one more share.
  expect(10_000 - o.costKop - o.feeKop).toBeLessThan(100);
  expect(o.filled).toBeGreaterThan(150);
  // The opposite side is there at once: the buyer can sell back.
  const sell = await previewBet(ds.manager, { marketId, userId: buyer, intent: 'SELL_YES', kind: 'market', price: 30, qty: 100, tif: 'IOC' });
  expect(sell.ok && sell.preview.shares).toBe(100);
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });

  // addLiquidity re-derives b from the new money; the house pays.
  const more = await addLiquidity(ds, { marketId, amountKop: kop(100_000), idempotencyKey: 'u1' });
  expect(more.ok && more.budgetKop).toBe(200_000);
  expect(more.ok && more.b).toBeGreaterThan(info!.b);
  const again = await addLiquidity(ds, { marketId, amountKop: kop(100_000), idempotencyKey: 'u1' });
  expect(again.ok && again.budgetKop).toBe(200_000);
  expect(await balanceOf(ds.manager, house)).toBe(houseBefore - 200_000);
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });

  // Settlement: the buyer's YES shares pay; what the maker holds goes back to house:liquidity.
  const admin = await userWithMoney(ds, 0, 'admin');
  const s = await settleYes(marketId, admin);
  expect(s.status).toBe('settled');
  const m = s.maker!;
  expect(m.budgetKop).toBe(200_000);
  expect(m.profitKop).toBe(m.returnedKop - 200_000);
  // It sold YES for less than it pays out on YES: a loss, but never more than its budget.
  expect(m.profitKop).toBeLessThan(0);
  expect(-m.profitKop).toBeLessThanOrEqual(200_000);
  expect(await balanceOf(ds.manager, house)).toBe(houseBefore - 200_000 + m.returnedKop);
  const [row] = await ds.query(`SELECT a.balance FROM market_makers mm JOIN accounts a ON a.user_id = mm.user_id WHERE mm.market_id = $1 AND a.kind = 'available'`, [marketId]);
  expect(Number(row.balance)).toBe(0);
  // A rerun returns the same figures and moves nothing.
  expect((await settleMarket(ds, marketId)).maker).toEqual(m);
  expect(await balanceOf(ds.manager, house)).toBe(houseBefore - 200_000 + m.returnedKop);
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
});

test('issue 8: a group market takes the ante from its creator, fills a 100 ₽ buy, and returns the maker to the creator', async () => {
  const creator = await userWithMoney(ds, 150, 'creator');
  const poor = await userWithMoney(ds, 50, 'poor');
  const chatId = -100_777;
  const input = { title: 'Will we go hiking on Saturday?', category: 'other', deadline: deadline(), chatId };

  const refused = await createGroupMarket(ds, { ...input, createdBy: poor });
  expect(refused).toEqual({ ok: false, code: 'insufficient_funds', vars: { need: 10_000, have: 5_000 } });
  expect(await ds.query(`SELECT id FROM markets WHERE created_by = $1`, [poor])).toEqual([]);
  expect((await balancesOf(ds.manager, poor)).available).toBe(5_000);

  const r = await createGroupMarket(ds, { ...input, createdBy: creator });
  if (!r.ok) throw new Error(r.code);
  expect((await balancesOf(ds.manager, creator)).available).toBe(5_000);
  expect(await makerInfo(ds.manager, r.market.id)).toMatchObject({ budgetKop: 10_000, funderUserId: creator });

  const member = await userWithMoney(ds, 300, 'member');
  const { preview, result } = await buyYes100(r.market.id, member);
  if (!preview.ok || !result.ok) throw new Error('bet failed');
  expect(result.outcome!.status).toBe('filled');
  expect(result.outcome!.filled).toBe(preview.preview.shares);
  expect(10_000 - result.outcome!.costKop - result.outcome!.feeKop).toBeLessThan(100);
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });

  const s = await settleYes(r.market.id, creator);
  const m = s.maker!;
  expect(m.funderUserId).toBe(creator);
  expect(-m.profitKop).toBeLessThanOrEqual(10_000);
  expect((await balancesOf(ds.manager, creator)).available).toBe(5_000 + m.returnedKop);
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
});

test('issue 8: budget, ante and opening price limits at their boundaries', async () => {
  const base = { title: 'Boundary market question?', category: 'other', deadline: deadline(), createdBy: null };
  expect(await createMarket(ds, { ...base, liquidityKop: kop(999) })).toMatchObject({ ok: false, code: 'liquidity_out_of_range' });
  expect((await createMarket(ds, { ...base, liquidityKop: kop(1_000) })).ok).toBe(true);
  expect(await createMarket(ds, { ...base, openingPrice: 0 })).toMatchObject({ ok: false, code: 'opening_price_out_of_range' });
  expect(await createMarket(ds, { ...base, openingPrice: 100 })).toMatchObject({ ok: false, code: 'opening_price_out_of_range' });
  const edge = await createMarket(ds, { ...base, openingPrice: 99 });
  expect(edge.ok).toBe(true);
  const none = await createMarket(ds, { ...base, liquidityKop: kop(0) });
  expect(none.ok && (await makerInfo(ds.manager, none.market.id))).toBeNull();
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
});
