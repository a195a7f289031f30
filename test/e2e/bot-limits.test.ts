/**
 * Issue 15: every text the bot sends fits Telegram's limits (the local Bot API refuses what does
 * not: 4096 characters per message, 1024 per caption, after entity parsing), stated input limits
 * hold at their boundary, and notices about one market reach a chat in order and coalesced.
 */
import { getMarket } from '../../domain/read/markets';
import { clarifyMarket, CLARIFICATION_MAX } from '../../domain/services/market-admin';
import { createMarket, DESCRIPTION_MAX } from '../../domain/services/markets';
import { proposeResolution } from '../../domain/services/resolution';
import type { SimMessage } from '../../tools/botapi/sim-types';
import { accountOf, buttons, eventually, fund, market, press, restingOrder, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('limits');
  env.sim.sendText({ userId: env.admin.id, text: '/start' });
  await waitFor(env, env.admin, { hasKeyboard: true });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

/** Telegram's count: visible characters of a bot message (the simulator stores the parsed text). */
const shown = (m: SimMessage) => (m.text ?? m.caption ?? '').length;

/** A text of exactly `n` characters that ends in a recognisable tail, with characters HTML must escape. */
function textOf(n: number, tail: string): string {
  const body = 'Rules <b> & "quotes" apply. ';
  return (body.repeat(Math.ceil(n / body.length))).slice(0, n - tail.length) + tail;
}

test('issue 15: /newmarket states the description limit, accepts exactly it (confirmation delivered) and refuses one more', async () => {
  const a = env.admin;
  const say = (text: string, expected: string) => {
    env.sim.sendText({ userId: a.id, text });
    return waitFor(env, a, { textIncludes: expected });
  };
  await say('/newmarket', 'Новый рынок');
  const title = `${'Q'.repeat(199)}?`;
  const ask = await say(title, 'Напишите описание');
  expect(ask.text).toContain(`до ${DESCRIPTION_MAX} символов`);
  const refused = await say(textOf(DESCRIPTION_MAX + 1, 'END+1'), `не длиннее ${DESCRIPTION_MAX} символов`);
  expect(refused.text).toContain(`в вашем ${DESCRIPTION_MAX + 1}`);
  const description = textOf(DESCRIPTION_MAX, 'THE-END');
  await say(description, 'Выберите категорию');
  press(env, a, '🌦 Погода');
  await waitFor(env, a, { textIncludes: 'Когда заканчиваются торги' });
  await say('30.11.2030 18:00', 'Ликвидность биржи');
  // Issue 8: the house maker's budget and opening price come before the confirmation.
  press(env, a, '1\u202f000\u00a0₽');
  await waitFor(env, a, { textIncludes: 'Начальная цена' });
  press(env, a, '50%');
  const confirm = await waitFor(env, a, { textIncludes: 'Проверьте рынок' });
  // The whole description is shown: the confirmation fits one message.
  expect(confirm.text).toContain(description);
  expect(shown(confirm)).toBeLessThanOrEqual(4096);
  press(env, a, '✅ Создать', confirm.messageId);
  const created = await waitFor(env, a, { messageId: confirm.messageId, textIncludes: 'создан' });
  const id = Number(/#(\d+)/.exec(created.text!)![1]);
  expect((await getMarket(env.ds.manager, id))?.description).toBe(description);
});

test('issue 15: a card with a 200-character title, a long description and three long clarifications opens; Rules shows everything', async () => {
  const title = `${'T'.repeat(199)}?`;
  const description = textOf(DESCRIPTION_MAX, 'DESC-END');
  const r = await createMarket(env.ds, { title, description, category: 'weather', deadline: new Date(Date.now() + 86_400_000), createdBy: null });
  if (!r.ok) throw new Error(r.code);
  const notes = [1, 2, 3].map((i) => textOf(CLARIFICATION_MAX, `NOTE-${i}-END`));
  for (const text of notes) {
    const c = await clarifyMarket(env.ds, { marketId: r.market.id, adminUserId: await accountOf(env, env.admin), text });
    expect(c.ok).toBe(true);
  }
  const u = await startedUser(env, 'Reader');
  env.sim.sendText({ userId: u.id, text: `/start m${r.market.id}` });
  const card = await waitFor(env, u, { hasPhoto: true });
  expect(shown(card)).toBeLessThanOrEqual(1024);
  expect(card.caption).toContain(title);
  expect(buttons(card)).toContain('📜 Правила');

  press(env, u, '📜 Правила', card.messageId);
  const first = await waitFor(env, u, { textIncludes: 'Правила' });
  // Description (3000) and three clarifications (500 each) are more than one message holds.
  await eventually(async () => env.sim.messages(u.id).some((m) => m.fromBot && m.messageId > first.messageId && (m.text ?? '').includes('NOTE-3-END')), 'last rules part');
  const parts = env.sim.messages(u.id).filter((m) => m.fromBot && m.messageId >= first.messageId);
  expect(parts.length).toBeGreaterThan(1);
  for (const p of parts) expect(shown(p)).toBeLessThanOrEqual(4096);
  const all = parts.map((p) => p.text).join('\n');
  for (const piece of [description, ...notes]) expect(all.replace(/\n/g, '')).toContain(piece.replace(/\n/g, ''));
});

test('issue 15: a portfolio with many positions and orders in markets with 200-character titles still sends', async () => {
  const u = await startedUser(env, 'Collector');
  const userId = await fund(env, u, 10_000);
  const maker = env.sim.createUser({ first_name: 'Maker' });
  const makerId = await fund(env, maker, 10_000);
  for (let i = 0; i < 12; i++) {
    const id = await market(env, `${String(i).padStart(2, '0')}${'P'.repeat(197)}?`);
    await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_NO', price: 50, qty: 20 });
    await restingOrder(env, { marketId: id, userId, intent: 'BUY_YES', price: 50, qty: 20 }); // a position
    await restingOrder(env, { marketId: id, userId, intent: 'BUY_YES', price: 10, qty: 101 }); // an open order
  }
  env.sim.sendText({ userId: u.id, text: '/portfolio' });
  const p = await waitFor(env, u, { textIncludes: 'Портфель' });
  expect(shown(p)).toBeLessThanOrEqual(4096);
  expect(p.text).toContain('ещё');
});

test('issue 15: at an early resolution a holder reads one "trading closed" notice, then "resolved", then the payout (5 runs)', async () => {
  const a = env.admin;
  const holder = await startedUser(env, 'Holder');
  const holderId = await fund(env, holder, 1000);
  const maker = env.sim.createUser({ first_name: 'Maker2' });
  const makerId = await fund(env, maker, 1000);
  for (let run = 0; run < 5; run++) {
    const id = await market(env, `Early resolution run ${run}: will it rain?`);
    await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_NO', price: 40, qty: 30 });
    await restingOrder(env, { marketId: id, userId: holderId, intent: 'BUY_YES', price: 60, qty: 30 }); // holds 30 YES
    // Five resting orders, each above the minimum notional.
    for (const price of [10, 20, 30, 35, 38]) await restingOrder(env, { marketId: id, userId: holderId, intent: 'BUY_YES', price, qty: Math.ceil(1000 / price) + 1 });
    const since = env.sim.messages(holder.id).length;
    env.sim.sendText({ userId: a.id, text: `/resolve ${id} yes` });
    await waitFor(env, a, { buttonText: '⚠️ Разрешить досрочно: ДА' });
    press(env, a, '⚠️ Разрешить досрочно: ДА');
    await eventually(async () => (await getMarket(env.ds.manager, id))?.status === 'settled', 'market settled');
    const title = `Early resolution run ${run}:`;
    await env.sim.waitForBotMessage(holder.id, (m) => (m.text ?? '').includes(title) && (m.text ?? '').includes('завершён: ДА'), WAIT_MS, { since: 0 });
    const mine = env.sim.messages(holder.id).slice(since).filter((m) => m.fromBot && (m.text ?? '').includes(title)).map((m) => m.text!);
    expect(mine).toHaveLength(3);
    expect(mine[0]).toContain('закрыты: отменены ваши заявки (5)');
    expect(mine[0]).toContain('освобождено');
    expect(mine[1]).toContain('разрешён: ДА');
    expect(mine[2]).toContain('завершён: ДА');
  }
}, 180_000);

test('issue 15: a market resolved without resolution news (a lapsed dispute window) still tells holders "resolved" before the payout', async () => {
  const holder = await startedUser(env, 'Quiet');
  const holderId = await fund(env, holder, 1000);
  const maker = env.sim.createUser({ first_name: 'Maker3' });
  const makerId = await fund(env, maker, 1000);
  const id = await market(env, 'Lapsed window: will the river rise?');
  await restingOrder(env, { marketId: id, userId: makerId, intent: 'BUY_NO', price: 40, qty: 30 });
  await restingOrder(env, { marketId: id, userId: holderId, intent: 'BUY_YES', price: 60, qty: 30 });
  const closed = await env.queues.submit({ type: 'close', idempotencyKey: `close-${id}-test`, marketId: id }, WAIT_MS);
  expect(closed.ok).toBe(true);
  // Like finalizeDue in the maintenance tick: final at once, settlement started, no news queued.
  const r = await proposeResolution(env.ds, { marketId: id, adminUserId: await accountOf(env, env.admin), outcome: 'YES', early: false }, { quorum: 1, disputeWindowMs: 0 });
  expect(r.ok && r.stage).toBe('resolved');
  await env.queues.enqueueSettlement(id);
  const title = 'Lapsed window:';
  await env.sim.waitForBotMessage(holder.id, (m) => (m.text ?? '').includes(title) && (m.text ?? '').includes('завершён: ДА'), WAIT_MS, { since: 0 });
  const mine = env.sim.messages(holder.id).filter((m) => m.fromBot && (m.text ?? '').includes(title)).map((m) => m.text!);
  expect(mine).toHaveLength(2);
  expect(mine[0]).toContain('разрешён: ДА');
  expect(mine[1]).toContain('завершён: ДА');
});
