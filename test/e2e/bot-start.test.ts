import { startEnv, startedUser, waitFor, press, buttons, type Env, WAIT_MS } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('start');
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

test('/start in Russian: welcome and the main menu', async () => {
  const ivan = env.sim.createUser({ first_name: 'Иван', language_code: 'ru' });
  env.sim.sendText({ userId: ivan.id, text: '/start' });
  const m = await waitFor(env, ivan, { textIncludes: 'Правда Маркет' });
  expect(m.text).toContain('Привет, Иван!');
  expect(buttons(m)).toEqual(['📈 Рынки', '💼 Портфель', '💰 Баланс', '❓ Помощь', '🌐 Язык']);
});

test('/start in English for an English client, and HTML-escaped names', async () => {
  const bob = env.sim.createUser({ first_name: 'Bob <b>&', language_code: 'en-US' });
  env.sim.sendText({ userId: bob.id, text: '/start' });
  const m = await waitFor(env, bob, { textIncludes: 'Pravda Market' });
  expect(m.text).toContain('Hi, Bob <b>&!');
  expect(buttons(m)).toContain('📈 Markets');
});

test('other client languages get Russian (the default)', async () => {
  const hans = env.sim.createUser({ first_name: 'Hans', language_code: 'de' });
  env.sim.sendText({ userId: hans.id, text: '/start' });
  await waitFor(env, hans, { textIncludes: 'Привет, Hans!' });
});

test('/language switches ru → en in place, and later screens follow', async () => {
  const olga = await startedUser(env, 'Olga');
  env.sim.sendText({ userId: olga.id, text: '/language' });
  const picker = await waitFor(env, olga, { buttonText: '🇬🇧 English' });
  press(env, olga, '🇬🇧 English');
  await waitFor(env, olga, { messageId: picker.messageId, textIncludes: 'the interface is now in English' });
  env.sim.sendText({ userId: olga.id, text: '/help' });
  await waitFor(env, olga, { textIncludes: 'How it works' });
});

test('/help and the Help button explain prices and commands', async () => {
  const petr = await startedUser(env, 'Petr');
  const menu = env.sim.lastBotMessage(petr.id)!;
  press(env, petr, '❓ Помощь');
  const help = await waitFor(env, petr, { messageId: menu.messageId, textIncludes: 'Как это работает' });
  expect(help.text).toContain('/portfolio');
  expect(help.text).toContain('Комиссия тейкера 0,10% → 0,05% → 0,02%');
  expect(help.text).toContain('Минимальная заявка — 10\u00a0₽, минимальное пополнение — 100\u00a0₽.');
});

test('an unknown command and stray text outside a scene get a hint and the menu, nothing else', async () => {
  const anna = await startedUser(env, 'Anna');
  env.sim.sendText({ userId: anna.id, text: '/frobnicate' });
  const hint = await waitFor(env, anna, { textIncludes: 'Не знаю такой команды' });
  expect(buttons(hint)).toContain('📈 Рынки');
  env.sim.sendText({ userId: anna.id, text: 'привет' });
  await waitFor(env, anna, { textIncludes: 'Не понял сообщение' });
});

test('a button with foreign or junk data answers "outdated" and changes nothing', async () => {
  const igor = await startedUser(env, 'Igor');
  const menu = env.sim.lastBotMessage(igor.id)!;
  // Forge a keyboard the bot never sent: the simulator presses whatever a message carries.
  await env.running.bot.telegram.editMessageReplyMarkup(igor.id, menu.messageId, undefined, {
    inline_keyboard: [[{ text: 'junk', callback_data: 'mk:abc' }, { text: 'foreign', callback_data: 'other_bot:1' }]],
  });
  for (const text of ['junk', 'foreign']) {
    const answer = await press(env, igor, text).answered(WAIT_MS);
    expect(answer.text).toBe('Эта кнопка устарела. Откройте меню заново: /start');
  }
});

test('the command menu is set once at startup for ru and en', () => {
  const calls = env.sim.apiCalls({ method: 'setMyCommands' });
  const langs = calls.map((c) => c.params.language_code ?? 'default');
  expect(langs).toEqual(expect.arrayContaining(['default', 'ru', 'en']));
  const en = calls.find((c) => c.params.language_code === 'en')!;
  expect(JSON.stringify(en.params.commands)).toContain('Portfolio and orders');
});

test('a redelivered update (same update_id) is ignored', async () => {
  const vera = await startedUser(env, 'Vera');
  const before = env.sim.messages(vera.id).length;
  const update = env.sim.updates(env.botInfo.id).find((u) => 'message' in u && u.message.from?.id === vera.id)!;
  await env.running.bot.handleUpdate(update);
  expect(env.sim.messages(vera.id).length).toBe(before);
});

test('a button press redelivered under a new update_id (same callback query id) is ignored', async () => {
  const oleg = await startedUser(env, 'Oleg');
  const answer = await press(env, oleg, '💰 Баланс').answered(WAIT_MS);
  await waitFor(env, oleg, { textIncludes: 'Доступно' });
  const update = env.sim.updates(env.botInfo.id).find((u) => 'callback_query' in u && u.callback_query.id === answer.callbackQueryId)!;
  // Messages sent or edited (the redelivered query itself may still be answered: that changes nothing).
  const calls = () => env.sim.apiCalls({}).filter((c) => /^(send|edit|delete)/.test(c.method)).length;
  const before = calls();
  await env.running.bot.handleUpdate({ ...update, update_id: update.update_id + 1_000_000 });
  expect(calls()).toBe(before);
});
