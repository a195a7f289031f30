import { getMarket } from '../../domain/read/markets';
import { buttons, eventually, fund, market, press, restingOrder, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('admin');
  env.sim.sendText({ userId: env.admin.id, text: '/start' });
  await waitFor(env, env.admin, { hasKeyboard: true });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

test('/newmarket: title → description → category → deadline (Moscow) → liquidity → opening price → confirm creates one market', async () => {
  const a = env.admin;
  const say = async (text: string, expected: string) => {
    env.sim.sendText({ userId: a.id, text });
    return waitFor(env, a, { textIncludes: expected });
  };
  await say('/newmarket', 'Новый рынок');
  await say('Ну?', 'Вопрос должен быть от 5 до 200 символов.');
  await say('Will the Volga freeze by 1 December?', 'Напишите описание');
  await say('-', 'Выберите категорию');
  press(env, a, '🌦 Погода');
  await waitFor(env, a, { textIncludes: 'Когда заканчиваются торги' });
  await say('31.02.2030 12:00', 'Не понял дату');
  await say('01.01.2020 12:00', 'Срок уже прошёл');
  await say('30.11.2030 18:00', 'Ликвидность биржи');
  // Issue 8: the house maker's budget and opening price (their limits: bot-liquidity.test.ts).
  press(env, a, '1\u202f000\u00a0₽');
  await waitFor(env, a, { textIncludes: 'Начальная цена' });
  press(env, a, '50%');
  const confirm = await waitFor(env, a, { textIncludes: 'Проверьте рынок' });
  expect(confirm.text).toContain('Торги до: 30.11.2030, 18:00 МСК');
  expect(confirm.text).toContain('(без описания)');
  const tap1 = press(env, a, '✅ Создать', confirm.messageId);
  const tap2 = press(env, a, '✅ Создать', confirm.messageId);
  await Promise.all([tap1.answered(WAIT_MS), tap2.answered(WAIT_MS)]);
  const created = await waitFor(env, a, { messageId: confirm.messageId, textIncludes: 'создан' });
  const id = Number(/#(\d+)/.exec(created.text!)![1]);
  const m = await getMarket(env.ds.manager, id);
  expect(m).toMatchObject({ title: 'Will the Volga freeze by 1 December?', category: 'weather', description: '', status: 'open' });
  expect(m!.deadline.toISOString()).toBe('2030-11-30T15:00:00.000Z');
  const [{ n }] = await env.ds.query(`SELECT count(*)::int AS n FROM markets WHERE title = $1`, [m!.title]);
  expect(n).toBe(1);
});

test('non-admins are refused /newmarket and /resolve, and nothing changes', async () => {
  const u = await startedUser(env, 'Sneaky');
  const before = await env.ds.query(`SELECT count(*)::int AS n FROM markets`);
  env.sim.sendText({ userId: u.id, text: '/newmarket' });
  await waitFor(env, u, { text: 'Эта команда только для администраторов.' });
  env.sim.sendText({ userId: u.id, text: '/resolve' });
  await waitFor(env, u, { text: 'Эта команда только для администраторов.' });
  // Typing a title now must not create anything: no scene was entered.
  env.sim.sendText({ userId: u.id, text: 'Will I become admin today?' });
  await waitFor(env, u, { textIncludes: 'Не понял сообщение' });
  expect(await env.ds.query(`SELECT count(*)::int AS n FROM markets`)).toEqual(before);
});

test('/resolve early: explicit confirmation, trading closes, orders cancelled, settlement runs; old card buttons refuse', async () => {
  const id = await market(env, 'Will the central bank cut the rate on Friday?', 'economy');
  const maker = env.sim.createUser({ first_name: 'Maker' });
  const makerId = await fund(env, maker, 1000);
  const taker = await startedUser(env, 'Taker');
  const takerId = await fund(env, taker, 1000);
  await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_NO', price: 40, qty: 100 });
  await restingOrder(env, { marketId: id, userId: takerId, intent: 'BUY_YES', price: 60, qty: 50 }); // mints 50 pairs
  await restingOrder(env, { marketId: id, userId: takerId, intent: 'BUY_YES', price: 30, qty: 40 }); // rests

  // The taker looks at the card while the market is open.
  env.sim.sendText({ userId: taker.id, text: `/start m${id}` });
  const card = await waitFor(env, taker, { hasPhoto: true });
  expect(buttons(card)).toContain('✅ Купить ДА · 60%');

  const a = env.admin;
  env.sim.sendText({ userId: a.id, text: '/resolve' });
  const list = await waitFor(env, a, { textIncludes: 'Разрешение рынка' });
  const pick = buttons(list).find((b) => b.includes(`#${id} `))!;
  expect(pick.startsWith('🟢')).toBe(true);
  press(env, a, pick);
  await waitFor(env, a, { messageId: list.messageId, textIncludes: 'Выберите итог' });
  press(env, a, 'ДА');
  const warn = await waitFor(env, a, { messageId: list.messageId, textIncludes: 'ещё открыт' });
  expect(buttons(warn)).toEqual(['⚠️ Разрешить досрочно: ДА', '◀ Назад']);
  press(env, a, '⚠️ Разрешить досрочно: ДА');
  await waitFor(env, a, { messageId: list.messageId, textIncludes: 'разрешён: ДА' });
  expect(await getMarket(env.ds.manager, id)).toMatchObject({ status: expect.stringMatching(/^(resolved|settled)$/), outcome: 'YES' });
  const [{ open }] = await env.ds.query(`SELECT count(*)::int AS open FROM orders WHERE market_id = $1 AND status = 'open'`, [id]);
  expect(open).toBe(0);
  // Settlement runs in the worker: the market ends settled and the taker is told about the payout.
  await eventually(async () => (await getMarket(env.ds.manager, id))?.status === 'settled', 'market settled');
  await env.sim.waitForBotMessage(taker.id, { textIncludes: 'завершён: ДА' }, WAIT_MS, { since: 0 });

  // A trade button on the card shown before resolution: refused, nothing changes.
  const answer = await press(env, taker, '✅ Купить ДА · 60%', card.messageId).answered(WAIT_MS);
  expect(answer.text).toBe('Торги на этом рынке закрыты. Ничего не изменилось.');
  const [{ orders }] = await env.ds.query(`SELECT count(*)::int AS orders FROM orders WHERE user_id = $1`, [takerId]);
  expect(orders).toBe(2);
  // Its refreshed card shows the outcome and no trade buttons.
  press(env, taker, '🔄 Обновить', card.messageId);
  const fresh = await waitFor(env, taker, { messageId: card.messageId, captionIncludes: 'Итог: ДА' });
  expect(buttons(fresh).some((b) => b.includes('Купить'))).toBe(false);
});

test('resolving an already resolved market from an older screen is refused, and nothing changes', async () => {
  const id = await market(env, 'Will it snow in Sochi in May?', 'weather');
  const a = env.admin;
  env.sim.sendText({ userId: a.id, text: '/resolve' });
  const first = await waitFor(env, a, { textIncludes: 'Разрешение рынка' });
  env.sim.sendText({ userId: a.id, text: '/resolve' });
  const second = await waitFor(env, a, { textIncludes: 'Разрешение рынка' });
  const pick = buttons(first).find((b) => b.includes(`#${id} `))!;
  // Both screens get as far as the outcome buttons while the market is still open.
  press(env, a, pick, second.messageId);
  await waitFor(env, a, { messageId: second.messageId, textIncludes: 'Выберите итог' });

  press(env, a, pick, first.messageId);
  await waitFor(env, a, { messageId: first.messageId, textIncludes: 'Выберите итог' });
  press(env, a, 'НЕТ', first.messageId);
  await waitFor(env, a, { messageId: first.messageId, buttonText: '⚠️ Разрешить досрочно: НЕТ' });
  press(env, a, '⚠️ Разрешить досрочно: НЕТ', first.messageId);
  await waitFor(env, a, { messageId: first.messageId, textIncludes: 'разрешён: НЕТ' });

  press(env, a, 'ДА', second.messageId);
  await waitFor(env, a, { messageId: second.messageId, text: 'Рынок уже разрешён.' });
  expect(await getMarket(env.ds.manager, id)).toMatchObject({ outcome: 'NO' });
});
