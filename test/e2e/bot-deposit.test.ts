import { balancesOf } from '../../domain/services/users';
import { accountOf, buttons, press, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('deposit');
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

test('deposit through an invoice: credited once, a redelivered payment changes nothing, a second payment is declined', async () => {
  const u = await startedUser(env, 'Payer');
  const userId = await accountOf(env, u);
  press(env, u, '💰 Баланс');
  const balance = await waitFor(env, u, { textIncludes: 'Доступно: 0,00\u00a0₽' });
  press(env, u, '➕ Пополнить', balance.messageId);
  // issue 9: the first deposit asks to accept the terms; the version is stored.
  await waitFor(env, u, { textIncludes: 'Перед первым пополнением' });
  press(env, u, '✅ Принимаю (18+)');
  const ask = await waitFor(env, u, { textIncludes: 'Пополнение' });
  expect(buttons(ask)).toEqual(['100\u00a0₽', '500\u00a0₽', '1\u202f000\u00a0₽', '5\u202f000\u00a0₽', '✖ Отмена']);
  press(env, u, '500\u00a0₽');
  const invoice = await waitFor(env, u, { hasInvoice: true });
  expect(invoice.invoice).toMatchObject({ currency: 'RUB', total_amount: 50_000, title: 'Пополнение баланса' });

  const paid = await env.sim.payInvoice({ userId: u.id, messageId: invoice.messageId });
  expect(paid.status).toBe('paid');
  const credited = await waitFor(env, u, { textIncludes: 'Зачислено' });
  expect(credited.text).toBe('✅ Зачислено 500,00\u00a0₽. Доступно: 500,00\u00a0₽');
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 50_000, reserved: 0 });

  // The same successful_payment delivered again (new update_id, same charge id).
  env.sim.redeliverPayment({ chatId: u.id, messageId: paid.messageId! });
  const again = await waitFor(env, u, { textIncludes: 'уже зачислен' });
  expect(again.text).toContain('Доступно: 500,00\u00a0₽');
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 50_000, reserved: 0 });

  // Paying the same invoice twice: the pre-checkout is refused, nothing is charged.
  const second = await env.sim.payInvoice({ userId: u.id, messageId: invoice.messageId });
  expect(second).toMatchObject({ status: 'declined', errorMessage: 'Этот счёт уже оплачен. Создайте новый: /deposit' });
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 50_000, reserved: 0 });
});

test('typed amounts: non-numeric and below the minimum are refused, "250,50 ₽" gets an invoice', async () => {
  const u = await startedUser(env, 'Typist', 'en');
  env.sim.sendText({ userId: u.id, text: '/deposit' });
  await waitFor(env, u, { textIncludes: 'Before your first deposit' });
  press(env, u, '✅ I accept (18+)');
  await waitFor(env, u, { textIncludes: 'Choose an amount' });
  env.sim.sendText({ userId: u.id, text: 'lots' });
  await waitFor(env, u, { textIncludes: "doesn't look like an amount" });
  env.sim.sendText({ userId: u.id, text: '50' });
  await waitFor(env, u, { text: 'The minimum deposit is ₽100.00.' });
  env.sim.sendText({ userId: u.id, text: '250,50 ₽' });
  const invoice = await waitFor(env, u, { hasInvoice: true });
  expect(invoice.invoice).toMatchObject({ total_amount: 25_050, title: 'Balance top-up' });
});

test('a pre-checkout for an invoice of another user is refused', async () => {
  const a = await startedUser(env, 'Owner');
  env.sim.sendText({ userId: a.id, text: '/deposit' });
  await waitFor(env, a, { textIncludes: 'Перед первым пополнением' });
  press(env, a, '✅ Принимаю (18+)');
  await waitFor(env, a, { textIncludes: 'Пополнение' });
  const tap = press(env, a, '100\u00a0₽');
  await tap.answered(WAIT_MS);
  const invoice = await waitFor(env, a, { hasInvoice: true });
  // Forward the payload through the bot's own API: another user "pays" an invoice carrying it.
  const b = await startedUser(env, 'Other');
  await env.running.bot.telegram.sendInvoice(b.id, {
    title: 'x', description: 'x', payload: invoice.invoicePayload!, provider_token: 'test-provider-token', currency: 'RUB',
    prices: [{ label: 'x', amount: 10_000 }],
  });
  const outcome = await env.sim.payInvoice({ userId: b.id });
  expect(outcome).toMatchObject({ status: 'declined', errorMessage: 'Счёт не найден. Создайте новый: /deposit' });
});
