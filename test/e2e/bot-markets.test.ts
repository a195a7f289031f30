import { buttons, market, press, restingOrder, fund, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
let rain: number;
beforeAll(async () => {
  env = await startEnv('markets');
  rain = await market(env, 'Will it rain in Moscow tomorrow?', 'weather');
  await market(env, 'Will BTC close above $100k this week?', 'crypto');
  for (let i = 1; i <= 6; i++) await market(env, `Sports question number ${i}?`, 'sports');
  // Some liquidity so the card shows a book: a YES bid at 40 and a NO bid at 45 (= YES ask 55).
  const maker = env.sim.createUser({ first_name: 'Maker' });
  const makerId = await fund(env, maker, 1000);
  await restingOrder(env, { marketId: rain, userId: makerId, intent: 'BUY_YES', price: 40, qty: 50 });
  await restingOrder(env, { marketId: rain, userId: makerId, intent: 'BUY_NO', price: 45, qty: 30 });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

test('categories → paginated list → card photo → order book in place → back to the card', async () => {
  const u = await startedUser(env, 'Browser');
  press(env, u, '📈 Рынки');
  const cats = await waitFor(env, u, { textIncludes: 'Выберите категорию' });
  expect(buttons(cats)).toEqual(expect.arrayContaining(['Все рынки (8)', '⚽ Спорт (6)', '₿ Крипто (1)', '🌦 Погода (1)']));

  press(env, u, '⚽ Спорт (6)');
  const page1 = await waitFor(env, u, { messageId: cats.messageId, textIncludes: 'стр. 1/2' });
  expect(buttons(page1).filter((b) => b.includes('Sports question'))).toHaveLength(5);
  expect(buttons(page1)).toContain('Вперёд ▶');
  press(env, u, 'Вперёд ▶');
  const page2 = await waitFor(env, u, { messageId: cats.messageId, textIncludes: 'стр. 2/2' });
  expect(buttons(page2).filter((b) => b.includes('Sports question'))).toHaveLength(1);
  expect(buttons(page2)).toContain('◀ Назад');

  press(env, u, '⬅ Категории');
  await waitFor(env, u, { messageId: cats.messageId, textIncludes: 'Выберите категорию' });
  press(env, u, '🌦 Погода (1)');
  await waitFor(env, u, { messageId: cats.messageId, buttonText: '47% · Will it rain in Moscow tomorrow?' });
  press(env, u, '47% · Will it rain in Moscow tomorrow?');
  const card = await waitFor(env, u, { hasPhoto: true });
  expect(card.caption).toContain('Will it rain in Moscow tomorrow?');
  expect(card.caption).toContain('ДА 47% · НЕТ 53%'); // no trade yet: the mid of bid 40 and ask 55, rounded down
  expect(buttons(card)).toEqual(expect.arrayContaining(['✅ Купить ДА · 55%', '❌ Купить НЕТ · 60%', '📖 Стакан', '🔄 Обновить']));
  expect(buttons(card).some((b) => b.startsWith('Продать'))).toBe(false);

  press(env, u, '📖 Стакан');
  const book = await waitFor(env, u, { messageId: card.messageId, captionIncludes: 'Стакан' });
  expect(book.caption).toContain('ДА 55% | НЕТ 45% | 30 акций');
  expect(book.caption).toContain('ДА 40% | НЕТ 60% | 50 акций');
  expect(book.photoFileId).toBe(card.photoFileId);
  press(env, u, '⬅ К карточке');
  const back = await waitFor(env, u, { messageId: card.messageId, captionIncludes: 'Срок' });
  expect(back.photoFileId).toBe(card.photoFileId); // same picture: only the caption was edited
});

test('an unchanged card is sent by file_id, not uploaded again; a deep link opens it', async () => {
  const u = await startedUser(env, 'Linker', 'en');
  const uploadsBefore = env.sim.apiCalls({ method: 'sendPhoto' }).filter((c) => typeof c.params.photo !== 'string').length;
  env.sim.sendText({ userId: u.id, text: `/start m${rain}` });
  const first = await waitFor(env, u, { hasPhoto: true });
  expect(first.caption).toContain('YES 47% · NO 53%');
  env.sim.sendText({ userId: u.id, text: `/start m${rain}` });
  const second = await waitFor(env, u, { hasPhoto: true });
  expect(second.messageId).not.toBe(first.messageId);
  const uploads = env.sim.apiCalls({ method: 'sendPhoto' }).filter((c) => typeof c.params.photo !== 'string');
  // One upload: the English card differs from the Russian one the first test rendered; the second is by file_id.
  expect(uploads.length - uploadsBefore).toBe(1);
  expect(second.photo?.at(-1)?.file_unique_id).toBe(first.photo?.at(-1)?.file_unique_id);
});

test('a deep link to an unknown market says so', async () => {
  const u = await startedUser(env, 'Lost');
  env.sim.sendText({ userId: u.id, text: '/start m999999' });
  await waitFor(env, u, { text: 'Рынок не найден.' });
});

test('Refresh of an unchanged card answers quietly and changes nothing', async () => {
  const u = await startedUser(env, 'Refresher');
  env.sim.sendText({ userId: u.id, text: `/start m${rain}` });
  const card = await waitFor(env, u, { hasPhoto: true });
  const answer = await press(env, u, '🔄 Обновить').answered(WAIT_MS);
  expect(answer.text).toBeUndefined();
  expect(env.sim.messages(u.id).find((m) => m.messageId === card.messageId)?.edits).toHaveLength(0);
});

test('users opening a card nobody has seen yet at the same moment share one upload', async () => {
  const id = await market(env, 'Will the Moskva river freeze by December?', 'weather');
  const crowd = await Promise.all(Array.from({ length: 6 }, (_, i) => startedUser(env, `Crowd ${i}`)));
  const uploads = () => env.sim.apiCalls({ method: 'sendPhoto' }).filter((c) => typeof c.params.photo !== 'string').length;
  const before = uploads();
  for (const u of crowd) env.sim.sendText({ userId: u.id, text: `/start m${id}` });
  const cards = await Promise.all(crowd.map((u) => waitFor(env, u, { hasPhoto: true })));
  expect(cards.every((c) => c.caption?.includes('Will the Moskva river freeze by December?'))).toBe(true);
  expect(uploads() - before).toBe(1);
  expect(new Set(cards.map((c) => c.photo?.at(-1)?.file_unique_id)).size).toBe(1);
});
