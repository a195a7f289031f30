/**
 * issue 11: after settlement each holder's notice states their realized P&L on the market (paid vs
 * got, fees included) and over the markets settled this Moscow month. Checked against the ledger:
 * for users whose only activity is these markets, the P&L is exactly their balance change.
 */
import type { DataSource } from 'typeorm';
import { realizedPnl } from '../../domain/read/pnl';
import { BookCache } from '../../domain/services/book-cache';
import type { MatchingCommand } from '../../domain/services/commands';
import { applyCommands } from '../../domain/services/matching';
import { proposeResolution } from '../../domain/services/resolution';
import { payoutsOf, settleMarket } from '../../domain/services/settlement';
import { balancesOf } from '../../domain/services/users';
import { formatKop } from '../../infra/format';
import { payoutMessages } from '../../messages/notices';
import { freshDatabase } from '../helpers/db';
import { openMarket, userWithMoney } from '../helpers/world';

let ds: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => ({ ds, drop } = await freshDatabase('settlepnl')));
afterAll(async () => drop());

let n = 0;
const key = () => `pnl-${n++}`;
const START_KOP = 1000 * 100;

/** `yes` rests a YES bid at `price`; `no` takes it with BUY_NO (a mint); `yes` sells 20 YES back to `no` 10 points higher; the market closes, resolves `outcome` and settles. */
async function settledMarket(yes: number, no: number, price: number, qty: number, outcome: 'YES' | 'NO', title: string): Promise<number> {
  const cache = new BookCache();
  const market = await openMarket(ds, title);
  const cmds: MatchingCommand[] = [
    { type: 'place', idempotencyKey: key(), marketId: market, userId: yes, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price, qty },
    { type: 'place', idempotencyKey: key(), marketId: market, userId: no, intent: 'BUY_NO', kind: 'limit', tif: 'GTC', price: 100 - price, qty },
    // Part of the YES back to `no` at a better price: a sell, so "got" has trade proceeds too.
    { type: 'place', idempotencyKey: key(), marketId: market, userId: no, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: price + 10, qty: 20 },
    { type: 'place', idempotencyKey: key(), marketId: market, userId: yes, intent: 'SELL_YES', kind: 'limit', tif: 'GTC', price: price + 10, qty: 20 },
  ];
  await applyCommands(ds, cache, market, cmds);
  await applyCommands(ds, cache, market, [{ type: 'close', idempotencyKey: key(), marketId: market }]);
  const r = await proposeResolution(ds, { marketId: market, adminUserId: yes, outcome, early: false }, { quorum: 1, disputeWindowMs: 0 });
  expect(r.ok).toBe(true);
  expect((await settleMarket(ds, market)).status).toBe('settled');
  return market;
}

test('the settlement notice states the market P&L and the month total, equal to the ledger', async () => {
  const yes = await userWithMoney(ds, 1000, 'Yes');
  const no = await userWithMoney(ds, 1000, 'No');
  const first = await settledMarket(yes, no, 60, 100, 'YES', 'Will it rain on Monday?');
  const afterFirst = { yes: (await balancesOf(ds.manager, yes)).available - START_KOP, no: (await balancesOf(ds.manager, no)).available - START_KOP };
  // yes: paid 60 × 100 for YES, got 70 × 20 selling some and 100 × 80 at settlement (fees aside).
  expect(afterFirst.yes).toBeGreaterThan(0);
  expect(afterFirst.no).toBeLessThan(0);

  const p1 = await realizedPnl(ds.manager, first, [yes, no]);
  expect(p1.get(yes)?.market.pnlKop).toBe(afterFirst.yes);
  expect(p1.get(no)?.market.pnlKop).toBe(afterFirst.no);
  expect(p1.get(yes)?.monthKop).toBe(afterFirst.yes);
  expect(p1.get(yes)?.market.gotKop).toBe(70 * 20 + 100 * 80);

  const second = await settledMarket(yes, no, 30, 100, 'NO', 'Will it snow on Tuesday?');
  const total = { yes: (await balancesOf(ds.manager, yes)).available - START_KOP, no: (await balancesOf(ds.manager, no)).available - START_KOP };
  const p2 = await realizedPnl(ds.manager, second, [yes, no]);
  expect(p2.get(yes)?.market.pnlKop).toBe(total.yes - afterFirst.yes);
  expect(p2.get(yes)?.monthKop).toBe(total.yes);
  expect(p2.get(no)?.monthKop).toBe(total.no);

  const jobs = await payoutMessages(ds.manager, second, await payoutsOf(ds, second));
  const yesText = jobs.find((j) => j.userId === yes)?.text ?? '';
  const m2 = p2.get(yes)!.market;
  expect(yesText).toContain(`📊 Итог по рынку: ${formatKop(m2.pnlKop, 'ru', { sign: true })} (вложено ${formatKop(m2.paidKop, 'ru')}, получено ${formatKop(m2.gotKop, 'ru')}).`);
  expect(yesText).toContain(`С начала месяца (МСК): ${formatKop(total.yes, 'ru', { sign: true })}.`);
  // A holder of both sides gets two notices; the P&L is stated once.
  const noJobs = jobs.filter((j) => j.userId === no);
  expect(noJobs.filter((j) => j.text?.includes('📊')).length).toBe(1);
});
