/**
 * Watchlist, price alerts and stop-loss through the local Bot API (issue 11): a user watches a
 * market from its card, sets an alert in two taps and hears it when another user moves the price;
 * a stop-loss set from the card sells the position when the price falls through it.
 */
import { buttons, fund, market, press, restingOrder, startEnv, startedUser, waitFor, eventually, type Env } from './harness';

let env: Env;
let movers: { a: number; b: number };
beforeAll(async () => {
  env = await startEnv('alerts', { env: { ALERTS_PER_USER: '3' } });
  movers = { a: await fund(env, env.sim.createUser({ first_name: 'MoverA' }), 50_000), b: await fund(env, env.sim.createUser({ first_name: 'MoverB' }), 50_000) };
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

/** Another user trades 100 shares at YES price `p` through the matching queue. */
async function tradeAt(marketId: number, p: number): Promise<void> {
  await restingOrder(env, { marketId, userId: movers.a, intent: 'BUY_YES', price: p, qty: 100 });
  await restingOrder(env, { marketId, userId: movers.b, intent: 'BUY_NO', price: 100 - p, qty: 100 });
}

test('⭐ on the card watches the market; 🔔 → preset sets an alert in two taps; it fires once when the price crosses', async () => {
  const id = await market(env, 'Will the river freeze by January?');
  await tradeAt(id, 50);
  const u = await startedUser(env, 'Watcher');
  env.sim.sendText({ userId: u.id, text: `/start m${id}` });
  const card = await waitFor(env, u, { hasPhoto: true, buttonText: '⭐ В избранное' });
  expect(buttons(card)).toContain('🔔 Алерт');
  press(env, u, '⭐ В избранное', card.messageId);
  await waitFor(env, u, { messageId: card.messageId, buttonText: '★ В избранном' });

  env.sim.sendText({ userId: u.id, text: '/watchlist' });
  const list = await waitFor(env, u, { textIncludes: 'Избранное' });
  expect(list.text).toContain('Will the river freeze by January? — ДА 50% (0 п. за 24 ч)');

  press(env, u, '🔔 Алерт', card.messageId);
  const menu = await waitFor(env, u, { textIncludes: 'Цена ДА сейчас: 50%' });
  expect(buttons(menu)).toEqual(expect.arrayContaining(['↑ 55%', '↓ 45%', '↑ 60%', '↓ 40%', '± 5 п. за 24 ч', '± 10 п. за 24 ч']));
  press(env, u, '↑ 55%', menu.messageId);
  await waitFor(env, u, { textIncludes: 'Алерт установлен: цена ДА поднимется до 55%' });
  // A typed level below the price is a "falls to" alert; the current price itself is refused.
  press(env, u, '🔔 Алерт', card.messageId);
  await waitFor(env, u, { textIncludes: 'Цена ДА сейчас' });
  env.sim.sendText({ userId: u.id, text: '50' });
  await waitFor(env, u, { textIncludes: 'не равное текущей цене' });
  env.sim.sendText({ userId: u.id, text: '42' });
  await waitFor(env, u, { textIncludes: 'Алерт установлен: цена ДА опустится до 42%. Всего алертов: 2 из 3.' });

  // ALERTS_PER_USER = 3 here: the third is set, the fourth is refused in words and not written.
  press(env, u, '🔔 Алерт', card.messageId);
  const again = await waitFor(env, u, { textIncludes: 'Цена ДА сейчас' });
  press(env, u, '± 10 п. за 24 ч', again.messageId);
  await waitFor(env, u, { textIncludes: 'Всего алертов: 3 из 3.' });
  press(env, u, '🔔 Алерт', card.messageId);
  const full = await waitFor(env, u, { textIncludes: 'Цена ДА сейчас' });
  const refused = await press(env, u, '↓ 40%', full.messageId).answered(15_000);
  expect(refused.text).toBe('Можно держать не больше 3 алертов. Удалите лишние в /alerts.');
  expect((await env.ds.query(`SELECT count(*)::int AS n FROM price_alerts`))[0].n).toBe(3);

  // Another user moves the price to 57: the alert arrives once, with a button to the card.
  await tradeAt(id, 57);
  const fired = await waitFor(env, u, { textIncludes: 'поднялась до 57%' });
  expect(fired.text).toBe('🔔 Will the river freeze by January?: цена ДА поднялась до 57% (ваш уровень 55%).');
  expect(buttons(fired)).toEqual(['📈 Открыть рынок']);
  // Staying above the level sends nothing more.
  await tradeAt(id, 58);
  await eventually(async () => Number((await env.ds.query(`SELECT last_price FROM markets WHERE id = $1`, [id]))[0].last_price) === 58, 'price 58');
  await new Promise((r) => setTimeout(r, 500));
  expect(env.sim.messages(u.id).filter((m) => m.fromBot && (m.text ?? '').startsWith('🔔 Will the river')).length).toBe(1);

  env.sim.sendText({ userId: u.id, text: '/alerts' });
  const alerts = await waitFor(env, u, { textIncludes: 'Алерты' });
  expect(alerts.text).toContain('1. Will the river freeze by January?: цена ДА поднимется до 55%');
  press(env, u, '⏸ 1', alerts.messageId);
  await waitFor(env, u, { messageId: alerts.messageId, textIncludes: '(на паузе)' });
  press(env, u, '🗑 2', alerts.messageId);
  await eventually(async () => (await env.ds.query(`SELECT count(*)::int AS n FROM price_alerts`))[0].n === 2, 'alert deleted');
});

test('a stop-loss set from the card sells the position when another user pushes the price through it', async () => {
  const id = await market(env, 'Will it snow on New Year?');
  const u = await startedUser(env, 'Holder');
  const userId = await fund(env, u, 1000);
  // The holder buys 100 YES at 50 (the price is now 50).
  await restingOrder(env, { marketId: id, userId, intent: 'BUY_YES', price: 50, qty: 100 });
  await restingOrder(env, { marketId: id, userId: movers.b, intent: 'BUY_NO', price: 50, qty: 100 });
  env.sim.sendText({ userId: u.id, text: `/start m${id}` });
  const card = await waitFor(env, u, { hasPhoto: true, buttonText: '🛡 Стоп/тейк ДА' });
  press(env, u, '🛡 Стоп/тейк ДА', card.messageId);
  const menu = await waitFor(env, u, { textIncludes: 'Стоп-лосс / тейк-профит' });
  expect(menu.text).toContain('свободных акций: 100; цена ДА сейчас 50%');
  press(env, u, '🛑 Стоп 45%', menu.messageId);
  const preview = await waitFor(env, u, { textIncludes: 'Проверьте' });
  expect(preview.text).toContain('Стоп-лосс: когда цена ДА опустится до 45%');
  expect(preview.text).toContain('Будет продано: 100 акций ДА рыночной заявкой, худшая цена 35%.');
  press(env, u, '✅ Установить', preview.messageId);
  await waitFor(env, u, { textIncludes: 'Установлено' });
  env.sim.sendText({ userId: u.id, text: '/portfolio' });
  const portfolio = await waitFor(env, u, { buttonText: '🛡 Стоп/тейк' });
  expect(portfolio.text).toContain('Will it snow on New Year?');
  env.sim.sendText({ userId: u.id, text: '/alerts' });
  const list = await waitFor(env, u, { textIncludes: 'Стоп-лоссы и тейк-профиты' });
  expect(list.text).toContain('1. Will it snow on New Year?: Стоп-лосс: когда цена ДА опустится до 45% · вся позиция');

  // A buyer at 42, then another user sells the price down to 44 (through the stop at 45).
  await restingOrder(env, { marketId: id, userId: movers.a, intent: 'BUY_YES', price: 42, qty: 300 });
  await tradeAt(id, 44);
  const told = await waitFor(env, u, { textIncludes: 'Стоп-лосс сработал' });
  expect(told.text).toContain('Продано 100 из 100 акций ДА за 42,00');
  const [pos] = await env.ds.query(`SELECT shares FROM positions WHERE user_id = $1 AND market_id = $2 AND outcome = 'YES'`, [userId, id]);
  expect(pos.shares).toBe(0);
  const orders = await env.ds.query(`SELECT idempotency_key, filled FROM orders WHERE user_id = $1 AND intent = 'SELL_YES'`, [userId]);
  expect(orders).toEqual([{ idempotency_key: expect.stringMatching(/^trigger:\d+$/), filled: 100 }]);
});
