import { balancesOf } from '../../domain/services/users';
import { buttons, fund, market, press, restingOrder, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
let rain: number;
let makerId: number;
beforeAll(async () => {
  env = await startEnv('trade');
  rain = await market(env, 'Will it rain in Moscow tomorrow?', 'weather');
  const maker = env.sim.createUser({ first_name: 'Maker' });
  makerId = await fund(env, maker, 10_000);
  // YES bid 40 × 50; NO bid 45 × 500, i.e. YES offered at 55.
  await restingOrder(env, { marketId: rain, userId: makerId, intent: 'BUY_YES', price: 40, qty: 50 });
  await restingOrder(env, { marketId: rain, userId: makerId, intent: 'BUY_NO', price: 45, qty: 500 });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

async function openCard(u: { id: number }) {
  env.sim.sendText({ userId: u.id, text: `/start m${rain}` });
  return waitFor(env, u as never, { hasPhoto: true });
}

async function ordersOf(userId: number) {
  return env.ds.query(`SELECT intent, price, qty, remaining, filled, status, idempotency_key FROM orders WHERE user_id = $1 ORDER BY id`, [userId]);
}

test('market buy: preset amount → market price → preview → double-tapped Confirm places ONE order', async () => {
  const u = await startedUser(env, 'Trader');
  const userId = await fund(env, u, 1000);
  await openCard(u);
  press(env, u, '✅ Купить ДА · 55%');
  const ask = await waitFor(env, u, { textIncludes: 'Выберите сумму' });
  expect(ask.text).toContain('Доступно: 1\u202f000,00\u00a0₽');
  press(env, u, '100\u00a0₽');
  const price = await waitFor(env, u, { messageId: ask.messageId, buttonText: '⚡ По рынку (до 60%)' });
  expect(price.text).toContain('Сумма: 100,00\u00a0₽');
  press(env, u, '⚡ По рынку (до 60%)');
  const preview = await waitFor(env, u, { messageId: ask.messageId, textIncludes: 'Проверьте заявку' });
  // 100 ₽ with the 0.10 % fee buys floor(9 990 / 55) = 181 shares at 55: 99,55 ₽ + 0,10 ₽ fee.
  expect(preview.text).toContain('Исполнится сразу: 181 акция ДА, средняя цена 55,0% (худшая 55%)');
  expect(preview.text).toContain('Комиссия: 0,10\u00a0₽ (0,10%)');
  expect(preview.text).toContain('Итого спишется: 99,65\u00a0₽');
  expect(preview.text).toContain('Максимальная выплата: 181,00\u00a0₽, если исход — ДА');

  const tap1 = press(env, u, '✅ Подтвердить', ask.messageId);
  const tap2 = press(env, u, '✅ Подтвердить', ask.messageId);
  const answers = [await tap1.answered(WAIT_MS), await tap2.answered(WAIT_MS)].map((a) => a.text);
  expect(answers).toContain('Эта заявка уже отправлена.');
  const result = await waitFor(env, u, { messageId: ask.messageId, textIncludes: 'Куплено' });
  expect(result.text).toContain('Куплено 181 акция ДА за 99,55\u00a0₽ + комиссия 0,10\u00a0₽, средняя цена 55,0%.');
  expect(result.text).toContain('Доступно: 900,35\u00a0₽');

  const orders = await ordersOf(userId);
  expect(orders).toHaveLength(1);
  expect(orders[0]).toMatchObject({ intent: 'BUY_YES', filled: 181, status: 'filled' });
  expect(orders[0].idempotency_key).toMatch(/^bet:[0-9a-f]{16}$/);
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 90_035, reserved: 0 });
});

test('limit buy with a typed amount rests in the book; Cancel in the portfolio releases it', async () => {
  const u = await startedUser(env, 'Limit');
  const userId = await fund(env, u, 500);
  await openCard(u);
  press(env, u, '❌ Купить НЕТ · 60%');
  await waitFor(env, u, { textIncludes: 'Выберите сумму' });
  env.sim.sendText({ userId: u.id, text: '250,50 ₽' });
  await waitFor(env, u, { textIncludes: 'Сумма: 250,50\u00a0₽' });
  env.sim.sendText({ userId: u.id, text: '30' });
  const preview = await waitFor(env, u, { textIncludes: 'Проверьте заявку' });
  // floor(25 050 × 10 000 / 10 010) = 25 024 kop of notional at 30 → 834 shares; none crosses (YES bid 40 < 70).
  expect(preview.text).toContain('Тип: лимитная по 30%');
  expect(preview.text).toContain('Сейчас ничего не исполнится.');
  expect(preview.text).toContain('В стакан встанет: 834 акции по 30%');
  press(env, u, '✅ Подтвердить');
  const result = await waitFor(env, u, { messageId: preview.messageId, textIncludes: 'Заявка в стакане' });
  expect(result.text).toContain('834 акции НЕТ по 30%');
  const reserved = (await balancesOf(env.ds.manager, userId)).reserved;
  expect(reserved).toBeGreaterThanOrEqual(834 * 30);

  press(env, u, '💼 Портфель');
  const pf = await waitFor(env, u, { messageId: preview.messageId, textIncludes: 'Открытые заявки' });
  expect(pf.text).toContain('Покупка НЕТ · 834 акции по 30%');
  const cancel = buttons(pf).find((b) => b.startsWith('✖ 1.'))!;
  const answer = await press(env, u, cancel).answered(WAIT_MS);
  expect(answer.text).toBe('Заявка снята, резерв возвращён.');
  await waitFor(env, u, { messageId: preview.messageId, textIncludes: 'Открытых заявок нет.' });
  expect(await ordersOf(userId)).toEqual([expect.objectContaining({ status: 'cancelled', remaining: 0 })]);
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 50_000, reserved: 0 });
});

