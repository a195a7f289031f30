/**
 * Inline mode and quick bets (issue "Groups, inline mode, digests"): `@bot query` lists markets
 * (search and trending, at most 50), the chosen card is tracked by its inline_message_id, a group
 * member bets with two taps, someone who never started the bot is sent into it, and the card is
 * edited in place within the group's budget.
 */
import { randomBytes } from 'node:crypto';
import type { InlineKeyboardMarkup, InlineQueryResultArticle } from 'telegraf/types';
import type { SimMessage } from '../../tools/botapi/sim-types';
import { createMarket } from '../../domain/services/markets';
import { balancesOf } from '../../domain/services/users';
import { formatKop } from '../../infra/format';
import { eventually, fund, market, restingOrder, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
let spartak: number;
let bitcoin: number;
let rain: number;
let makerId: number;
let traderId: number;

/** A market buy of `spendKop` straight through the matching queue (someone trading elsewhere). */
async function take(marketId: number, userId: number, intent: 'BUY_YES' | 'BUY_NO', spendKop: number): Promise<void> {
  const r = await env.queues.submit({
    type: 'place', idempotencyKey: `take-${randomBytes(4).toString('hex')}`, marketId, userId, intent, kind: 'market', price: 99,
    spendKop: spendKop as never, tif: 'IOC',
  }, WAIT_MS);
  if (!r.ok || !r.outcome?.filled) throw new Error(`take failed: ${JSON.stringify(r)}`);
}

async function inline(userId: number, query: string, chatId?: number) {
  const q = env.sim.inlineQuery({ userId, query, ...(chatId === undefined ? {} : { chatId }) });
  const answer = await env.sim.waitForInlineAnswer(q.inlineQueryId, WAIT_MS);
  return { q, answer, results: answer.results as InlineQueryResultArticle[] };
}

function keyboardOf(r: { reply_markup?: InlineKeyboardMarkup }) {
  return r.reply_markup?.inline_keyboard.flat() ?? [];
}

async function ordersOf(userId: number): Promise<{ intent: string; status: string; filled: number; idempotency_key: string }[]> {
  return env.ds.query(`SELECT intent, status, filled, idempotency_key FROM orders WHERE user_id = $1 ORDER BY id`, [userId]);
}

beforeAll(async () => {
  env = await startEnv('inline');
  spartak = await market(env, 'Will Spartak win on Sunday?', 'sports');
  bitcoin = await market(env, 'Bitcoin above 100k by New Year?', 'crypto');
  rain = await market(env, 'Will it rain in Moscow tomorrow?', 'weather');
  // More matching markets than one answer may hold; never traded, so they rank after the three.
  for (let i = 1; i <= 52; i++) {
    const r = await createMarket(env.ds, { title: `Filler question number ${i}?`, category: 'other', deadline: new Date(Date.now() + 86_400_000), createdBy: null });
    if (!r.ok) throw new Error(r.code);
  }
  const maker = env.sim.createUser({ first_name: 'Maker' });
  makerId = await fund(env, maker, 100_000);
  traderId = await fund(env, env.sim.createUser({ first_name: 'Trader' }), 100_000);
  for (const id of [spartak, bitcoin, rain]) {
    await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_NO', price: 45, qty: 5000 });
    await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_YES', price: 40, qty: 5000 });
  }
  // 24 h activity: rain trades most, then bitcoin; spartak never.
  await take(rain, traderId, 'BUY_YES', 50_000);
  await take(bitcoin, traderId, 'BUY_YES', 10_000);
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

test('an empty query answers the trending markets (by 24 h volume), at most 50, each a ready card', async () => {
  const user = env.sim.createUser({ first_name: 'Viewer', language_code: 'en' });
  const { answer, results } = await inline(user.id, '');
  expect(results).toHaveLength(50);
  expect(results.slice(0, 2).map((r) => r.id)).toEqual([`m${rain}`, `m${bitcoin}`]);
  expect(answer.isPersonal).toBe(true);
  // Someone who never started the bot is offered a way in above the results.
  expect(answer.button).toEqual(expect.objectContaining({ start_parameter: 'inline' }));
  const card = results[0]!;
  expect(card.title).toBe('Will it rain in Moscow tomorrow?');
  expect(card.description).toMatch(/^YES 55% · NO 45% · ₽\d/);
  const content = card.input_message_content as { message_text: string; parse_mode: string };
  expect(content.parse_mode).toBe('HTML');
  expect(content.message_text).toContain('<b>Will it rain in Moscow tomorrow?</b>');
  expect(content.message_text).toContain('YES <b>55%</b> · NO <b>45%</b>');
  expect(keyboardOf(card).map((b) => b.text)).toEqual(['✅ YES 55%', '❌ NO 45%', '📲 Open in bot']);
  expect(keyboardOf(card)[2]).toEqual(expect.objectContaining({ url: `https://t.me/${env.botInfo.username}?start=m${rain}` }));
});

test('a query searches titles (every word) and category names in both languages', async () => {
  const user = env.sim.createUser({ first_name: 'Searcher', language_code: 'ru' });
  expect((await inline(user.id, 'spartak')).results.map((r) => r.id)).toEqual([`m${spartak}`]);
  expect((await inline(user.id, 'bitcoin NEW year')).results.map((r) => r.id)).toEqual([`m${bitcoin}`]);
  expect((await inline(user.id, 'спорт')).results.map((r) => r.id)).toEqual([`m${spartak}`]);
  expect((await inline(user.id, 'crypto')).results.map((r) => r.id)).toEqual([`m${bitcoin}`]);
  expect((await inline(user.id, 'filler')).results).toHaveLength(50);
  const none = await inline(user.id, 'no such market anywhere');
  expect(none.results).toEqual([]);
  expect(none.answer.button).toEqual({ text: 'Ничего не нашлось — открыть бота', start_parameter: 'inline' });
});

describe('a card posted into a group', () => {
  let groupId: number;
  let card: { inlineMessageId: string };
  let bob: { id: number };
  let bobId: number;

  beforeAll(async () => {
    const ivan = await startedUser(env, 'Ivan');
    const b = await startedUser(env, 'Bob');
    bob = b;
    bobId = await fund(env, b, 1_000);
    groupId = env.sim.createGroup({ title: 'Friends', creatorId: ivan.id, memberIds: [b.id] }).id;
    const { q } = await inline(ivan.id, 'rain', groupId);
    card = await env.sim.chooseInlineResult({ inlineQueryId: q.inlineQueryId, resultId: `m${rain}` });
  });

  test('chosen_inline_result tracks the card by its inline_message_id', async () => {
    await eventually(async () => (await env.ds.query(`SELECT 1 FROM posted_cards WHERE inline_message_id = $1`, [card.inlineMessageId])).length === 1, 'the card row');
    const [row] = await env.ds.query(`SELECT market_id, chat_id, language, lane_id FROM posted_cards WHERE inline_message_id = $1`, [card.inlineMessageId]);
    expect(row).toEqual(expect.objectContaining({ market_id: String(rain), chat_id: null, language: 'ru' }));
    // A synthetic lane below every real chat id (Bot API: real ids have at most 52 significant bits).
    expect(Number(row.lane_id)).toBeLessThan(-(2 ** 52));
    const posted = env.sim.messages(groupId).find((m) => m.inlineMessageId === card.inlineMessageId)!;
    expect(posted.text).toContain('Will it rain in Moscow tomorrow?');
  });

  test('one tap only offers the bet; the second places exactly one order with the offered guard', async () => {
    const first = await env.sim.pressButton({ userId: bob.id, inlineMessageId: card.inlineMessageId, data: `qb:${rain}:y` }).answered(WAIT_MS);
    expect(first.text).toBe('Нажмите «ДА» ещё раз в течение 10 с: ставка 100\u00a0₽ на ДА по цене до 60% (~181 акция за 99,65\u00a0₽).');
    expect(first.showAlert).toBe(false);
    expect(await ordersOf(bobId)).toEqual([]);

    const second = env.sim.pressButton({ userId: bob.id, inlineMessageId: card.inlineMessageId, data: `qb:${rain}:y` });
    const placed = await second.answered(WAIT_MS);
    expect(placed.showAlert).toBe(true);
    expect(placed.text).toBe('✅ Ставка принята: 181 акция ДА за 99,55\u00a0₽ + комиссия 0,10\u00a0₽, средняя цена 55,0%. Доступно: 900,35\u00a0₽');
    expect(await ordersOf(bobId)).toEqual([{ intent: 'BUY_YES', status: 'filled', filled: 181, idempotency_key: expect.stringMatching(/^bet:[0-9a-f]{16}$/) }]);
    expect(await balancesOf(env.ds.manager, bobId)).toEqual({ available: 90_035, reserved: 0 });

    // A third tap starts over: an offer, not a second order.
    const third = await env.sim.pressButton({ userId: bob.id, inlineMessageId: card.inlineMessageId, data: `qb:${rain}:y` }).answered(WAIT_MS);
    expect(third.text).toContain('ещё раз');
    expect(await ordersOf(bobId)).toHaveLength(1);
  });

  test('someone who never started the bot is sent into it at this market, and /start brings them there', async () => {
    const carol = env.sim.createUser({ first_name: 'Carol', language_code: 'en' });
    const answer = await env.sim.pressButton({ userId: carol.id, inlineMessageId: card.inlineMessageId, data: `qb:${rain}:n` }).answered(WAIT_MS);
    expect(answer.url).toBe(`https://t.me/${env.botInfo.username}?start=m${rain}`);
    expect(answer.text).toBe('To bet, start the bot: it opens at this market.');
    expect(await env.ds.query(`SELECT 1 FROM users WHERE telegram_id = $1`, [carol.id])).toEqual([]);

    env.sim.sendText({ userId: carol.id, text: `/start m${rain}` });
    await waitFor(env, carol, { textIncludes: 'Pravda Market' });
    const cardInBot = await waitFor(env, carol, { hasPhoto: true });
    expect(cardInBot.caption).toContain('Will it rain in Moscow tomorrow?');
  });

  test('the card is edited in place after trades, batched within the group budget (no 429 at all)', async () => {
    const since = Date.now();
    for (let i = 0; i < 8; i++) await take(rain, traderId, i % 2 ? 'BUY_NO' : 'BUY_YES', 20_000);
    const [mk] = await env.ds.query(`SELECT volume_kop FROM markets WHERE id = $1`, [rain]);
    const volume = formatKop(Number(mk.volume_kop), 'ru', { compact: true });
    const isFinal = (m: SimMessage) => m.inlineMessageId === card.inlineMessageId && (m.text ?? '').includes(volume);
    await env.sim.waitForBotMessage(groupId, isFinal, WAIT_MS, { since: 0 });
    const shown = env.sim.messages(groupId).find((m) => m.inlineMessageId === card.inlineMessageId)!;
    expect(shown.text).toContain(`👥 3 человека · оборот ${volume}`);

    const edits = env.sim.apiCalls({ method: 'editMessageText', sinceMs: since }).filter((c) => c.params.inline_message_id === card.inlineMessageId);
    // Eight trades, a handful of edits: one per redraw window at most.
    expect(edits.length).toBeGreaterThan(0);
    expect(edits.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(3000);
    expect(env.sim.rateLimits().rejections).toEqual([]);
  });
});
