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

test('a payment that arrives while the database cannot record it is credited by itself once it can (long polling fetches it again)', async () => {
  const u = await startedUser(env, 'Patient', 'en');
  const userId = await accountOf(env, u);
  env.sim.sendText({ userId: u.id, text: '/deposit' });
  await waitFor(env, u, { textIncludes: 'Before your first deposit' });
  press(env, u, '✅ I accept (18+)');
  await waitFor(env, u, { textIncludes: 'Choose an amount' });
  env.sim.sendText({ userId: u.id, text: '300' });
  const invoice = await waitFor(env, u, { hasInvoice: true });

  // Payments rows refused as by a cut connection (SQLSTATE 08006) while the provider takes the money.
  await env.ds.query(`CREATE FUNCTION e2e_outage() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN RAISE EXCEPTION 'simulated outage' USING ERRCODE = '08006'; END $$`);
  await env.ds.query(`CREATE TRIGGER e2e_outage BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION e2e_outage()`);
  try {
    const paid = await env.sim.payInvoice({ userId: u.id, messageId: invoice.messageId });
    expect(paid.status).toBe('paid');
    await waitFor(env, u, { textIncludes: 'crediting is delayed' });
    // Fetched again (after the runner's pause) and refused again meanwhile: still nothing credited.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 0, reserved: 0 });
  } finally {
    await env.ds.query(`DROP TRIGGER e2e_outage ON payments`);
  }
  const credited = await waitFor(env, u, { textIncludes: 'Credited' });
  expect(credited.text).toBe('✅ Credited ₽300.00. Available: ₽300.00');
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 30_000, reserved: 0 });
  expect(env.sim.messages(u.id).filter((m) => m.text?.includes('crediting is delayed'))).toHaveLength(1);
  // The failed attempts were logged as errors, as they should be; nothing else.
  expect(env.errors.every((e) => /simulated outage|payment not recorded/.test(e))).toBe(true);
  env.errors.length = 0;
});