test('bad input in the bet scene gets a clear answer and changes nothing', async () => {
  const u = await startedUser(env, 'Clumsy');
  const userId = await fund(env, u, 50);
  await openCard(u);
  press(env, u, '✅ Купить ДА · 55%');
  await waitFor(env, u, { textIncludes: 'Выберите сумму' });
  const say = async (text: string, expected: string) => {
    env.sim.sendText({ userId: u.id, text });
    await waitFor(env, u, { textIncludes: expected });
  };
  await say('сто рублей', 'Не похоже на сумму');
  await say('5', 'Слишком мало: минимум 10,00\u00a0₽');
  const over = env.sim.sendText({ userId: u.id, text: '100' });
  const refusal = await waitFor(env, u, { textIncludes: 'Недостаточно средств' }, over.seq);
  expect(refusal.text).toContain('вы хотите 100,00\u00a0₽, а доступно 50,00\u00a0₽');
  expect(buttons(refusal)).toEqual(['➕ Пополнить']);
  await say('20', 'Сумма: 20,00\u00a0₽');
  await say('150', 'Цена должна быть от 1 до 99.');
  await say('0', 'Цена должна быть от 1 до 99.');
  await say('дорого', 'Напишите цену целым числом');
  await say('35', 'Проверьте заявку');
  // Typing during the preview changes nothing either.
  await say('40', 'Подтвердите или отмените заявку кнопками выше.');
  expect(await ordersOf(userId)).toEqual([]);
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 5_000, reserved: 0 });
  // A command leaves the scene; an old Confirm then is outdated and still changes nothing.
  await say('/portfolio', 'Портфель');
  const preview = env.sim.messages(u.id).filter((m) => m.text?.includes('Проверьте заявку')).pop()!;
  const late = await press(env, u, '✅ Подтвердить', preview.messageId).answered(WAIT_MS);
  expect(late.text).toBe('Эта кнопка устарела. Откройте меню заново: /start');
  expect(await ordersOf(userId)).toEqual([]);
});

test('sell half of a position at market: fills what the bids take, cancels the rest', async () => {
  const u = await startedUser(env, 'Seller');
  const userId = await fund(env, u, 200);
  // Buy 100 YES at 55 through the queue, as if from an earlier bet.
  await restingOrder(env, { marketId: rain, userId, intent: 'BUY_YES', price: 55, qty: 100 });
  const card = await openCard(u);
  expect(buttons(card)).toContain('Продать ДА (100)');
  press(env, u, 'Продать ДА (100)');
  await waitFor(env, u, { buttonText: 'Половину (50)' });
  press(env, u, 'Половину (50)');
  // The best YES bid is the maker's 40 (50 shares): a market sell is guarded at 40 − 5 = 35.
  await waitFor(env, u, { buttonText: '⚡ По рынку (от 35%)' });
  press(env, u, '⚡ По рынку (от 35%)');
  const preview = await waitFor(env, u, { textIncludes: 'Проверьте заявку' });
  expect(preview.text).toContain('Продастся сразу: 50 акций ДА, средняя цена 40,0% (худшая 40%)');
  expect(preview.text).toContain('Итого получите: 19,98\u00a0₽');
  press(env, u, '✅ Подтвердить');
  const result = await waitFor(env, u, { textIncludes: 'Продано' });
  expect(result.text).toContain('Продано 50 акций ДА за 20,00\u00a0₽');
  const [pos] = await env.ds.query(`SELECT shares, reserved FROM positions WHERE user_id = $1 AND market_id = $2 AND outcome = 'YES'`, [userId, rain]);
  expect(pos).toEqual({ shares: 50, reserved: 0 });
});

