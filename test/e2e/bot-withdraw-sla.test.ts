/** issue 9: a withdrawal pending longer than WITHDRAW_SLA reminds the admins and apologizes to the user, once. */
import { accountOf, fund, press, startEnv, startedUser, waitFor, type Env } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('wdsla', { env: { WITHDRAW_SLA: '2s' } });
  env.sim.sendText({ userId: env.admin.id, text: '/start' });
  await waitFor(env, env.admin, { hasKeyboard: true });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

test('issue 9: an overdue request is flagged once to the user (with an apology) and to the admins', async () => {
  const u = await startedUser(env, 'Waiting');
  const userId = await accountOf(env, u);
  await fund(env, u, 1_000);
  env.sim.sendText({ userId: u.id, text: '/withdraw' });
  await waitFor(env, u, { textIncludes: 'Вывод средств' });
  press(env, u, '500\u00a0₽');
  await waitFor(env, u, { textIncludes: 'Куда перевести' });
  press(env, u, '📱 СБП (по телефону)');
  await waitFor(env, u, { textIncludes: 'номер телефона' });
  env.sim.sendText({ userId: u.id, text: '+79001234567' });
  await waitFor(env, u, { textIncludes: 'название банка' });
  env.sim.sendText({ userId: u.id, text: 'Sber' });
  await waitFor(env, u, { textIncludes: 'Проверьте вывод' });
  press(env, u, '✅ Подтвердить вывод');
  await waitFor(env, u, { textIncludes: 'Заявка создана' });
  const [w] = await env.ds.query(`SELECT id FROM withdrawals WHERE user_id = $1`, [userId]);
  const id = Number(w.id);
  const sorry = await waitFor(env, u, { textIncludes: `Извините — вывод №${id}` });
  expect(sorry.text).toContain('500,00\u00a0₽');
  await waitFor(env, env.admin, { textIncludes: `⏰ Вывод №${id} на 500,00\u00a0₽ ждёт дольше` });
  const [r] = await env.ds.query(`SELECT sla_flagged_at, status FROM withdrawals WHERE id = $1`, [id]);
  expect(r.sla_flagged_at).not.toBeNull();
  expect(r.status).toBe('pending');
  // Later ticks send nothing more.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(env.sim.messages(u.id).filter((m) => m.fromBot && m.text?.includes('Извините')).length).toBe(1);
  expect(env.sim.messages(env.admin.id).filter((m) => m.fromBot && m.text?.includes(`⏰ Вывод №${id}`)).length).toBe(1);
});
