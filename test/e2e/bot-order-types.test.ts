/**
 * Order types through the bot (issue "Order types"): the time-in-force toggles of the limit-order
 * preview (GTC, GTD, IOC, FOK, post-only), what each outcome says, self-trade prevention, cancel
 * all, the order book face, and a GTD order expired by the maintenance scheduler.
 *
 * Amounts: a 100 ₽ limit buy at the 0.10 % fee tier buys floor(9 990 / price) shares
 * (exchange/fees maxNotionalForSpend), e.g. 166 at 60 %, 199 at 50 %, 333 at 30 %.
 */
import type { SimUser } from '../../tools/botapi/sim-types';
import { balancesOf } from '../../domain/services/users';
import { buttons, fund, market, press, restingOrder, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
let makerId: number;
/** Markets of these tests close in 10 days, so every GTD preset (up to 7 days) is offered. */
const TEN_DAYS_H = 240;
const CONFIRM = '✅ Подтвердить';
const BACK = '◀ Назад';

beforeAll(async () => {
  env = await startEnv('ordertypes');
  makerId = await fund(env, env.sim.createUser({ first_name: 'Maker' }), 100_000);
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

async function ordersOf(userId: number, marketId: number) {
  return env.ds.query(
    `SELECT id, intent, price, qty, remaining, filled, status, tif, post_only, expires_at, cancel_reason
       FROM orders WHERE user_id = $1 AND market_id = $2 ORDER BY id`, [userId, marketId]);
}

async function openCard(u: SimUser, marketId: number) {
  env.sim.sendText({ userId: u.id, text: `/start m${marketId}` });
  return waitFor(env, u, { hasPhoto: true });
}

/** From the card: Buy YES for `amount` ₽ (typed) with limit `price`, up to the preview. */
async function limitBuyPreview(u: SimUser, marketId: number, amount: string, price: string) {
  const card = await openCard(u, marketId);
  press(env, u, buttons(card).find((b) => b.startsWith('✅ Купить ДА'))!);
  await waitFor(env, u, { textIncludes: 'Выберите сумму' });
  env.sim.sendText({ userId: u.id, text: amount });
  await waitFor(env, u, { textIncludes: 'Сумма:' });
  env.sim.sendText({ userId: u.id, text: price });
  return waitFor(env, u, { textIncludes: 'Проверьте заявку' });
}

/** Presses a toggle on the preview message and waits for the preview redrawn with `expected`. */
async function toggle(u: SimUser, previewId: number, label: string, expected: string) {
  press(env, u, label, previewId);
  return waitFor(env, u, { messageId: previewId, textIncludes: expected });
}

test('GTD: rests until the picked expiry, then the scheduler expires it, releases the reserve and tells the user', async () => {
  const id = await market(env, 'GTD expiry market?', 'weather', TEN_DAYS_H);
  const u = await startedUser(env, 'Gtd');
  const userId = await fund(env, u, 1000);
  const preview = await limitBuyPreview(u, id, '100', '30');
  // One-tap default: GTC, post-only off, Confirm right there.
  expect(preview.text).toContain('Срок: до исполнения или отмены (GTC).');
  expect(buttons(preview)).toEqual(expect.arrayContaining(['✓ До отмены', '⏳ До срока', 'IOC', 'FOK', 'Только в стакан: выкл.', CONFIRM]));

  const gtd = await toggle(u, preview.messageId, '⏳ До срока', '(GTD)');
  expect(buttons(gtd)).toEqual(expect.arrayContaining(['✓ ⏳ До срока', '1 ч', '✓ 24 ч', '7 дней', CONFIRM]));
  const before = Date.now();
  const oneHour = await toggle(u, preview.messageId, '1 ч', 'МСК (GTD)');
  const after = Date.now();
  expect(buttons(oneHour)).toContain('✓ 1 ч');
  expect(oneHour.text).toContain('В стакан встанет: 333 акции по 30%');

  press(env, u, CONFIRM, preview.messageId);
  const result = await waitFor(env, u, { messageId: preview.messageId, textIncludes: 'Заявка в стакане' });
  expect(result.text).toContain('333 акции ДА по 30%');
  expect(result.text).toMatch(/⏳ Действует до \d\d\.\d\d\.\d{4}, \d\d:\d\d МСК/);
  const [order] = await ordersOf(userId, id);
  expect(order).toMatchObject({ tif: 'GTD', status: 'open', remaining: 333, post_only: false });
  // The expiry submitted is the one previewed: one hour from the moment the preset was tapped.
  expect(order.expires_at.getTime()).toBeGreaterThanOrEqual(before + 3_600_000);
  expect(order.expires_at.getTime()).toBeLessThanOrEqual(after + 3_600_000);
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 100_000 - 9_990, reserved: 9_990 });

  env.sim.sendText({ userId: u.id, text: '/portfolio' });
  const pf = await waitFor(env, u, { textIncludes: 'Открытые заявки' });
  expect(pf.text).toMatch(/⏳ до \d\d\.\d\d\.\d{4}, \d\d:\d\d МСК/);

  // Let the hour pass: move the expiry into the past. The matching worker keeps the book in memory
  // per book_version (domain/services/book-cache.ts), so the version is bumped too and the worker
  // reloads the order with its new expiry, exactly as if the clock had moved on.
  await env.ds.transaction(async (m) => {
    await m.query(`UPDATE orders SET expires_at = now() WHERE id = $1`, [order.id]);
    await m.query(`UPDATE markets SET book_version = book_version + 1 WHERE id = $1`, [id]);
  });
  const told = await waitFor(env, u, { textIncludes: 'истёк' });
  expect(told.text).toContain('«GTD expiry market?»');
  expect(told.text).toContain('333 акции по 30% сняты, резерв возвращён');
  expect(await ordersOf(userId, id)).toEqual([expect.objectContaining({ status: 'expired', remaining: 0, cancel_reason: 'expired' })]);
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 100_000, reserved: 0 });
});

