import type { DataSource } from 'typeorm';
import { balanceOf, ensureUserAccounts, InsufficientFundsError, post, systemAccountId } from '../../domain/ledger/ledger';
import { kop } from '../../domain/money';
import { createInvoice, creditPayment } from '../../domain/services/payments';
import { balancesOf, upsertUser } from '../../domain/services/users';
import { freshDatabase } from '../helpers/db';

let ds: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => ({ ds, drop } = await freshDatabase('ledger')));
afterAll(async () => drop());

test('a posting moves money and keeps the cached balance', async () => {
  const { user } = await upsertUser(ds, { id: 1001, first_name: 'Ann' });
  const acc = await ensureUserAccounts(ds.manager, user.id);
  const dep = await systemAccountId(ds.manager, 'external:telegram:deposits');
  await ds.transaction((m) => post(m, [{ from: dep, to: acc.available, amount: kop(5000), kind: 'deposit', refType: 'test' }]));
  expect(await balanceOf(ds.manager, acc.available)).toBe(5000);
  expect(await balanceOf(ds.manager, dep)).toBe(-5000);
});

test('a user account never goes below zero: the whole transaction rolls back', async () => {
  const { user } = await upsertUser(ds, { id: 1002, first_name: 'Bob' });
  const acc = await ensureUserAccounts(ds.manager, user.id);
  await expect(ds.transaction((m) => post(m, [{ from: acc.available, to: acc.reserved, amount: kop(1), kind: 'reserve', refType: 'test' }])))
    .rejects.toBeInstanceOf(InsufficientFundsError);
  expect(await balancesOf(ds.manager, user.id)).toEqual({ available: 0, reserved: 0 });
});

test('a payment delivered twice credits once (idempotent on telegram_payment_charge_id)', async () => {
  const { user } = await upsertUser(ds, { id: 1003, first_name: 'Cat' });
  const inv = await createInvoice(ds, user.id, kop(50_000));
  if (!inv.ok) throw new Error('invoice');
  const claim = {
    payload: inv.invoice.payload, currency: 'RUB', totalAmount: 50_000, userId: user.id,
    telegramChargeId: 'tg_charge_1', providerChargeId: 'prov_1',
  };
  const results = await Promise.all([creditPayment(ds, claim), creditPayment(ds, claim), creditPayment(ds, claim)]);
  expect(results.filter((r) => r.ok && r.credited)).toHaveLength(1);
  expect((await balancesOf(ds.manager, user.id)).available).toBe(50_000);
  const again = await creditPayment(ds, claim);
  expect(again).toMatchObject({ ok: true, credited: false });
  expect((await balancesOf(ds.manager, user.id)).available).toBe(50_000);
});
