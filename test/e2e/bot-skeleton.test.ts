/** Issue "Walking skeleton": a new user goes from /start to a filled bet with money deposited through Telegram Payments. */
import { balancesOf } from '../../domain/services/users';
import { accountOf, buttons, fund, market, press, restingOrder, startEnv, waitFor, type Env } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('skeleton');
});
afterAll(async () => env.close());

test('start → markets → card → no money → deposit by invoice → bet → filled → portfolio', async () => {
  const id = await market(env, 'Will Spartak win on Sunday?', 'sports');
  const maker = env.sim.createUser({ first_name: 'Maker' });
  await restingOrder(env, { marketId: id, userId: await fund(env, maker, 5000), intent: 'BUY_NO', price: 38, qty: 1000 }); // YES offered at 62

  const u = env.sim.createUser({ first_name: 'Nina', language_code: 'ru' });
  env.sim.sendText({ userId: u.id, text: '/start' });
  await waitFor(env, u, { buttonText: '📈 Рынки' });
  press(env, u, '📈 Рынки');
  await waitFor(env, u, { buttonText: '⚽ Спорт (1)' });
  press(env, u, '⚽ Спорт (1)');
  await waitFor(env, u, { textIncludes: 'Will Spartak win on Sunday?' });
  press(env, u, '62% · Will Spartak win on Sunday?');
  await waitFor(env, u, { hasPhoto: true });
  press(env, u, '✅ Купить ДА · 62%');
  await waitFor(env, u, { textIncludes: 'Доступно: 0,00\u00a0₽' });
  press(env, u, '500\u00a0₽');
  const refusal = await waitFor(env, u, { textIncludes: 'Недостаточно средств' });

  press(env, u, '➕ Пополнить', refusal.messageId);
  // issue 9: the first deposit asks to accept the terms.
  await waitFor(env, u, { textIncludes: 'Перед первым пополнением' });
  press(env, u, '✅ Принимаю (18+)');
  await waitFor(env, u, { buttonText: '1\u202f000\u00a0₽' });
  press(env, u, '1\u202f000\u00a0₽');
  await waitFor(env, u, { hasInvoice: true });
  expect((await env.sim.payInvoice({ userId: u.id })).status).toBe('paid');
  await waitFor(env, u, { textIncludes: 'Зачислено 1\u202f000,00\u00a0₽' });

  env.sim.sendText({ userId: u.id, text: `/start m${id}` });
  await waitFor(env, u, { hasPhoto: true });
  press(env, u, '✅ Купить ДА · 62%');
  await waitFor(env, u, { textIncludes: 'Доступно: 1\u202f000,00\u00a0₽' });
  press(env, u, '500\u00a0₽');
  await waitFor(env, u, { buttonText: '⚡ По рынку (до 67%)' });
  press(env, u, '⚡ По рынку (до 67%)');
  await waitFor(env, u, { textIncludes: 'Проверьте заявку' });
  press(env, u, '✅ Подтвердить');
  const result = await waitFor(env, u, { textIncludes: 'Куплено' });
  // floor(50 000 × 10 000 / 10 010) = 49 950 kop → 805 shares at 62 = 499,10 ₽ + 0,50 ₽ fee.
  expect(result.text).toContain('Куплено 805 акций ДА за 499,10\u00a0₽ + комиссия 0,50\u00a0₽');
  expect(await balancesOf(env.ds.manager, await accountOf(env, u))).toEqual({ available: 100_000 - 49_960, reserved: 0 });

  press(env, u, '💼 Портфель', result.messageId);
  const pf = await waitFor(env, u, { textIncludes: 'Позиции' });
  expect(pf.text).toContain('ДА × 805');
  expect(buttons(pf)).toContain('Продать ДА (805) · Will Spartak win on Sun\u2026');
  expect(env.errors).toEqual([]);
  expect(env.sim.rateLimits().earlyRetries).toEqual([]);
});
