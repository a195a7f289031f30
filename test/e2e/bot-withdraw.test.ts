/**
 * issue 9: withdrawals end to end through the local Bot API — request, admin approval (a second
 * admin above the quorum), mark paid, reject, cancel, repeated taps, limits and fees, bad input,
 * and the SLA reminder. Balances and postings are read from the ledger; the audit must stay clean.
 */
import type { SimUser } from '../../tools/botapi/sim-types';
import { runAudit } from '../../domain/read/audit';
import { balancesOf } from '../../domain/services/users';
import { accountOf, eventually, fund, market, press, restingOrder, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

const CARD = '4111 1111 1111 1111';
let env: Env;
let admin2: SimUser;
beforeAll(async () => {
  env = await startEnv('withdraw', {
    resolution: { quorum: 1, disputeWindow: '0', admins: 2 },
    env: { WITHDRAW_QUORUM_KOP: '2000000' },
  });
  admin2 = env.admins[1]!;
  for (const a of env.admins) {
    env.sim.sendText({ userId: a.id, text: '/start' });
    await waitFor(env, a, { hasKeyboard: true });
  }
}, 60_000);
afterAll(async () => env.close());
afterEach(async () => {
  expect(env.errors).toEqual([]);
  const audit = await runAudit(env.ds.manager);
  expect(Object.entries(audit.invariants).filter(([, r]) => !r.ok)).toEqual([]);
});

async function pendingOf(userId: number): Promise<number> {
  const [r] = await env.ds.query(`SELECT balance FROM accounts WHERE code = 'user:' || $1::text || ':withdrawal_pending'`, [userId]);
  return r ? Number(r.balance) : 0;
}
async function postingsOf(id: number): Promise<{ kind: string; amount: number }[]> {
  const rows: { kind: string; amount: string }[] = await env.ds.query(
    `SELECT kind, amount FROM postings WHERE ref_type = 'withdrawal' AND ref_id = $1 ORDER BY id`, [id]);
  return rows.map((r) => ({ kind: r.kind, amount: Number(r.amount) }));
}
async function lastRequest(userId: number): Promise<{ id: number; status: string; amount: number; fee: number }> {
  const [r] = await env.ds.query(`SELECT id, status, amount_kop, fee_kop FROM withdrawals WHERE user_id = $1 ORDER BY id DESC LIMIT 1`, [userId]);
  return { id: Number(r.id), status: r.status, amount: Number(r.amount_kop), fee: Number(r.fee_kop) };
}

/** /withdraw → typed amount → card → preview; returns the preview message. */
async function preview(u: SimUser, amount: string): Promise<import('../../tools/botapi/sim-types').SimMessage> {
  env.sim.sendText({ userId: u.id, text: '/withdraw' });
  await waitFor(env, u, { textIncludes: 'Вывод средств' });
  env.sim.sendText({ userId: u.id, text: amount });
  await waitFor(env, u, { textIncludes: 'Куда перевести' });
  press(env, u, '💳 Банковская карта');
  await waitFor(env, u, { textIncludes: 'номер карты' });
  env.sim.sendText({ userId: u.id, text: CARD });
  return waitFor(env, u, { textIncludes: 'Проверьте вывод' });
}

/** Places a request of `amount` (typed roubles) and returns its id once the admins got it. */
async function placeRequest(u: SimUser, amount: string): Promise<number> {
  await preview(u, amount);
  press(env, u, '✅ Подтвердить вывод');
  await waitFor(env, u, { textIncludes: 'Заявка создана' });
  const userId = await accountOf(env, u);
  const { id } = await lastRequest(userId);
  await waitFor(env, env.admin, { textIncludes: `Вывод №${id}` });
  return id;
}

test('request → approve → mark paid: hold, payout and fee postings, the user hears each step; the card stays masked', async () => {
  const u = await startedUser(env, 'Winner');
  const userId = await fund(env, u, 15_000);
  const pv = await preview(u, '12000');
  // 10 000 ₽ a month free, 1 % on the 2 000 ₽ above: 20 ₽.
  expect(pv.text).toContain('Сумма: 12\u202f000,00\u00a0₽');
  expect(pv.text).toContain('Комиссия: 20,00\u00a0₽');
  expect(pv.text).toContain('Вы получите: 11\u202f980,00\u00a0₽');
  expect(pv.text).toContain('карта •••• 1111');
  expect(pv.text).not.toContain('4111');
  press(env, u, '✅ Подтвердить вывод');
  await waitFor(env, u, { textIncludes: 'Заявка создана' });
  const w = await lastRequest(userId);
  expect(w).toMatchObject({ status: 'pending', amount: 1_200_000, fee: 2_000 });
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 300_000, reserved: 0 });
  expect(await pendingOf(userId)).toBe(1_200_000);

  const note = await waitFor(env, env.admin, { textIncludes: `Вывод №${w.id}` });
  expect(note.text).toContain('Новая заявка на вывод');
  expect(note.text).not.toContain('4111 1111');
  press(env, env.admin, '✅ Одобрить', note.messageId);
  await waitFor(env, env.admin, { textIncludes: 'Одобрено' });
  await waitFor(env, u, { textIncludes: `вывод №${w.id} на 12\u202f000,00\u00a0₽ одобрен` });
  expect((await lastRequest(userId)).status).toBe('approved');

  press(env, env.admin, '💸 Выплачено');
  const ask = await waitFor(env, env.admin, { textIncludes: 'номер выплаты' });
  expect(ask.text).toContain('4111111111111111'); // only the paying admin sees the full number
  env.sim.sendText({ userId: env.admin.id, text: 'SBP-123456' });
  await waitFor(env, env.admin, { textIncludes: 'Отмечено как выплаченное' });
  const paid = await waitFor(env, u, { textIncludes: 'выплачен' });
  expect(paid.text).toBe(`✅ Ваш вывод №${w.id} выплачен: 11\u202f980,00\u00a0₽ (номер SBP-123456).`);
  expect(await postingsOf(w.id)).toEqual([
    { kind: 'withdrawal_hold', amount: 1_200_000 }, { kind: 'withdrawal_payout', amount: 1_198_000 }, { kind: 'withdrawal_fee', amount: 2_000 },
  ]);
  expect(await pendingOf(userId)).toBe(0);

  // The user's Balance shows the history.
  press(env, u, '💰 Баланс');
  env.sim.sendText({ userId: u.id, text: '/start' });
  await waitFor(env, u, { hasKeyboard: true });
  press(env, u, '💰 Баланс');
  const bal = await waitFor(env, u, { textIncludes: 'Ваши выводы' });
  expect(bal.text).toContain(`№${w.id} 12\u202f000,00\u00a0₽ — ✅ выплачена`);
});