test('IOC: fills what is there now and cancels the rest, which is said in the preview and the result', async () => {
  const id = await market(env, 'IOC market?', 'weather', TEN_DAYS_H);
  // YES offered at 55 × 30 (a NO bid at 45).
  await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_NO', price: 45, qty: 30 });
  const u = await startedUser(env, 'Ioc');
  const userId = await fund(env, u, 1000);
  const preview = await limitBuyPreview(u, id, '100', '60');
  expect(preview.text).toContain('В стакан встанет: 136 акций по 60%');

  const ioc = await toggle(u, preview.messageId, 'IOC', 'Срок: только сейчас (IOC)');
  expect(ioc.text).toContain('Исполнится сразу: 30 акций ДА, средняя цена 55,0% (худшая 55%)');
  expect(ioc.text).toContain('Остаток отменится: 136 акций.');
  expect(ioc.text).not.toContain('В стакан встанет');
  // Post-only only makes sense for an order that may rest.
  expect(buttons(ioc).some((b) => b.includes('Только в стакан'))).toBe(false);

  press(env, u, CONFIRM, preview.messageId);
  const result = await waitFor(env, u, { messageId: preview.messageId, textIncludes: 'Куплено' });
  // 30 × 55 = 16,50 ₽; fee ceil(1 650 × 0.10 %) = 2 kop.
  expect(result.text).toContain('Куплено 30 акций ДА за 16,50\u00a0₽ + комиссия 0,02\u00a0₽, средняя цена 55,0%.');
  expect(result.text).toContain('Остаток отменён (IOC): 136 акций — встречных заявок в пределах 60% больше нет.');
  expect(await ordersOf(userId, id)).toEqual([expect.objectContaining({ tif: 'IOC', status: 'cancelled', filled: 30, remaining: 0 })]);
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 100_000 - 1_652, reserved: 0 });
});

