/**
 * Group predictions (issue "Groups, inline mode, digests"): /predict creates a market of the chat
 * (one line or step by step) and posts its card; only its creator or the chat's admins resolve it;
 * /top ranks the group's players, and privately everyone.
 */
import type { SimMessage, SimUser } from '../../tools/botapi/sim-types';
import { buttons, eventually, fund, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
let ivan: SimUser;
let olga: SimUser;
let petr: SimUser;

beforeAll(async () => {
  // A creator's resolution is final at once here; the group dispute window (issue 8) is in bot-group-trust.test.ts.
  env = await startEnv('group', { groupDisputeWindow: '0' });
  ivan = await startedUser(env, 'Ivan');
  olga = await startedUser(env, 'Olga');
  petr = await startedUser(env, 'Petr');
  await fund(env, ivan, 1_000);
  await fund(env, olga, 1_000);
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

/** A group of Ivan (creator), Olga (member) and Petr (administrator), greeted by the bot. */
async function newGroup(title: string): Promise<number> {
  const group = env.sim.createGroup({ title, creatorId: ivan.id, memberIds: [olga.id], adminIds: [petr.id] });
  await env.sim.waitForBotMessage(group.id, { textIncludes: '/predict' }, WAIT_MS, { since: 0 });
  return group.id;
}

function say(user: SimUser, chatId: number, text: string, replyToMessageId?: number) {
  return env.sim.sendText({ userId: user.id, chatId, text, ...(replyToMessageId === undefined ? {} : { replyToMessageId }) });
}

function inGroup(chatId: number, match: Parameters<Env['sim']['waitForBotMessage']>[1]): Promise<SimMessage> {
  return env.sim.waitForBotMessage(chatId, match, WAIT_MS);
}

/** The market of a card the bot posted (tracked right after the post). */
async function marketOfCard(chatId: number, messageId: number): Promise<number> {
  const find = () => env.ds.query(`SELECT market_id FROM posted_cards WHERE chat_id = $1 AND message_id = $2`, [chatId, messageId]);
  await eventually(async () => (await find()).length === 1, 'the card row');
  return Number((await find())[0].market_id);
}

test('the "/" menu of group chats offers the group commands, per language', () => {
  const calls = env.sim.apiCalls({ method: 'setMyCommands' }).filter((c) => JSON.stringify(c.params.scope ?? '').includes('all_group_chats'));
  expect(calls.map((c) => c.params.language_code ?? 'default').sort()).toEqual(['default', 'en', 'ru']);
  const en = JSON.stringify(calls.find((c) => c.params.language_code === 'en')!.params.commands);
  for (const command of ['predict', 'top', 'resolve', 'help']) expect(en).toContain(`"command":"${command}"`);
  expect(en).toContain('Create a group prediction');
});

test('/predict in one line creates a market of the chat and posts its card there', async () => {
  const chat = await newGroup('Snow fans');
  say(ivan, chat, '/predict Will it snow in Moscow on New Year? | 31.12.2030 18:00 | Per Roshydromet');
  const card = await inGroup(chat, { textIncludes: 'Will it snow in Moscow on New Year?' });
  expect(card.text).toContain('ДА 50% · НЕТ 50%');
  expect(card.text).toContain('Торги до 31.12.2030, 18:00 МСК');
  expect(buttons(card)).toEqual(['✅ ДА 50%', '❌ НЕТ 50%', '📲 Открыть в боте']);
  const marketId = await marketOfCard(chat, card.messageId);
  const [mk] = await env.ds.query(
    `SELECT m.chat_id, m.category, m.description, u.telegram_id FROM markets m JOIN users u ON u.id = m.created_by WHERE m.id = $1`, [marketId]);
  expect(mk).toEqual({ chat_id: String(chat), category: 'other', description: 'Per Roshydromet', telegram_id: String(ivan.id) });
  // The card's edits are paced on the group's own budget.
  const [lane] = await env.ds.query(`SELECT lane_id FROM posted_cards WHERE market_id = $1`, [marketId]);
  expect(Number(lane.lane_id)).toBe(chat);
  // A group's market is the group's: it is not in the bot's public list.
  env.sim.sendText({ userId: ivan.id, text: '/markets' });
  await waitFor(env, ivan, { textIncludes: 'Открытых рынков пока нет' });
});

test('/predict step by step asks with ForceReply, re-asks after a bad answer, and takes "-" for no description', async () => {
  const chat = await newGroup('Step by step');
  say(ivan, chat, '/predict');
  const askTitle = await inGroup(chat, { textIncludes: 'Новый прогноз' });
  expect(askTitle.replyMarkup).toEqual(expect.objectContaining({ force_reply: true, selective: true }));
  say(ivan, chat, 'Will Zenit win the cup?', askTitle.messageId);
  const askDeadline = await inGroup(chat, { textIncludes: 'Когда закрыть торги' });
  say(ivan, chat, 'tomorrow-ish', askDeadline.messageId);
  await inGroup(chat, { textIncludes: 'Не понял дату' });
  const again = await inGroup(chat, { textIncludes: 'Когда закрыть торги' });
  expect(again.messageId).not.toBe(askDeadline.messageId);
  // Someone else answering the prompt changes nothing: the wizard is Ivan's.
  say(olga, chat, '01.01.2031 12:00', again.messageId);
  say(ivan, chat, '01.06.2031 12:00', again.messageId);
  const askDescription = await inGroup(chat, { textIncludes: 'Добавьте описание' });
  say(ivan, chat, '-', askDescription.messageId);
  const card = await inGroup(chat, { textIncludes: 'Will Zenit win the cup?' });
  expect(card.text).toContain('01.06.2031, 12:00');
  const [mk] = await env.ds.query(`SELECT description FROM markets WHERE id = $1`, [await marketOfCard(chat, card.messageId)]);
  expect(mk.description).toBe('');
});

test('someone who never started the bot is asked to, with a link into it', async () => {
  const carol = env.sim.createUser({ first_name: 'Carol', language_code: 'en' });
  const chat = env.sim.createGroup({ title: 'With Carol', creatorId: ivan.id, memberIds: [carol.id] }).id;
  await env.sim.waitForBotMessage(chat, { textIncludes: '/predict' }, WAIT_MS, { since: 0 });
  say(carol, chat, '/predict Will Carol win? | 31.12.2030 18:00');
  const refusal = await inGroup(chat, { textIncludes: 'Start the bot in a private chat first' });
  expect(refusal.replyMarkup).toEqual({ inline_keyboard: [[expect.objectContaining({ url: `https://t.me/${env.botInfo.username}?start=group` })]] });
  expect(await env.ds.query(`SELECT 1 FROM markets WHERE title = 'Will Carol win?'`)).toEqual([]);
  expect(await env.ds.query(`SELECT 1 FROM users WHERE telegram_id = $1`, [carol.id])).toEqual([]);
});

describe('resolving a group market and the leaderboards', () => {
  let chat: number;
  let snow: number;
  let cup: number;

  beforeAll(async () => {
    chat = await newGroup('Forecasters');
    say(ivan, chat, '/predict Will it snow on Sunday? | 31.12.2030 18:00');
    snow = await marketOfCard(chat, (await inGroup(chat, { textIncludes: 'Will it snow on Sunday?' })).messageId);
    say(olga, chat, '/predict Will the cup final go to penalties? | 31.12.2030 18:00');
    cup = await marketOfCard(chat, (await inGroup(chat, { textIncludes: 'go to penalties' })).messageId);
    // No seeded orders: each market's house maker (funded by its creator's ante) takes Olga's bet.
    // Olga bets on snow from the group card: two taps.
    const card = env.sim.messages(chat).find((m) => m.fromBot && m.text?.includes('Will it snow on Sunday?'))!;
    await env.sim.pressButton({ userId: olga.id, chatId: chat, messageId: card.messageId, data: `qb:${snow}:y` }).answered(WAIT_MS);
    const placed = await env.sim.pressButton({ userId: olga.id, chatId: chat, messageId: card.messageId, data: `qb:${snow}:y` }).answered(WAIT_MS);
    expect(placed.text).toContain('Ставка принята');
  });

  test('a member who neither created the market nor administers the chat cannot resolve it', async () => {
    say(olga, chat, '/resolve');
    const own = await inGroup(chat, { textIncludes: 'Итог прогноза' });
    // Olga is offered only the market she created.
    expect(buttons(own)).toEqual([`#${cup} Will the cup final go to penalties?`]);
    say(ivan, chat, '/resolve');
    const list = await inGroup(chat, { textIncludes: 'Итог прогноза' });
    expect(buttons(list)).toEqual([`#${snow} Will it snow on Sunday?`, `#${cup} Will the cup final go to penalties?`]);
    // In a group everyone can press Ivan's buttons: the press is refused and changes nothing.
    const pressed = await env.sim.pressButton({ userId: olga.id, chatId: chat, messageId: list.messageId, data: `gp:${snow}` }).answered(WAIT_MS);
    expect(pressed).toEqual(expect.objectContaining({ text: 'Подвести итог может только автор прогноза или администратор чата.', showAlert: true }));
    expect(env.sim.messages(chat).find((m) => m.messageId === list.messageId)!.edits).toEqual([]);
  });

  test('the creator resolves early (trading stops first); holders are paid; the card shows the outcome', async () => {
    const list = env.sim.messages(chat).filter((m) => m.fromBot && m.text?.includes('Итог прогноза')).pop()!;
    await env.sim.pressButton({ userId: ivan.id, chatId: chat, messageId: list.messageId, data: `gp:${snow}` }).answered(WAIT_MS);
    await inGroup(chat, { messageId: list.messageId, textIncludes: 'Каков итог?' });
    env.sim.pressButton({ userId: ivan.id, chatId: chat, messageId: list.messageId, text: 'ДА' });
    const confirm = await inGroup(chat, { messageId: list.messageId, textIncludes: 'ещё идут' });
    expect(buttons(confirm)[0]).toBe('⚠️ Закрыть торги, итог: ДА');
    const sneaky = await env.sim.pressButton({ userId: olga.id, chatId: chat, messageId: list.messageId, text: '⚠️ Закрыть торги, итог: ДА' }).answered(WAIT_MS);
    expect(sneaky.text).toBe('Подвести итог может только автор прогноза или администратор чата.');
    expect((await env.ds.query(`SELECT status FROM markets WHERE id = $1`, [snow]))[0].status).toBe('open');
    env.sim.pressButton({ userId: ivan.id, chatId: chat, messageId: list.messageId, text: '⚠️ Закрыть торги, итог: ДА' });
    await inGroup(chat, { messageId: list.messageId, textIncludes: 'Выплаты держателям уже идут' });
    await eventually(async () => (await env.ds.query(`SELECT status FROM markets WHERE id = $1`, [snow]))[0].status === 'settled', 'settlement');
    const card = await env.sim.waitForBotMessage(chat, (m) => m.fromBot && (m.text ?? '').includes('Will it snow on Sunday?') && (m.text ?? '').includes('Итог: ДА'), WAIT_MS, { since: 0 });
    expect(buttons(card)).toEqual(['📲 Открыть в боте']);
  });

  test('a chat administrator resolves a market someone else created', async () => {
    say(petr, chat, '/resolve');
    const list = await inGroup(chat, { textIncludes: 'Итог прогноза' });
    expect(buttons(list)).toEqual([`#${cup} Will the cup final go to penalties?`]);
    env.sim.pressButton({ userId: petr.id, chatId: chat, messageId: list.messageId, data: `gp:${cup}` });
    await inGroup(chat, { messageId: list.messageId, textIncludes: 'Каков итог?' });
    env.sim.pressButton({ userId: petr.id, chatId: chat, messageId: list.messageId, text: 'НЕТ' });
    await inGroup(chat, { messageId: list.messageId, textIncludes: 'ещё идут' });
    env.sim.pressButton({ userId: petr.id, chatId: chat, messageId: list.messageId, text: '⚠️ Закрыть торги, итог: НЕТ' });
    await inGroup(chat, { messageId: list.messageId, textIncludes: 'Выплаты держателям уже идут' });
    await eventually(async () => (await env.ds.query(`SELECT status FROM markets WHERE id = $1`, [cup]))[0].status === 'settled', 'settlement');
  });

  test('/top in the group ranks its players by realized P&L with accuracy; privately it is global', async () => {
    say(ivan, chat, '/top');
    const top = await inGroup(chat, { textIncludes: 'Рейтинг группы «Forecasters»' });
    // Olga's 100 ₽ bought YES from the house maker (issue 8) and YES won; the maker is no player.
    const line = /🥇 Olga — \+(\d+,\d\d)\u00a0₽ · точность 100% \(1 из 1\)/.exec(top.text!);
    expect(line).not.toBeNull();
    expect(top.text).not.toContain('🥈');
    expect(top.text).toContain('Прибыль по 2 завершённым рынкам');

    env.sim.sendText({ userId: olga.id, text: '/top' });
    const global = await waitFor(env, olga, { textIncludes: 'Рейтинг игроков' });
    expect(global.text).toContain(`🥇 Olga — +${line![1]}\u00a0₽`);
  });
});