test('reject with a reason releases the hold; the user hears the reason', async () => {
  const u = await startedUser(env, 'Rejected');
  const userId = await fund(env, u, 1_000);
  const id = await placeRequest(u, '500');
  press(env, env.admin, '❌ Отклонить');
  await waitFor(env, env.admin, { textIncludes: 'причину отклонения' });
  env.sim.sendText({ userId: env.admin.id, text: 'карта не на ваше имя' });
  await waitFor(env, env.admin, { textIncludes: 'Отклонено' });
  const told = await waitFor(env, u, { textIncludes: 'отклонён' });
  expect(told.text).toContain('карта не на ваше имя');
  expect((await lastRequest(userId)).status).toBe('rejected');
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 100_000, reserved: 0 });
  expect((await postingsOf(id)).map((p) => p.kind)).toEqual(['withdrawal_hold', 'withdrawal_release']);
  // Approving it now changes nothing.
  press(env, env.admin, '✅ Одобрить');
  expect((await lastRequest(userId)).status).toBe('rejected');
});

test('cancel while pending releases the hold; a double tap on Confirm places one request', async () => {
  const u = await startedUser(env, 'Canceller');
  const userId = await fund(env, u, 1_000);
  await preview(u, '300');
  const t1 = press(env, u, '✅ Подтвердить вывод');
  const t2 = press(env, u, '✅ Подтвердить вывод');
  await Promise.all([t1.answered(WAIT_MS).catch(() => undefined), t2.answered(WAIT_MS).catch(() => undefined)]);
  await waitFor(env, u, { textIncludes: 'Заявка создана' });
  const [{ n }] = await env.ds.query(`SELECT count(*) n FROM withdrawals WHERE user_id = $1`, [userId]);
  expect(Number(n)).toBe(1);
  const w = await lastRequest(userId);
  press(env, u, `✖ Отменить вывод №${w.id} (300,00\u00a0₽)`);
  await waitFor(env, u, { textIncludes: 'отменён' });
  expect((await lastRequest(userId)).status).toBe('cancelled');
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 100_000, reserved: 0 });
  await waitFor(env, env.admin, { textIncludes: `отменил вывод №${w.id}` });
});

