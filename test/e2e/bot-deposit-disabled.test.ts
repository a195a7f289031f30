import { press, startEnv, startedUser, waitFor, type Env } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('nodeposit', { providerToken: '' });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

test('without a payment provider token, deposits are unavailable and no invoice is sent', async () => {
  const u = await startedUser(env, 'Hopeful');
  press(env, u, '💰 Баланс');
  await waitFor(env, u, { buttonText: '➕ Пополнить' });
  press(env, u, '➕ Пополнить');
  await waitFor(env, u, { textIncludes: 'Пополнение сейчас недоступно' });
  env.sim.sendText({ userId: u.id, text: '/deposit' });
  await waitFor(env, u, { textIncludes: 'Пополнение сейчас недоступно' });
  expect(env.sim.apiCalls({ method: 'sendInvoice' })).toEqual([]);
});
