import { DELAYED_NOTICE_MS } from '../../jobs/queues';
import type { SimUser } from '../../tools/botapi/sim-types';
import { buttons, fund, market, press, restingOrder, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

/**
 * Issue 13 through the bot: a Confirm tapped while its command cannot be applied (the workers are
 * stopped, as behind a database outage the recorder rides out) tells the user "⏳ delayed" once,
 * on the order's own message, and then the result, in place. One kept waiting past the bot's wait
 * (10 s) is told "queued" and later gets the result as a message of its own, once.
 */
let env: Env;
let rain: number;
beforeAll(async () => {
  env = await startEnv('delayed');
  rain = await market(env, 'Will it snow in Sochi?', 'weather');
  const maker = env.sim.createUser({ first_name: 'Maker' });
  const makerId = await fund(env, maker, 10_000);
  // YES bid 40 × 50; NO bid 45 × 500 (YES offered at 55): the card's buttons show prices.
  await restingOrder(env, { marketId: rain, userId: makerId, intent: 'BUY_YES', price: 40, qty: 50 });
  await restingOrder(env, { marketId: rain, userId: makerId, intent: 'BUY_NO', price: 45, qty: 500 });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

/** Opens the card and brings a limit NO buy of 100 ₽ at 30% to its preview; returns the preview. */
async function preview(u: SimUser) {
  env.sim.sendText({ userId: u.id, text: `/start m${rain}` });
  await waitFor(env, u, { hasPhoto: true });
  press(env, u, '❌ Купить НЕТ · 60%');
  await waitFor(env, u, { textIncludes: 'Выберите сумму' });
  env.sim.sendText({ userId: u.id, text: '100 ₽' });
  await waitFor(env, u, { textIncludes: 'Сумма: 100,00\u00a0₽' });
  env.sim.sendText({ userId: u.id, text: '30' });
  return waitFor(env, u, { textIncludes: 'Проверьте заявку' });
}

const DELAYED = '⏳ Задержка';

test('Confirm while nothing applies: "delayed" once on the order message, then the result in its place', async () => {
  const u = await startedUser(env, 'Patient');
  await fund(env, u, 500);
  const p = await preview(u);
  await env.stopWorkers();
  try {
    const t0 = Date.now();
    const tap = press(env, u, '✅ Подтвердить', p.messageId);
    expect((await tap.answered(WAIT_MS)).text).toBe('Отправляем заявку…');
    const delayed = await waitFor(env, u, { messageId: p.messageId, textIncludes: DELAYED });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(DELAYED_NOTICE_MS - 100);
    expect(delayed.text).toContain('Заявка не потеряна');
  } finally {
    await env.startWorkers();
  }
  const result = await waitFor(env, u, { messageId: p.messageId, textIncludes: 'Заявка в стакане' });
  expect(result.text).toContain('НЕТ по 30%');
  // The message went preview → delayed → result: "delayed" exactly once, no other message.
  const shown = [...result.edits.map((e) => e.text ?? ''), result.text ?? ''];
  expect(shown.filter((t) => t.includes(DELAYED))).toHaveLength(1);
  const said = env.sim.messages(u.id).filter((m) => m.fromBot && [m.text, ...m.edits.map((e) => e.text)].some((t) => t?.includes(DELAYED)));
  expect(said.map((m) => m.messageId)).toEqual([p.messageId]);
  const [order] = await env.ds.query(`SELECT status FROM orders WHERE idempotency_key LIKE 'bet:%' AND user_id = (SELECT id FROM users WHERE telegram_id = $1)`, [u.id]);
  expect(order).toMatchObject({ status: 'open' });
});

test('kept waiting past the bot\'s wait: "queued", then the result once as its own message', async () => {
  const u = await startedUser(env, 'Later');
  await fund(env, u, 500);
  const p = await preview(u);
  await env.stopWorkers();
  try {
    press(env, u, '✅ Подтвердить', p.messageId);
    await waitFor(env, u, { messageId: p.messageId, textIncludes: DELAYED });
    const queued = await waitFor(env, u, { messageId: p.messageId, textIncludes: 'Заявка в очереди на исполнение' });
    expect(queued.text).toContain('Мы сообщим результат');
  } finally {
    await env.startWorkers();
  }
  const late = await waitFor(env, u, { textIncludes: '⏳ Задержанная заявка на «Will it snow in Sochi?» исполнена' });
  expect(late.messageId).not.toBe(p.messageId);
  expect(late.text).toContain('НЕТ по 30%');
  // Once: two sweeps later there is still one.
  await new Promise((r) => setTimeout(r, 4_500));
  expect(env.sim.messages(u.id).filter((m) => m.text?.includes('Задержанная заявка'))).toHaveLength(1);
}, 60_000);

test('Cancel in the portfolio while nothing applies: the button says "delayed", the result follows as a reply', async () => {
  const u = await startedUser(env, 'Canceller');
  await fund(env, u, 500);
  const p = await preview(u);
  press(env, u, '✅ Подтвердить', p.messageId);
  await waitFor(env, u, { messageId: p.messageId, textIncludes: 'Заявка в стакане' });
  press(env, u, '💼 Портфель');
  const pf = await waitFor(env, u, { messageId: p.messageId, textIncludes: 'Открытые заявки' });
  const cancel = buttons(pf).find((b) => b.startsWith('✖ 1.'))!;
  await env.stopWorkers();
  const lastId = Math.max(...env.sim.messages(u.id).map((m) => m.messageId));
  try {
    const answer = await press(env, u, cancel).answered(WAIT_MS);
    expect(answer.text).toBe('⏳ Задержка: отмена не потеряна, результат пришлём сюда.');
  } finally {
    await env.startWorkers();
  }
  const done = await waitFor(env, u, { textIncludes: 'Заявка снята, резерв возвращён.' });
  expect(done.messageId).toBeGreaterThan(lastId); // a new message: the button was already answered
  await waitFor(env, u, { messageId: p.messageId, textIncludes: 'Открытых заявок нет.' });
}, 60_000);

test('quick bet on a shared card while nothing applies: the tap says "delayed", the result comes to the private chat', async () => {
  const ivan = await startedUser(env, 'Ivan');
  const bob = await startedUser(env, 'Bob');
  await fund(env, bob, 1_000);
  const groupId = env.sim.createGroup({ title: 'Friends', creatorId: ivan.id, memberIds: [bob.id] }).id;
  const q = env.sim.inlineQuery({ userId: ivan.id, query: 'Sochi', chatId: groupId });
  await env.sim.waitForInlineAnswer(q.inlineQueryId, WAIT_MS);
  const card = await env.sim.chooseInlineResult({ inlineQueryId: q.inlineQueryId, resultId: `m${rain}` });
  const tap = () => env.sim.pressButton({ userId: bob.id, inlineMessageId: card.inlineMessageId, data: `qb:${rain}:y` }).answered(WAIT_MS);
  expect((await tap()).text).toContain('Нажмите «ДА» ещё раз');
  await env.stopWorkers();
  try {
    const answer = await tap();
    expect(answer.text).toBe('⏳ Задержка: ставка не потеряна. Результат пришлём вам в личные сообщения бота.');
    expect(answer.showAlert).toBe(false);
  } finally {
    await env.startWorkers();
  }
  const placed = await waitFor(env, bob, { textIncludes: '✅ Ставка принята' });
  expect(placed.text).toContain('181 акция ДА');
  expect(env.sim.messages(groupId).filter((m) => m.text?.includes('Ставка принята'))).toEqual([]);
}, 60_000);