test('a double tap on Approve and on Mark paid pays once', async () => {
  const u = await startedUser(env, 'Twice');
  const userId = await fund(env, u, 2_000);
  const id = await placeRequest(u, '1000');
  const note = await waitFor(env, env.admin, { textIncludes: `Вывод №${id}` });
  const a1 = press(env, env.admin, '✅ Одобрить', note.messageId);
  const a2 = press(env, env.admin, '✅ Одобрить', note.messageId);
  await Promise.all([a1.answered(WAIT_MS), a2.answered(WAIT_MS)]);
  await eventually(async () => (await lastRequest(userId)).status === 'approved', 'approval');
  const m1 = press(env, env.admin, '💸 Выплачено');
  const m2 = press(env, env.admin, '💸 Выплачено');
  await Promise.all([m1.answered(WAIT_MS), m2.answered(WAIT_MS)]);
  env.sim.sendText({ userId: env.admin.id, text: 'REF-1' });
  await waitFor(env, env.admin, { textIncludes: 'Отмечено как выплаченное' });
  press(env, env.admin, '💸 Выплачено');
  env.sim.sendText({ userId: env.admin.id, text: 'REF-2' });
  const kinds = (await postingsOf(id)).map((p) => p.kind);
  expect(kinds).toEqual(['withdrawal_hold', 'withdrawal_payout']); // free: within the allowance, no fee posting
  const [r] = await env.ds.query(`SELECT payout_ref FROM withdrawals WHERE id = $1`, [id]);
  expect(r.payout_ref).toBe('REF-1');
});

test('above the quorum a second admin must approve', async () => {
  const u = await startedUser(env, 'Whale');
  const userId = await fund(env, u, 30_000);
  const id = await placeRequest(u, '25000');
  const note = await waitFor(env, env.admin, { textIncludes: `Вывод №${id}` });
  expect(note.text).toContain('Одобрений: 0 из 2');
  press(env, env.admin, '✅ Одобрить', note.messageId);
  await waitFor(env, env.admin, { textIncludes: 'нужно одобрение второго' });
  expect((await lastRequest(userId)).status).toBe('pending');
  // The same admin again: still one approval.
  press(env, env.admin, '✅ Одобрить');
  const n2 = await waitFor(env, admin2, { textIncludes: `Вывод №${id}: одно одобрение есть` });
  expect((await lastRequest(userId)).status).toBe('pending');
  press(env, admin2, '✅ Одобрить', n2.messageId);
  await waitFor(env, admin2, { textIncludes: 'Одобрено' });
  expect((await lastRequest(userId)).status).toBe('approved');
});

test('limits: the fourth request of a day is refused; more than available or touching reserved money is refused', async () => {
  const u = await startedUser(env, 'Busy');
  const userId = await fund(env, u, 2_000);
  for (let i = 0; i < 3; i++) await placeRequest(u, '100');
  env.sim.sendText({ userId: u.id, text: '/withdraw' });
  await waitFor(env, u, { textIncludes: 'Вывод средств' });
  env.sim.sendText({ userId: u.id, text: '100' });
  await waitFor(env, u, { text: 'Не больше 3 заявок на вывод в день. Попробуйте завтра.' });
  const [{ n }] = await env.ds.query(`SELECT count(*) n FROM withdrawals WHERE user_id = $1`, [userId]);
  expect(Number(n)).toBe(3);

  const v = await startedUser(env, 'Trader');
  const vId = await fund(env, v, 1_000);
  const m = await market(env, 'Withdraw while an order rests?');
  await restingOrder(env, { marketId: m, userId: vId, intent: 'BUY_YES', price: 50, qty: 1_000 }); // reserves 500 ₽
  expect(await balancesOf(env.ds.manager, vId)).toEqual({ available: 50_000, reserved: 50_000 });
  env.sim.sendText({ userId: v.id, text: '/withdraw' });
  const ask = await waitFor(env, v, { textIncludes: 'Вывод средств' });
  expect(ask.text).toContain('Доступно: 500,00\u00a0₽');
  env.sim.sendText({ userId: v.id, text: '500,01' });
  await waitFor(env, v, { text: 'Можно вывести не больше 500,00\u00a0₽ (деньги в открытых заявках вывести нельзя).' });
  env.sim.sendText({ userId: v.id, text: '2000' });
  await waitFor(env, v, { text: 'Можно вывести не больше 500,00\u00a0₽ (деньги в открытых заявках вывести нельзя).', });
  expect(await balancesOf(env.ds.manager, vId)).toEqual({ available: 50_000, reserved: 50_000 });
});

