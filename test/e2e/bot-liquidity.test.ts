/**
 * Issue 8 through the bot: every market gets a house maker. `/newmarket` asks its budget and
 * opening price (limits at their boundaries), and another user's Buy YES · Market 100 ₽ fills at
 * once; `/liquidity` adds to a budget; `/predict` takes the creator's ante (refused without the
 * balance, nothing created) and a member's double tap on YES fills and moves the card's price.
 */
import type { SimMessage, SimUser } from '../../tools/botapi/sim-types';
import { balancesOf } from '../../domain/services/users';
import { buttons, eventually, fund, press, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('liquidity');
  env.sim.sendText({ userId: env.admin.id, text: '/start' });
  await waitFor(env, env.admin, { hasKeyboard: true });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

/** The admin types `text` and waits for a message containing `expected`. */
async function adminSays(text: string, expected: string): Promise<SimMessage> {
  env.sim.sendText({ userId: env.admin.id, text });
  return waitFor(env, env.admin, { textIncludes: expected });
}

/** /newmarket up to the liquidity step. */
async function toBudgetStep(title: string): Promise<SimMessage> {
  await adminSays('/newmarket', 'Новый рынок');
  await adminSays(title, 'Напишите описание');
  await adminSays('-', 'Выберите категорию');
  press(env, env.admin, '🌦 Погода');
  await waitFor(env, env.admin, { textIncludes: 'Когда заканчиваются торги' });
  return adminSays('30.11.2030 18:00', 'Ликвидность биржи');
}

const makerOf = async (marketId: number) =>
  (await env.ds.query(`SELECT budget_kop, opening_price, funder_user_id FROM market_makers WHERE market_id = $1`, [marketId]))[0];

test('issue 8: /newmarket budget and opening price are checked at their boundaries', async () => {
  const ask = await toBudgetStep('Will the Neva freeze by New Year?');
  expect(buttons(ask)).toEqual(['500\u00a0₽', '1\u202f000\u00a0₽', '5\u202f000\u00a0₽', '10\u202f000\u00a0₽', '✖ Отмена']);
  await adminSays('9,99', 'Сумма — от 10,00\u00a0₽ до 1\u202f000\u202f000,00\u00a0₽.');
  await adminSays('1 000 000,01', 'Сумма — от 10,00\u00a0₽ до 1\u202f000\u202f000,00\u00a0₽.');
  await adminSays('много', 'Не похоже на сумму');
  await adminSays('1 000 000', 'Начальная цена');
  await adminSays('0', 'Начальная цена — целое число от 1 до 99 %.');
  await adminSays('100', 'Начальная цена — целое число от 1 до 99 %.');
  await adminSays('50,5', 'Начальная цена — целое число от 1 до 99 %.');
  const confirm = await adminSays('99', 'Проверьте рынок');
  expect(confirm.text).toContain('Ликвидность биржи: до 1\u202f000\u202f000,00\u00a0₽ · начальная цена 99%');
  press(env, env.admin, '✖ Отмена', confirm.messageId);
  await waitFor(env, env.admin, { messageId: confirm.messageId, textIncludes: 'Создание рынка отменено' });

  await toBudgetStep('Will the Neva freeze by Christmas?');
  await adminSays('10', 'Начальная цена');
  const low = await adminSays('1', 'Проверьте рынок');
  expect(low.text).toContain('Ликвидность биржи: до 10,00\u00a0₽ · начальная цена 1%');
  press(env, env.admin, '✖ Отмена', low.messageId);
  await waitFor(env, env.admin, { messageId: low.messageId, textIncludes: 'Создание рынка отменено' });
  expect(await env.ds.query(`SELECT 1 FROM markets WHERE title LIKE 'Will the Neva freeze%'`)).toEqual([]);
});

describe('a market made with /newmarket', () => {
  let marketId: number;

  beforeAll(async () => {
    await toBudgetStep('Will the Volga freeze by 1 December?');
    press(env, env.admin, '1\u202f000\u00a0₽');
    const price = await waitFor(env, env.admin, { textIncludes: 'Начальная цена' });
    expect(buttons(price)).toEqual(['10%', '25%', '50%', '75%', '90%', '✖ Отмена']);
    press(env, env.admin, '50%');
    const confirm = await waitFor(env, env.admin, { textIncludes: 'Проверьте рынок' });
    expect(confirm.text).toContain('Ликвидность биржи: до 1\u202f000,00\u00a0₽ · начальная цена 50%');
    press(env, env.admin, '✅ Создать', confirm.messageId);
    const created = await waitFor(env, env.admin, { messageId: confirm.messageId, textIncludes: 'создан' });
    marketId = Number(/#(\d+)/.exec(created.text!)![1]);
  });

  test('issue 8: another user\'s Buy YES · Market 100 ₽ fills at once against the house maker', async () => {
    expect(await makerOf(marketId)).toEqual({ budget_kop: '100000', opening_price: 50, funder_user_id: null });
    const u = await startedUser(env, 'Trader');
    const userId = await fund(env, u, 1_000);
    env.sim.sendText({ userId: u.id, text: `/start m${marketId}` });
    const card = await waitFor(env, u, { hasPhoto: true });
    expect(card.caption).toContain('💧 Ликвидность биржи до 1\u202f000,00\u00a0₽');
    const buyYes = buttons(card).find((b) => b.startsWith('✅ Купить ДА'))!;
    expect(buyYes).toBe('✅ Купить ДА · 51%');
    press(env, u, buyYes, card.messageId);
    const ask = await waitFor(env, u, { textIncludes: 'Выберите сумму' });
    press(env, u, '100\u00a0₽');
    const priceStep = await waitFor(env, u, { messageId: ask.messageId, textIncludes: 'Сумма: 100,00\u00a0₽' });
    press(env, u, buttons(priceStep).find((b) => b.startsWith('⚡ По рынку'))!, ask.messageId);
    await waitFor(env, u, { messageId: ask.messageId, textIncludes: 'Проверьте заявку' });
    press(env, u, '✅ Подтвердить', ask.messageId);
    const result = await waitFor(env, u, { messageId: ask.messageId, textIncludes: 'Куплено' });
    expect(result.text).toMatch(/Куплено \d+ акци/);
    const [order] = await env.ds.query(`SELECT status, filled FROM orders WHERE user_id = $1 AND market_id = $2`, [userId, marketId]);
    expect(order.status).toBe('filled');
    expect(order.filled).toBeGreaterThan(150);
    expect((await balancesOf(env.ds.manager, userId)).reserved).toBe(0);
  });

  test('issue 8: /liquidity adds to the budget; bad input and non-admins change nothing', async () => {
    await adminSays('/liquidity', 'Формат: /liquidity');
    await adminSays(`/liquidity ${marketId}`, 'Формат: /liquidity');
    await adminSays(`/liquidity ${marketId} много`, 'Формат: /liquidity');
    await adminSays(`/liquidity ${marketId} 9,99`, 'Сумма — от 10,00\u00a0₽');
    await adminSays('/liquidity 999999 500', 'Рынок не найден');
    const sneaky = await startedUser(env, 'Sneaky');
    env.sim.sendText({ userId: sneaky.id, text: `/liquidity ${marketId} 500` });
    await waitFor(env, sneaky, { text: 'Эта команда только для администраторов.' });
    expect((await makerOf(marketId)).budget_kop).toBe('100000');

    const added = await adminSays(`/liquidity ${marketId} 500`, 'ликвидность биржи теперь');
    expect(added.text).toContain('до 1\u202f500,00\u00a0₽ (+500,00\u00a0₽)');
    expect((await makerOf(marketId)).budget_kop).toBe('150000');
  });

  test('issue 8: the admin\'s settlement report says how the house maker did', async () => {
    const confirm = await adminSays(`/resolve ${marketId} yes`, 'ещё открыт');
    press(env, env.admin, '⚠️ Разрешить досрочно: ДА', confirm.messageId);
    const report = await waitFor(env, env.admin, { textIncludes: '💧 Маркет-мейкер:' });
    const [row] = await env.ds.query(`SELECT returned_kop FROM market_makers WHERE market_id = $1`, [marketId]);
    // The trader's YES won: the maker sold it, so it lost part of its 1 500 ₽ (never more).
    const returned = Number(row.returned_kop);
    expect(returned).toBeGreaterThanOrEqual(0);
    expect(returned).toBeLessThan(150_000);
    expect(report.text).toMatch(/💧 Маркет-мейкер: -\d/);
  });
});

describe('/predict in a group', () => {
  let ivan: SimUser;
  let olga: SimUser;
  let chat: number;

  beforeAll(async () => {
    ivan = await startedUser(env, 'Ivan');
    olga = await startedUser(env, 'Olga');
    chat = env.sim.createGroup({ title: 'Ante', creatorId: ivan.id, memberIds: [olga.id] }).id;
    await env.sim.waitForBotMessage(chat, { textIncludes: '/predict' }, WAIT_MS, { since: 0 });
  });

  const inGroup = (match: Parameters<Env['sim']['waitForBotMessage']>[1]) => env.sim.waitForBotMessage(chat, match, WAIT_MS);

  test('issue 8: the ante is refused without the balance (nothing created), and outside its limits', async () => {
    env.sim.sendText({ userId: ivan.id, chatId: chat, text: '/predict Will the lake freeze? | 31.12.2030 18:00' });
    const refused = await inGroup({ textIncludes: 'не хватает на взнос' });
    expect(refused.text).toContain('нужно 100,00\u00a0₽, доступно 0,00\u00a0₽');
    await fund(env, ivan, 50);
    env.sim.sendText({ userId: ivan.id, chatId: chat, text: '/predict Will the lake freeze? | 31.12.2030 18:00 | - | 9,99' });
    await inGroup({ textIncludes: 'Сумма — от 10,00\u00a0₽' });
    env.sim.sendText({ userId: ivan.id, chatId: chat, text: '/predict Will the lake freeze? | 31.12.2030 18:00 | - | 50,01' });
    await inGroup({ textIncludes: 'нужно 50,01\u00a0₽, доступно 50,00\u00a0₽' });
    expect(await env.ds.query(`SELECT 1 FROM markets WHERE title = 'Will the lake freeze?'`)).toEqual([]);
  });

  test('issue 8: the ante funds the maker; a member\'s double tap on YES fills and the card shows the new price', async () => {
    await fund(env, olga, 1_000);
    // Ivan has exactly 50 ₽: an ante of all of it is accepted.
    env.sim.sendText({ userId: ivan.id, chatId: chat, text: '/predict Will the pond freeze? | 31.12.2030 18:00 | Per the city | 50' });
    const card = await inGroup({ textIncludes: 'Will the pond freeze?' });
    expect(card.text).toContain('ДА 50% · НЕТ 50%');
    expect(card.text).toContain('💧 Ликвидность биржи до 50,00\u00a0₽');
    const find = () => env.ds.query(`SELECT market_id FROM posted_cards WHERE chat_id = $1 AND message_id = $2`, [chat, card.messageId]);
    await eventually(async () => (await find()).length === 1, 'the card row');
    const marketId = Number((await find())[0].market_id);
    const [ivanRow] = await env.ds.query(`SELECT id FROM users WHERE telegram_id = $1`, [ivan.id]);
    expect(await makerOf(marketId)).toEqual({ budget_kop: '5000', opening_price: 50, funder_user_id: ivanRow.id });
    expect((await balancesOf(env.ds.manager, Number(ivanRow.id))).available).toBe(0);

    const tap = () => env.sim.pressButton({ userId: olga.id, chatId: chat, messageId: card.messageId, data: `qb:${marketId}:y` }).answered(WAIT_MS);
    await tap();
    expect((await tap()).text).toContain('Ставка принята');
    const edited = await inGroup({ messageId: card.messageId, edited: true });
    const yes = Number(/ДА (\d+)%/.exec(edited.text!)![1]);
    expect(yes).toBeGreaterThan(50);
    expect(buttons(edited)[0]).toBe(`✅ ДА ${yes}%`);
  });
});