test('FOK: not fillable in full is shown without Confirm; refused at Confirm when the book changed; nothing changes', async () => {
  const id = await market(env, 'FOK market?', 'weather', TEN_DAYS_H);
  await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_NO', price: 45, qty: 100 });
  const u = await startedUser(env, 'Fok');
  const userId = await fund(env, u, 1000);
  const preview = await limitBuyPreview(u, id, '100', '60');

  const fok = await toggle(u, preview.messageId, 'FOK', 'FOK сейчас не исполнится целиком');
  expect(fok.text).toContain('в пределах 60% доступно только 100 акций из 166');
  expect(buttons(fok)).not.toContain(CONFIRM);
  expect(buttons(fok)).toContain('✓ FOK');

  // Smaller: 50 ₽ at 60 % is 83 shares, which the 100 on offer cover. FOK stays picked.
  press(env, u, BACK, preview.messageId);
  await waitFor(env, u, { messageId: preview.messageId, textIncludes: 'Лимитная' });
  press(env, u, BACK, preview.messageId);
  await waitFor(env, u, { messageId: preview.messageId, textIncludes: 'Выберите сумму' });
  env.sim.sendText({ userId: u.id, text: '50' });
  await waitFor(env, u, { textIncludes: 'Сумма: 50,00' });
  env.sim.sendText({ userId: u.id, text: '60' });
  const fillable = await waitFor(env, u, { textIncludes: 'Проверьте заявку' });
  expect(fillable.text).toContain('Срок: сейчас и целиком — или никак (FOK).');
  expect(fillable.text).toContain('Исполнится сразу: 83 акции ДА, средняя цена 55,0% (худшая 55%)');
  expect(buttons(fillable)).toContain(CONFIRM);

  // The offer goes away before Confirm: the worker refuses the whole order.
  const [makers] = await env.ds.query(`SELECT id FROM orders WHERE market_id = $1 AND user_id = $2 AND status = 'open'`, [id, makerId]);
  const cancelled = await env.queues.submit({ type: 'cancel', idempotencyKey: `e2e-fok-${makers.id}`, marketId: id, userId: makerId, orderId: Number(makers.id) }, WAIT_MS);
  expect(cancelled.ok).toBe(true);
  press(env, u, CONFIRM, fillable.messageId);
  const result = await waitFor(env, u, { messageId: fillable.messageId, textIncludes: 'FOK-заявку' });
  expect(result.text).toContain('⛔ FOK-заявку нельзя было исполнить целиком сразу, поэтому она не выставлена. Ничего не изменилось.');
  expect(result.text).toContain('Доступно: 1\u202f000,00\u00a0₽');
  expect(await ordersOf(userId, id)).toEqual([expect.objectContaining({ tif: 'FOK', status: 'rejected', filled: 0 })]);
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 100_000, reserved: 0 });
});

test('post-only: refused while it would cross (no Confirm), rests when it would not', async () => {
  const id = await market(env, 'Post-only market?', 'weather', TEN_DAYS_H);
  await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_NO', price: 45, qty: 100 });
  const u = await startedUser(env, 'Maker2');
  const userId = await fund(env, u, 1000);
  const preview = await limitBuyPreview(u, id, '100', '60');

  const crossing = await toggle(u, preview.messageId, 'Только в стакан: выкл.', 'отклонят');
  expect(crossing.text).toContain('по 60% она сразу купила бы (лучшее предложение сейчас 55%). Поставьте цену ниже 55%');
  expect(buttons(crossing)).toEqual(expect.arrayContaining(['✓ Только в стакан: вкл.', '✓ До отмены']));
  expect(buttons(crossing)).not.toContain(CONFIRM);

  press(env, u, BACK, preview.messageId);
  await waitFor(env, u, { messageId: preview.messageId, textIncludes: 'Лимитная' });
  env.sim.sendText({ userId: u.id, text: '50' });
  const resting = await waitFor(env, u, { textIncludes: 'Проверьте заявку' });
  expect(resting.text).toContain('Только в стакан (post-only)');
  expect(resting.text).toContain('Сейчас ничего не исполнится.');
  expect(resting.text).toContain('В стакан встанет: 199 акций по 50%');
  press(env, u, CONFIRM, resting.messageId);
  const result = await waitFor(env, u, { messageId: resting.messageId, textIncludes: 'Заявка в стакане' });
  expect(result.text).toContain('199 акций ДА по 50%');
  expect(await ordersOf(userId, id)).toEqual([expect.objectContaining({ tif: 'GTC', post_only: true, status: 'open', remaining: 199 })]);
});