test('bad input: letters, a sub-kopeck amount, a Luhn-failing card, a malformed phone — a clear answer, nothing changed', async () => {
  const u = await startedUser(env, 'Sloppy');
  const userId = await fund(env, u, 1_000);
  env.sim.sendText({ userId: u.id, text: '/withdraw' });
  await waitFor(env, u, { textIncludes: 'Вывод средств' });
  env.sim.sendText({ userId: u.id, text: 'много' });
  await waitFor(env, u, { textIncludes: 'похоже на сумму' });
  env.sim.sendText({ userId: u.id, text: '100,555' });
  await waitFor(env, u, { text: 'В сумме не больше двух знаков после запятой (копейки). Ничего не изменилось.' });
  env.sim.sendText({ userId: u.id, text: '200' });
  await waitFor(env, u, { textIncludes: 'Куда перевести' });
  press(env, u, '💳 Банковская карта');
  await waitFor(env, u, { textIncludes: 'номер карты' });
  env.sim.sendText({ userId: u.id, text: '4111 1111 1111 1112' });
  await waitFor(env, u, { text: 'Номер карты неверный (проверьте цифры). Ничего не сохранено.' });
  press(env, u, '✖ Отмена');
  await waitFor(env, u, { textIncludes: 'Вывод отменён' });
  env.sim.sendText({ userId: u.id, text: '/withdraw' });
  await waitFor(env, u, { textIncludes: 'Вывод средств' });
  press(env, u, '500\u00a0₽');
  await waitFor(env, u, { textIncludes: 'Куда перевести' });
  press(env, u, '📱 СБП (по телефону)');
  await waitFor(env, u, { textIncludes: 'номер телефона' });
  env.sim.sendText({ userId: u.id, text: '+7 123' });
  await waitFor(env, u, { text: 'Это не похоже на российский мобильный номер. Введите так: +7 900 123-45-67.' });
  env.sim.sendText({ userId: u.id, text: '8 (900) 123-45-67' });
  await waitFor(env, u, { textIncludes: 'название банка' });
  env.sim.sendText({ userId: u.id, text: 'Т-Банк' });
  const pv = await waitFor(env, u, { textIncludes: 'Проверьте вывод' });
  expect(pv.text).toContain('СБП +79001234567, Т-Банк');
  press(env, u, '✖ Отмена');
  await waitFor(env, u, { textIncludes: 'Вывод отменён' });
  const [{ n }] = await env.ds.query(`SELECT count(*) n FROM withdrawals WHERE user_id = $1`, [userId]);
  expect(Number(n)).toBe(0);
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 100_000, reserved: 0 });
});

test('fee: none within the monthly allowance, 1 % (rounded up) on the part above it', async () => {
  const u = await startedUser(env, 'Monthly');
  await fund(env, u, 20_000);
  const first = await preview(u, '9999,99');
  expect(first.text).toContain('Комиссия: 0,00\u00a0₽ (в пределах бесплатного лимита месяца)');
  press(env, u, '✅ Подтвердить вывод');
  await waitFor(env, u, { textIncludes: 'Заявка создана' });
  // 0,01 ₽ of allowance left; 100,00 ₽ more: 1 % of 99,99 ₽ = 0,9999 ₽ → 1,00 ₽.
  const second = await preview(u, '100');
  expect(second.text).toContain('Комиссия: 1,00\u00a0₽');
  expect(second.text).toContain('Вы получите: 99,00\u00a0₽');
  press(env, u, '✖ Отмена');
  await waitFor(env, u, { textIncludes: 'Вывод отменён' });
});
