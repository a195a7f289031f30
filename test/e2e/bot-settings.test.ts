/**
 * /settings and reachability (issue "Groups, inline mode, digests"): the quick-bet stake (presets
 * and typed), the notification mode, the language; blocking and unblocking the bot. Issue 11:
 * Notifications by type (on/off, silent) and quiet hours, and a real fill notice obeying them.
 */
import { buttons, eventually, fund, market, press, restingOrder, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('settings');
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

async function userRow(telegramId: number): Promise<{ default_stake_kop: string; notify_mode: string; language: string; blocked_at: Date | null }> {
  const [row] = await env.ds.query(`SELECT default_stake_kop, notify_mode, language, blocked_at FROM users WHERE telegram_id = $1`, [telegramId]);
  return row;
}

test('/settings changes the stake (preset and typed), the notification mode and the language', async () => {
  const u = await startedUser(env, 'Stas');
  env.sim.sendText({ userId: u.id, text: '/settings' });
  const screen = await waitFor(env, u, { textIncludes: 'Настройки' });
  expect(screen.text).toContain('Быстрая ставка: 100,00\u00a0₽');
  expect(screen.text).toContain('Уведомления: сразу');
  expect(buttons(screen)).toEqual([
    '50\u00a0₽', '✓ 100\u00a0₽', '250\u00a0₽', '500\u00a0₽', '1\u202f000\u00a0₽', '✏️ Другая сумма',
    '✓ сразу', 'раз в час', 'раз в день', '✓ 🇷🇺 Русский', '🇬🇧 English', '🔔 Уведомления по типам', '🛡 Ответственная игра', '🏠 Меню',
  ]);

  expect((await press(env, u, '250\u00a0₽').answered(WAIT_MS)).text).toBe('Сохранено.');
  await waitFor(env, u, { messageId: screen.messageId, textIncludes: 'Быстрая ставка: 250,00\u00a0₽' });
  expect((await userRow(u.id)).default_stake_kop).toBe('25000');

  press(env, u, '✏️ Другая сумма');
  await waitFor(env, u, { messageId: screen.messageId, textIncludes: 'Напишите сумму быстрой ставки: от 10,00\u00a0₽ до 100\u202f000,00\u00a0₽' });
  env.sim.sendText({ userId: u.id, text: '5' });
  await waitFor(env, u, { text: 'Сумма быстрой ставки — от 10,00\u00a0₽ до 100\u202f000,00\u00a0₽.' });
  env.sim.sendText({ userId: u.id, text: '777,50' });
  const typed = await waitFor(env, u, { textIncludes: 'Быстрая ставка: 777,50\u00a0₽' });
  expect((await userRow(u.id)).default_stake_kop).toBe('77750');

  press(env, u, 'раз в час', typed.messageId);
  await waitFor(env, u, { messageId: typed.messageId, textIncludes: 'Уведомления: раз в час' });
  expect((await userRow(u.id)).notify_mode).toBe('hourly');

  press(env, u, '🇬🇧 English', typed.messageId);
  const english = await waitFor(env, u, { messageId: typed.messageId, textIncludes: 'Settings' });
  expect(english.text).toContain('Notifications: hourly');
  expect((await userRow(u.id)).language).toBe('en');
});

test('a quick bet offers the stake from /settings', async () => {
  const u = await startedUser(env, 'Quick');
  await fund(env, u, 1_000);
  const rain = await market(env, 'Will it rain in Moscow tomorrow?');
  const maker = await fund(env, env.sim.createUser({ first_name: 'Maker' }), 10_000);
  await restingOrder(env, { marketId: rain, userId: maker, intent: 'BUY_NO', price: 45, qty: 1000 });
  env.sim.sendText({ userId: u.id, text: '/settings' });
  await waitFor(env, u, { textIncludes: 'Настройки' });
  press(env, u, '500\u00a0₽');
  await waitFor(env, u, { textIncludes: 'Быстрая ставка: 500,00\u00a0₽' });
  const chat = env.sim.createGroup({ title: 'Stakes', creatorId: u.id }).id;
  const q = env.sim.inlineQuery({ userId: u.id, query: 'rain', chatId: chat });
  await env.sim.waitForInlineAnswer(q.inlineQueryId, WAIT_MS);
  const card = await env.sim.chooseInlineResult({ inlineQueryId: q.inlineQueryId, resultId: `m${rain}` });
  const offer = await env.sim.pressButton({ userId: u.id, inlineMessageId: card.inlineMessageId, data: `qb:${rain}:y` }).answered(WAIT_MS);
  expect(offer.text).toContain('ставка 500\u00a0₽ на ДА по цене до 60%');
});

test('in a group, /settings points to the private chat, and the link opens the settings there', async () => {
  const u = await startedUser(env, 'Grouper');
  const chat = env.sim.createGroup({ title: 'Settings group', creatorId: u.id }).id;
  await env.sim.waitForBotMessage(chat, { textIncludes: '/predict' }, WAIT_MS, { since: 0 });
  env.sim.sendText({ userId: u.id, chatId: chat, text: '/settings' });
  const reply = await env.sim.waitForBotMessage(chat, { textIncludes: 'Настройки — в личном чате' }, WAIT_MS);
  expect(reply.replyMarkup).toEqual({ inline_keyboard: [[expect.objectContaining({ url: `https://t.me/${env.botInfo.username}?start=settings` })]] });
  env.sim.sendText({ userId: u.id, text: '/start settings' });
  await waitFor(env, u, { textIncludes: 'Быстрая ставка' });
});

test('blocking the bot is recorded (the pipeline then sends nothing); unblocking, or any /start, clears it', async () => {
  const u = await startedUser(env, 'Blocker');
  env.sim.blockBot({ userId: u.id });
  await eventually(async () => (await userRow(u.id)).blocked_at !== null, 'blocked_at set');
  env.sim.unblockBot({ userId: u.id });
  await eventually(async () => (await userRow(u.id)).blocked_at === null, 'blocked_at cleared by my_chat_member');
  env.sim.blockBot({ userId: u.id });
  await eventually(async () => (await userRow(u.id)).blocked_at !== null, 'blocked_at set again');
  // Writing to the bot means it is not blocked, even if the unblock update was never seen.
  env.sim.unblockBot({ userId: u.id });
  await eventually(async () => (await userRow(u.id)).blocked_at === null, 'blocked_at cleared');
  await env.ds.query(`UPDATE users SET blocked_at = now() WHERE telegram_id = $1`, [u.id]);
  env.sim.sendText({ userId: u.id, text: '/start' });
  await waitFor(env, u, { textIncludes: 'Привет, Blocker' });
  expect((await userRow(u.id)).blocked_at).toBeNull();
});

async function prefsRow(telegramId: number): Promise<{ notify_off: string[]; notify_silent: string[]; quiet_from: number | null; quiet_to: number | null }> {
  const [row] = await env.ds.query(`SELECT notify_off, notify_silent, quiet_from, quiet_to FROM users WHERE telegram_id = $1`, [telegramId]);
  return row;
}

test('issue 11: Notifications by type — silent fills arrive without sound, switched-off fills do not arrive; quiet hours typed', async () => {
  const u = await startedUser(env, 'Quiet');
  const makerId = await fund(env, u, 1_000);
  const taker = await fund(env, env.sim.createUser({ first_name: 'Taker' }), 1_000);
  const snow = await market(env, 'Will it snow in Sochi in May?');
  env.sim.sendText({ userId: u.id, text: '/settings' });
  await waitFor(env, u, { textIncludes: 'Настройки' });
  press(env, u, '🔔 Уведомления по типам');
  const screen = await waitFor(env, u, { textIncludes: 'Тихие часы (МСК): нет' });
  expect(screen.text).toContain('Исполнение заявок: со звуком');
  expect(buttons(screen).slice(0, 2)).toEqual(['✅ Исполнение заявок', '🔊 со звуком']);

  // Fills silent (the second button of the first row).
  await env.sim.pressButton({ userId: u.id, messageId: screen.messageId, data: 'sx:f:s:1' }).answered(WAIT_MS);
  await waitFor(env, u, { messageId: screen.messageId, textIncludes: 'Исполнение заявок: без звука' });
  expect((await prefsRow(u.id)).notify_silent).toEqual(['fills']);
  await restingOrder(env, { marketId: snow, userId: makerId, intent: 'BUY_YES', price: 30, qty: 100 });
  // BUY_NO at 70 is an ask at YES 30 in the book: it crosses the bid and fills it (a mint).
  await restingOrder(env, { marketId: snow, userId: taker, intent: 'BUY_NO', price: 70, qty: 40 });
  const fill = await waitFor(env, u, { textIncludes: 'Исполнена ваша заявка' });
  expect(fill.silent).toBe(true);
  // The first fill is also the user's first trade: its achievement notice comes after (issue 12).
  await waitFor(env, u, { textIncludes: 'Новое достижение' }, 0);

  // Fills off: the next fill of the same order sends nothing.
  press(env, u, '✅ Исполнение заявок', screen.messageId);
  await waitFor(env, u, { messageId: screen.messageId, textIncludes: 'Исполнение заявок: выключены' });
  expect((await prefsRow(u.id)).notify_off).toEqual(['fills']);
  const before = env.sim.messages(u.id).filter((m) => m.fromBot).length;
  await restingOrder(env, { marketId: snow, userId: taker, intent: 'BUY_NO', price: 70, qty: 20 });
  await new Promise((r) => setTimeout(r, 1500));
  expect(env.sim.messages(u.id).filter((m) => m.fromBot)).toHaveLength(before);

  // Quiet hours: bad input is refused with a clear answer; good input is saved and shown.
  press(env, u, '🌙 Задать тихие часы', screen.messageId);
  await waitFor(env, u, { messageId: screen.messageId, textIncludes: 'например 23-08' });
  env.sim.sendText({ userId: u.id, text: '25-3' });
  await waitFor(env, u, { text: 'Тихие часы — два разных часа от 0 до 23, например 23-08.' });
  expect((await prefsRow(u.id)).quiet_from).toBeNull();
  env.sim.sendText({ userId: u.id, text: '23-8' });
  const saved = await waitFor(env, u, { textIncludes: 'Тихие часы (МСК): 23:00–08:00' });
  expect(await prefsRow(u.id)).toMatchObject({ quiet_from: 23, quiet_to: 8 });
  press(env, u, 'Без тихих часов', saved.messageId);
  await waitFor(env, u, { messageId: saved.messageId, textIncludes: 'Тихие часы (МСК): нет' });
  expect((await prefsRow(u.id)).quiet_from).toBeNull();
});
