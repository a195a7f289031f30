/**
 * issue 9: responsible use end to end — the terms before the first deposit (the accepted version
 * stored; a new version asks again), deposit limits (lowered at once, raised only after 24 h) that
 * refuse an invoice above them, and self-exclusion that blocks deposits and cannot be undone early.
 */
import { TERMS_VERSION } from '../../domain/services/responsible-use';
import { accountOf, buttons, press, startEnv, startedUser, waitFor, type Env } from './harness';
import type { SimUser } from '../../tools/botapi/sim-types';

let env: Env;
beforeAll(async () => {
  env = await startEnv('responsible');
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

async function invoices(userId: number): Promise<number> {
  const [r] = await env.ds.query(`SELECT count(*) n FROM invoices WHERE user_id = $1`, [userId]);
  return Number(r.n);
}

async function openResponsible(u: SimUser): Promise<void> {
  env.sim.sendText({ userId: u.id, text: '/settings' });
  await waitFor(env, u, { buttonText: '🛡 Ответственная игра' });
  press(env, u, '🛡 Ответственная игра');
  await waitFor(env, u, { textIncludes: 'Лимит пополнений в день' });
}

test('issue 9: the first deposit asks to accept the terms; the version is stored; a new version asks again', async () => {
  const u = await startedUser(env, 'Newcomer');
  const userId = await accountOf(env, u);
  env.sim.sendText({ userId: u.id, text: '/deposit' });
  const terms = await waitFor(env, u, { textIncludes: 'Перед первым пополнением' });
  expect(terms.text).toContain('18 лет');
  expect(terms.text).toContain('потерять');
  expect(buttons(terms)).toEqual(['✅ Принимаю (18+)', '✖ Отмена']);
  press(env, u, '✅ Принимаю (18+)');
  await waitFor(env, u, { textIncludes: 'Выберите сумму' });
  const [row] = await env.ds.query(`SELECT terms_version FROM user_limits WHERE user_id = $1`, [userId]);
  expect(row.terms_version).toBe(TERMS_VERSION);
  env.sim.sendText({ userId: u.id, text: '/cancel' });
  // Accepted: the next deposit goes straight to the amount.
  env.sim.sendText({ userId: u.id, text: '/deposit' });
  await waitFor(env, u, { textIncludes: 'Выберите сумму' });
  // An older accepted version (the text changed since) asks again.
  await env.ds.query(`UPDATE user_limits SET terms_version = $2 WHERE user_id = $1`, [userId, TERMS_VERSION - 1]);
  env.sim.sendText({ userId: u.id, text: '/deposit' });
  await waitFor(env, u, { textIncludes: 'Перед первым пополнением' });
});

test('issue 9: a day limit refuses an invoice above it; a lower limit applies at once, a higher one after 24 h', async () => {
  const u = await startedUser(env, 'Careful');
  const userId = await accountOf(env, u);
  await openResponsible(u);
  press(env, u, '✏️ Лимит в день');
  await waitFor(env, u, { textIncludes: 'Введите лимит' });
  env.sim.sendText({ userId: u.id, text: '300' });
  const saved = await waitFor(env, u, { textIncludes: 'Лимит сохранён' });
  expect(saved.text).toContain('Лимит пополнений в день: 300,00\u00a0₽');

  env.sim.sendText({ userId: u.id, text: '/deposit' });
  await waitFor(env, u, { textIncludes: 'Перед первым пополнением' });
  press(env, u, '✅ Принимаю (18+)');
  await waitFor(env, u, { textIncludes: 'Выберите сумму' });
  env.sim.sendText({ userId: u.id, text: '300,01' });
  await waitFor(env, u, { text: 'Это больше вашего дневного лимита пополнений 300,00\u00a0₽: сегодня можно пополнить ещё не больше чем на 300,00\u00a0₽.' });
  expect(await invoices(userId)).toBe(0);
  env.sim.sendText({ userId: u.id, text: '300' });
  await waitFor(env, u, { hasInvoice: true });
  expect(await invoices(userId)).toBe(1);

  // Raising waits 24 h; the 300 ₽ limit still holds meanwhile.
  await openResponsible(u);
  press(env, u, '✏️ Лимит в день');
  await waitFor(env, u, { textIncludes: 'Введите лимит' });
  env.sim.sendText({ userId: u.id, text: '1000' });
  const later = await waitFor(env, u, { textIncludes: 'только через 24 часа' });
  expect(later.text).toContain('Лимит пополнений в день: 300,00\u00a0₽');
  expect(later.text).toContain('→ 1\u202f000,00\u00a0₽ с ');
  press(env, u, 'Без лимита в день');
  await waitFor(env, u, { textIncludes: '→ нет с ' });
  env.sim.sendText({ userId: u.id, text: '/deposit' });
  await waitFor(env, u, { textIncludes: 'Выберите сумму' });
  env.sim.sendText({ userId: u.id, text: '500' });
  await waitFor(env, u, { textIncludes: 'дневного лимита пополнений 300,00' });
  expect(await invoices(userId)).toBe(1);
});

test('issue 9: self-exclusion blocks a deposit, and a shorter period cannot end it early', async () => {
  const u = await startedUser(env, 'Pause');
  const userId = await accountOf(env, u);
  await openResponsible(u);
  press(env, u, '⛔ 7 дней');
  const confirm = await waitFor(env, u, { textIncludes: 'Отменить досрочно нельзя' });
  expect(buttons(confirm)).toEqual(['Да, исключить меня', '◀ К настройкам']);
  press(env, u, 'Да, исключить меня');
  await waitFor(env, u, { textIncludes: 'Самоисключение до' });
  const [before] = await env.ds.query(`SELECT excluded_until FROM user_limits WHERE user_id = $1`, [userId]);
  expect((before.excluded_until as Date).getTime()).toBeGreaterThan(Date.now() + 6.9 * 24 * 3_600_000);

  env.sim.sendText({ userId: u.id, text: '/deposit' });
  const refused = await waitFor(env, u, { textIncludes: 'Вы исключили себя до' });
  expect(refused.text).toContain('без пополнений и новых ставок');
  expect(await invoices(userId)).toBe(0);

  // Picking 24 h now keeps the 7-day end.
  await openResponsible(u);
  press(env, u, '⛔ 24 ч');
  await waitFor(env, u, { textIncludes: 'Отменить досрочно нельзя' });
  press(env, u, 'Да, исключить меня');
  await waitFor(env, u, { textIncludes: 'Самоисключение до' });
  const [after] = await env.ds.query(`SELECT excluded_until FROM user_limits WHERE user_id = $1`, [userId]);
  expect((after.excluded_until as Date).getTime()).toBe((before.excluded_until as Date).getTime());
});
