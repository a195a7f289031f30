/**
 * issue 9: self-exclusion blocks a bet. The refusal comes from `tradingBlock`
 * (domain/services/responsible-use.ts), wired into the pre-trade check and both bet paths when
 * the bet rewrite lands; this file fails until then (see the issue 9 report).
 */
import { selfExclude } from '../../domain/services/responsible-use';
import { accountOf, fund, market, press, restingOrder, startEnv, startedUser, waitFor, type Env } from './harness';

let env: Env;
let rain: number;
beforeAll(async () => {
  env = await startEnv('selfexbet');
  rain = await market(env, 'Will it rain in Kazan tomorrow?', 'weather');
  const maker = env.sim.createUser({ first_name: 'Maker' });
  const makerId = await fund(env, maker, 10_000);
  await restingOrder(env, { marketId: rain, userId: makerId, intent: 'BUY_NO', price: 45, qty: 500 });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

test('issue 9: a self-excluded user confirming a bet gets the localized refusal and no order is placed', async () => {
  const u = await startedUser(env, 'Excluded');
  const userId = await fund(env, u, 1_000);
  await accountOf(env, u);
  env.sim.sendText({ userId: u.id, text: `/start m${rain}` });
  await waitFor(env, u, { hasPhoto: true });
  press(env, u, '✅ Купить ДА · 55%');
  const ask = await waitFor(env, u, { textIncludes: 'Выберите сумму' });
  press(env, u, '100\u00a0₽');
  await waitFor(env, u, { messageId: ask.messageId, buttonText: '⚡ По рынку (до 60%)' });
  press(env, u, '⚡ По рынку (до 60%)');
  await waitFor(env, u, { messageId: ask.messageId, textIncludes: 'Проверьте заявку' });
  // Self-excluded between the preview and Confirm.
  await selfExclude(env.ds.manager, userId, '24h');
  press(env, u, '✅ Подтвердить', ask.messageId);
  await waitFor(env, u, { textIncludes: 'Вы исключили себя до' });
  const orders = await env.ds.query(`SELECT id FROM orders WHERE user_id = $1`, [userId]);
  expect(orders).toEqual([]);
});
