/**
 * Issue 8: trust in group markets. A creator who resolves their own market leaves holders a
 * dispute window (GROUP_DISPUTE_WINDOW, 2 h by default); `/dispute` in the group goes to the
 * chat's administrators (asked through the Bot API); a creator who holds a position cannot decide
 * the dispute; the card shows the author's position.
 */
import type { SimMessage, SimUser } from '../../tools/botapi/sim-types';
import { buttons, eventually, fund, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
let ivan: SimUser;
let olga: SimUser;
let petr: SimUser;
let chat: number;
let marketId: number;
let card: SimMessage;

function say(user: SimUser, text: string, replyToMessageId?: number) {
  return env.sim.sendText({ userId: user.id, chatId: chat, text, ...(replyToMessageId === undefined ? {} : { replyToMessageId }) });
}

function inGroup(match: Parameters<Env['sim']['waitForBotMessage']>[1]): Promise<SimMessage> {
  return env.sim.waitForBotMessage(chat, match, WAIT_MS);
}

async function doubleTap(user: SimUser, side: 'y' | 'n'): Promise<string | undefined> {
  await env.sim.pressButton({ userId: user.id, chatId: chat, messageId: card.messageId, data: `qb:${marketId}:${side}` }).answered(WAIT_MS);
  return (await env.sim.pressButton({ userId: user.id, chatId: chat, messageId: card.messageId, data: `qb:${marketId}:${side}` }).answered(WAIT_MS)).text;
}

const status = async () => (await env.ds.query(`SELECT status, disputed_at FROM markets WHERE id = $1`, [marketId]))[0];

beforeAll(async () => {
  env = await startEnv('gtrust');
  ivan = await startedUser(env, 'Ivan');
  olga = await startedUser(env, 'Olga');
  petr = await startedUser(env, 'Petr');
  env.sim.sendText({ userId: env.admin.id, text: '/start' });
  await waitFor(env, env.admin, { hasKeyboard: true });
  await fund(env, ivan, 1_000);
  await fund(env, olga, 1_000);
  chat = env.sim.createGroup({ title: 'Trust', creatorId: ivan.id, memberIds: [olga.id], adminIds: [petr.id] }).id;
  await env.sim.waitForBotMessage(chat, { textIncludes: '/predict' }, WAIT_MS, { since: 0 });
  // Ivan's ante (100 ₽ by default) funds the house maker: the quick bets below trade with it.
  say(ivan, '/predict Will the river freeze by March? | 31.12.2030 18:00');
  card = await inGroup({ textIncludes: 'Will the river freeze by March?' });
  const find = () => env.ds.query(`SELECT market_id FROM posted_cards WHERE chat_id = $1 AND message_id = $2`, [chat, card.messageId]);
  await eventually(async () => (await find()).length === 1, 'the card row');
  marketId = Number((await find())[0].market_id);
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

test('issue 8: the card shows the author\'s position once they hold one', async () => {
  expect(card.text).not.toContain('У автора');
  expect(await doubleTap(olga, 'y')).toContain('Ставка принята');
  expect(await doubleTap(ivan, 'n')).toContain('Ставка принята');
  const [held] = await env.ds.query(
    `SELECT p.shares FROM positions p JOIN users u ON u.id = p.user_id WHERE p.market_id = $1 AND u.telegram_id = $2 AND p.outcome = 'NO'`, [marketId, ivan.id]);
  expect(held.shares).toBeGreaterThan(0);
  await inGroup({ messageId: card.messageId, textIncludes: `👤 У автора: 0 ДА · ${held.shares} НЕТ` });
});

test('issue 8: the creator resolving their own market leaves holders the group dispute window', async () => {
  say(ivan, '/resolve');
  const list = await inGroup({ textIncludes: 'Итог прогноза' });
  env.sim.pressButton({ userId: ivan.id, chatId: chat, messageId: list.messageId, data: `gp:${marketId}` });
  await inGroup({ messageId: list.messageId, textIncludes: 'Каков итог?' });
  env.sim.pressButton({ userId: ivan.id, chatId: chat, messageId: list.messageId, text: 'НЕТ' });
  await inGroup({ messageId: list.messageId, textIncludes: 'ещё идут' });
  env.sim.pressButton({ userId: ivan.id, chatId: chat, messageId: list.messageId, text: '⚠️ Закрыть торги, итог: НЕТ' });
  const done = await inGroup({ messageId: list.messageId, textIncludes: 'могут оспорить' });
  const [mk] = await env.ds.query(`SELECT status, dispute_until FROM markets WHERE id = $1`, [marketId]);
  expect(mk.status).toBe('proposed');
  // GROUP_DISPUTE_WINDOW defaults to 2 h (DISPUTE_WINDOW is 0 here).
  const windowMs = new Date(mk.dispute_until).getTime() - Date.now();
  expect(windowMs).toBeGreaterThan(2 * 3_600_000 - 60_000);
  expect(windowMs).toBeLessThanOrEqual(2 * 3_600_000);
  expect(done.text).toContain('МСК');
});

test('issue 8: a dispute in the group goes to the chat\'s admins; the creator holding a position cannot decide it', async () => {
  // Someone holding nothing cannot dispute; a holder can, once.
  say(petr, `/dispute ${marketId} I think it froze`);
  await inGroup({ textIncludes: 'Оспорить итог могут только' });
  say(olga, `/dispute ${marketId} The river froze on Feb 20, see the news`);
  const posted = await inGroup({ textIncludes: 'оспаривает итог' });
  expect(posted.text).toContain('The river froze on Feb 20, see the news');
  expect(posted.text).toContain('У автора есть позиция');
  // Petr (chat admin) is mentioned by a link to his account; Ivan (the chat's owner, holding NO) is not.
  const mentions = (posted.entities ?? []).filter((e) => e.type === 'text_link').map((e) => (e as { url: string }).url);
  expect(mentions).toEqual([`tg://user?id=${petr.id}`]);
  expect(env.sim.apiCalls({ method: 'getChatAdministrators' }).length).toBeGreaterThan(0);
  // The exchange's admins hear it too.
  await waitFor(env, env.admin, { textIncludes: 'оспаривает итог' });
  expect((await status()).disputed_at).not.toBeNull();

  say(ivan, '/resolve');
  const list = await inGroup({ textIncludes: 'Итог прогноза' });
  const refused = await env.sim.pressButton({ userId: ivan.id, chatId: chat, messageId: list.messageId, data: `gp:${marketId}` }).answered(WAIT_MS);
  expect(refused).toEqual(expect.objectContaining({ showAlert: true, text: expect.stringContaining('У вас есть позиция') }));
  expect((await status()).disputed_at).not.toBeNull();

  say(petr, '/resolve');
  const petrList = await inGroup({ textIncludes: 'Итог прогноза' });
  env.sim.pressButton({ userId: petr.id, chatId: chat, messageId: petrList.messageId, data: `gp:${marketId}` });
  const review = await inGroup({ messageId: petrList.messageId, textIncludes: 'оспорен' });
  expect(review.text).toContain('The river froze on Feb 20, see the news');
  expect(buttons(review)[0]).toBe('👍 Оставить: НЕТ');
  // Ivan pressing the uphold button under Petr's screen is refused too.
  const sneaky = await env.sim.pressButton({ userId: ivan.id, chatId: chat, messageId: petrList.messageId, text: '👍 Оставить: НЕТ' }).answered(WAIT_MS);
  expect(sneaky.text).toContain('У вас есть позиция');
  expect((await status()).disputed_at).not.toBeNull();
  env.sim.pressButton({ userId: petr.id, chatId: chat, messageId: petrList.messageId, text: '👍 Оставить: НЕТ' });
  await inGroup({ messageId: petrList.messageId, textIncludes: 'оставлен' });
  const after = await status();
  expect(after).toEqual({ status: 'proposed', disputed_at: null });
  // Olga hears that the outcome stands.
  await waitFor(env, olga, { textIncludes: 'Will the river freeze by March?' });
});