test('sell refuses more shares than held', async () => {
  const u = await startedUser(env, 'Greedy');
  const userId = await fund(env, u, 100);
  await restingOrder(env, { marketId: rain, userId, intent: 'BUY_YES', price: 55, qty: 20 });
  await openCard(u);
  press(env, u, 'Продать ДА (20)');
  await waitFor(env, u, { textIncludes: 'Сколько акций продать' });
  env.sim.sendText({ userId: u.id, text: '21' });
  await waitFor(env, u, { text: 'У вас свободно только 20 акций.' });
  env.sim.sendText({ userId: u.id, text: 'много' });
  await waitFor(env, u, { text: 'Напишите целое число акций, например 10.' });
});

describe('issue 15: the stated minimum can be used', () => {
  test('issue 15: a market buy of exactly the minimum 10,00 ₽ is accepted, previewed and placed; 9,99 ₽ is refused', async () => {
    const u = await startedUser(env, 'Minimal');
    const userId = await fund(env, u, 50);
    await openCard(u);
    press(env, u, '✅ Купить ДА · 55%');
    const ask = await waitFor(env, u, { textIncludes: 'Выберите сумму' });
    expect(ask.text).toContain('Минимум — 10,00\u00a0₽.');
    const under = env.sim.sendText({ userId: u.id, text: '9,99' });
    await waitFor(env, u, { textIncludes: 'Слишком мало: минимум 10,00\u00a0₽' }, under.seq);
    env.sim.sendText({ userId: u.id, text: '10' });
    await waitFor(env, u, { buttonText: '⚡ По рынку (до 60%)', textIncludes: 'Сумма: 10,00\u00a0₽' });
    press(env, u, '⚡ По рынку (до 60%)');
    // floor(10 000 000 / 10 010) = 999 kop of notional at 55 → 18 shares: 9,90 ₽ + 0,01 ₽ fee.
    const preview = await waitFor(env, u, { textIncludes: 'Проверьте заявку' });
    expect(preview.text).toContain('Исполнится сразу: 18 акций ДА');
    expect(preview.text).toContain('Итого спишется: 9,91\u00a0₽');
    press(env, u, '✅ Подтвердить', preview.messageId);
    const result = await waitFor(env, u, { messageId: preview.messageId, textIncludes: 'Куплено' });
    expect(result.text).toContain('Куплено 18 акций ДА за 9,90\u00a0₽ + комиссия 0,01\u00a0₽');
    expect(await ordersOf(userId)).toEqual([expect.objectContaining({ intent: 'BUY_YES', filled: 18, status: 'filled' })]);
    expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 4_009, reserved: 0 });
  });

  test('issue 15: at a limit of 50 the prompt\'s rule holds: 10,00 ₽ is refused with the real minimum 10,01 ₽, which is previewed and placed', async () => {
    const u = await startedUser(env, 'Boundary');
    const userId = await fund(env, u, 50);
    await openCard(u);
    press(env, u, '✅ Купить ДА · 55%');
    const ask = await waitFor(env, u, { textIncludes: 'Выберите сумму' });
    expect(ask.text).toContain('лимитной заявке нужно чуть больше: акции на 10,00\u00a0₽ плюс комиссия');
    env.sim.sendText({ userId: u.id, text: '10' });
    await waitFor(env, u, { textIncludes: 'Сумма: 10,00\u00a0₽' });
    const low = env.sim.sendText({ userId: u.id, text: '50' });
    const refusal = await waitFor(env, u, { textIncludes: 'Мало для лимитной заявки' }, low.seq);
    expect(refusal.text).toBe('Мало для лимитной заявки по 50%: на 10,00\u00a0₽ с комиссией хватает акций: 19, а заявка должна стоить не меньше 10,00\u00a0₽. '
      + 'Минимум по этой цене — 10,01\u00a0₽ (акции на 10,00\u00a0₽ плюс комиссия). Вернитесь и увеличьте сумму или напишите другую цену.');
    expect(await ordersOf(userId)).toEqual([]);

    // Back to the amount: exactly the stated minimum at this price.
    press(env, u, '◀ Назад');
    await waitFor(env, u, { textIncludes: 'Выберите сумму' });
    env.sim.sendText({ userId: u.id, text: '10,01' });
    await waitFor(env, u, { textIncludes: 'Сумма: 10,01\u00a0₽' });
    env.sim.sendText({ userId: u.id, text: '50' });
    const preview = await waitFor(env, u, { textIncludes: 'Проверьте заявку' });
    expect(preview.text).toContain('В стакан встанет: 20 акций по 50%');
    expect(preview.text).toContain('10,01\u00a0₽');
    press(env, u, '✅ Подтвердить', preview.messageId);
    await waitFor(env, u, { messageId: preview.messageId, textIncludes: 'Заявка в стакане' });
    expect(await ordersOf(userId)).toEqual([expect.objectContaining({ intent: 'BUY_YES', price: 50, qty: 20, remaining: 20, status: 'open' })]);
    expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 4_000, reserved: 1_000 });
  });
});