test('self-trade prevention: the own resting order in the way is cancelled and the user is told', async () => {
  const id = await market(env, 'Self-trade market?', 'weather', TEN_DAYS_H);
  const u = await startedUser(env, 'Self');
  const userId = await fund(env, u, 1000);
  // The user's own NO bid at 45 (= YES offered at 55) sits in front of the maker's YES offer at 56.
  await restingOrder(env, { marketId: id, userId, intent: 'BUY_NO', price: 45, qty: 100 });
  await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_NO', price: 44, qty: 50 });
  const preview = await limitBuyPreview(u, id, '100', '60');
  expect(preview.text).toContain('Исполнится сразу: 50 акций ДА, средняя цена 56,0% (худшая 56%)');
  expect(preview.text).toContain('В стакан встанет: 116 акций по 60%');

  press(env, u, CONFIRM, preview.messageId);
  const result = await waitFor(env, u, { messageId: preview.messageId, textIncludes: 'Куплено' });
  expect(result.text).toContain('Куплено 50 акций ДА за 28,00\u00a0₽ + комиссия 0,03\u00a0₽');
  expect(result.text).toContain('Ещё 116 акций ждут в стакане по 60%.');
  expect(result.text).toContain('Отменено ваших встречных заявок, чтобы не торговать с самим собой: 1.');
  await waitFor(env, u, { textIncludes: 'чтобы вы не торговали сами с собой' });

  const orders = await ordersOf(userId, id);
  expect(orders).toEqual([
    expect.objectContaining({ intent: 'BUY_NO', status: 'cancelled', cancel_reason: 'self_trade' }),
    expect.objectContaining({ intent: 'BUY_YES', status: 'open', filled: 50, remaining: 116 }),
  ]);
  // Only the new order's rest is reserved: the cancelled NO bid's 45,00 ₽ came back.
  expect((await balancesOf(env.ds.manager, userId)).reserved).toBe(116 * 60);
});

test('cancel all: per market from the portfolio and from the card and book, with what came back', async () => {
  const a = await market(env, 'Cancel-all A?', 'weather', TEN_DAYS_H);
  const b = await market(env, 'Cancel-all B?', 'weather', TEN_DAYS_H);
  const u = await startedUser(env, 'Canceller');
  const userId = await fund(env, u, 1000);
  // In A: a YES bid at 55 that buys the maker's 25 and rests 15, a NO bid, and 20 of the 25 YES for sale.
  await restingOrder(env, { marketId: a, userId: makerId, intent: 'BUY_NO', price: 45, qty: 25 });
  await restingOrder(env, { marketId: a, userId, intent: 'BUY_YES', price: 55, qty: 40 });
  await restingOrder(env, { marketId: a, userId, intent: 'BUY_NO', price: 20, qty: 50 });
  await restingOrder(env, { marketId: a, userId, intent: 'SELL_YES', price: 90, qty: 20 });
  await restingOrder(env, { marketId: b, userId, intent: 'BUY_YES', price: 40, qty: 50 });

  env.sim.sendText({ userId: u.id, text: '/portfolio' });
  const pf = await waitFor(env, u, { textIncludes: 'Открытые заявки' });
  // A's reserves: 15 × 55 + 50 × 20 = 18,25 ₽, plus the 20 shares offered.
  expect(buttons(pf)).toContain('✖ Снять все (3) · Cancel-all A?');
  expect(buttons(pf).filter((t) => t.startsWith('✖ Снять все'))).toHaveLength(1);
  const answer = await press(env, u, '✖ Снять все (3) · Cancel-all A?').answered(WAIT_MS);
  expect(answer.text).toBe('Снято заявок: 3. Из резерва вернулось 18,25\u00a0₽ и 20 акций.');
  const after = await waitFor(env, u, { messageId: pf.messageId, textIncludes: 'Открытые заявки' });
  expect(buttons(after).some((t) => t.startsWith('✖ Снять все'))).toBe(false);
  expect((await ordersOf(userId, a)).map((o: { status: string }) => o.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  expect(await balancesOf(env.ds.manager, userId)).toMatchObject({ reserved: 2_000 });

  const card = await openCard(u, b);
  expect(buttons(card)).toContain('✖ Снять мои заявки (1)');
  press(env, u, '📖 Стакан', card.messageId);
  const book = await waitFor(env, u, { messageId: card.messageId, captionIncludes: 'Стакан' });
  expect(book.caption).toContain('ДА 40% | НЕТ 60% | 50 акций ← ваших 50');
  const fromBook = await press(env, u, '✖ Снять мои заявки (1)', card.messageId).answered(WAIT_MS);
  expect(fromBook.text).toBe('Снято заявок: 1. Из резерва вернулось 20,00\u00a0₽.');
  const emptied = await waitFor(env, u, { messageId: card.messageId, captionIncludes: 'пусто' });
  expect(buttons(emptied)).not.toContain('✖ Снять мои заявки (1)');
  // All that is spent is the 25 YES bought: 25 × 55 = 13,75 ₽ + 2 kop fee.
  expect(await balancesOf(env.ds.manager, userId)).toEqual({ available: 100_000 - 1_377, reserved: 0 });
});

test('order book: top 5 levels each side, in YES and NO prices, with sizes', async () => {
  const id = await market(env, 'Deep book?', 'weather', TEN_DAYS_H);
  for (let i = 0; i < 6; i++) {
    await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_YES', price: 30 + i, qty: 40 + i });
    await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_NO', price: 45 - i, qty: 30 + i });
  }
  const u = await startedUser(env, 'Reader');
  const card = await openCard(u, id);
  press(env, u, '📖 Стакан', card.messageId);
  const book = await waitFor(env, u, { messageId: card.messageId, captionIncludes: 'Стакан' });
  const levels = book.caption!.split('\n').filter((l) => l.startsWith('ДА '));
  expect(levels).toEqual([
    // Offers of YES (= bids for NO), best (lowest) last, next to the bids.
    'ДА 59% | НЕТ 41% | 34 акции', 'ДА 58% | НЕТ 42% | 33 акции', 'ДА 57% | НЕТ 43% | 32 акции',
    'ДА 56% | НЕТ 44% | 31 акция', 'ДА 55% | НЕТ 45% | 30 акций',
    // Bids for YES (= offers of NO at 100 − p), best first.
    'ДА 35% | НЕТ 65% | 45 акций', 'ДА 34% | НЕТ 66% | 44 акции', 'ДА 33% | НЕТ 67% | 43 акции',
    'ДА 32% | НЕТ 68% | 42 акции', 'ДА 31% | НЕТ 69% | 41 акция',
  ]);
});

test('sell from a position as a limit order with a typed GTD expiry', async () => {
  const id = await market(env, 'Sell GTD market?', 'weather', TEN_DAYS_H);
  const u = await startedUser(env, 'Holder');
  const userId = await fund(env, u, 1000);
  await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_NO', price: 45, qty: 100 });
  await restingOrder(env, { marketId: id, userId, intent: 'BUY_YES', price: 55, qty: 100 });
  const card = await openCard(u, id);
  press(env, u, 'Продать ДА (100)', card.messageId);
  await waitFor(env, u, { buttonText: 'Все (100)' });
  press(env, u, 'Все (100)');
  await waitFor(env, u, { textIncludes: 'Лимитная' });
  env.sim.sendText({ userId: u.id, text: '70' });
  const preview = await waitFor(env, u, { textIncludes: 'Проверьте заявку' });
  expect(preview.text).toContain('В стакан встанет: 100 акций по 70%');
  await toggle(u, preview.messageId, '⏳ До срока', '(GTD)');

  // Three days ahead, to the minute, typed as Moscow wall-clock time (UTC+3).
  const at = Math.floor((Date.now() + 3 * 86_400_000) / 60_000) * 60_000;
  const msk = new Date(at + 3 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${pad(msk.getUTCDate())}.${pad(msk.getUTCMonth() + 1)}.${msk.getUTCFullYear()}`;
  const time = `${pad(msk.getUTCHours())}:${pad(msk.getUTCMinutes())}`;
  env.sim.sendText({ userId: u.id, text: 'завтра' });
  await waitFor(env, u, { textIncludes: 'Не удалось прочитать срок' });
  env.sim.sendText({ userId: u.id, text: `${day} ${time}` });
  const typed = await waitFor(env, u, { textIncludes: `Срок: до ${day}, ${time} МСК (GTD)` });
  press(env, u, CONFIRM, typed.messageId);
  const result = await waitFor(env, u, { messageId: typed.messageId, textIncludes: 'Заявка в стакане' });
  expect(result.text).toContain('100 акций ДА по 70%');
  expect(result.text).toContain(`⏳ Действует до ${day}, ${time} МСК`);
  const [sell] = (await ordersOf(userId, id)).filter((o: { intent: string }) => o.intent === 'SELL_YES');
  expect(sell).toMatchObject({ tif: 'GTD', status: 'open', remaining: 100 });
  expect(sell.expires_at.getTime()).toBe(at);
  const [pos] = await env.ds.query(`SELECT shares, reserved FROM positions WHERE user_id = $1 AND market_id = $2 AND outcome = 'YES'`, [userId, id]);
  expect(pos).toEqual({ shares: 100, reserved: 100 });
});
