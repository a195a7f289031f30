/** Issue 12 end to end: achievements on a first trade, /profile, and /league after a simulated season's end. */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { runAudit } from '../../domain/read/audit';
import { seasonOf } from '../../domain/services/league-rules';
import { proposeResolution } from '../../domain/services/resolution';
import { settleMarket } from '../../domain/services/settlement';
import { balancesOf } from '../../domain/services/users';
import { buttons, fund, market, restingOrder, startedUser, waitFor, WAIT_MS, startEnv, type Env } from './harness';

let env: Env;
let now = new Date();
beforeAll(async () => {
  env = await startEnv('league', { clock: () => now, env: { LEAGUE_PRIZES: '1:50000' } });
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

test('first trade → achievement; /profile; season end → results told, prize paid once, /league shows last season', async () => {
  const ann = await startedUser(env, 'Ann');
  const bob = await startedUser(env, 'Bob');
  const annId = await fund(env, ann, 1_000);
  const bobId = await fund(env, bob, 1_000);
  const mk = await market(env, 'Will the league work?');
  await restingOrder(env, { marketId: mk, userId: bobId, intent: 'BUY_NO', price: 50, qty: 100 });
  const r = await env.queues.submit({
    type: 'place', idempotencyKey: `ann-${randomBytes(3).toString('hex')}`, kind: 'limit', tif: 'IOC', marketId: mk, userId: annId, intent: 'BUY_YES', price: 50, qty: 100,
  }, WAIT_MS);
  expect(r).toMatchObject({ ok: true, outcome: { filled: 100 } });
  await waitFor(env, ann, { textIncludes: 'Новое достижение: Первая сделка' });
  await waitFor(env, bob, { textIncludes: 'Первая сделка' });

  env.sim.sendText({ userId: ann.id, text: '/profile' });
  const profile = await waitFor(env, ann, { textIncludes: 'Серия' });
  expect(profile.text).toContain('🔥 Серия: 1 день подряд со сделкой');
  expect(profile.text).toContain('🏅 Лучшая серия: 1 день');
  expect(profile.text).toContain('Достижения (1 из 6)');
  expect(profile.text).toContain('▫️ Неделя подряд — сделки 7 дней подряд (по Москве)');

  env.sim.sendText({ userId: ann.id, text: '/league' });
  const table = await waitFor(env, ann, { textIncludes: 'Лига, сезон' });
  const season = seasonOf(now);
  expect(table.text).toContain(`Лига, сезон ${season}`);
  expect(table.text).toContain('Бронза, группа 1 · 2 участника');
  expect(table.text).toContain('Ваше место: 1 из 2.');

  // The market settles YES within the season: Ann +50 ₽ realized, Bob −50 ₽.
  await env.queues.submit({ type: 'close', idempotencyKey: `close-${mk}-t`, marketId: mk }, WAIT_MS);
  expect((await proposeResolution(env.ds, { marketId: mk, adminUserId: annId, outcome: 'YES', early: false }, { quorum: 1, disputeWindowMs: 0 })).ok).toBe(true);
  await settleMarket(env.ds, mk);
  const before = (await balancesOf(env.ds.manager, annId)).available;

  // Share cards: Ann's win answers `share_<id>` with a rendered photo (uploaded once to her chat); Bob lost: nothing.
  const q = env.sim.inlineQuery({ userId: ann.id, query: `share_${mk}` });
  const answer = await env.sim.waitForInlineAnswer(q.inlineQueryId, WAIT_MS);
  expect(answer.results).toHaveLength(1);
  const photo = answer.results[0] as { type: string; photo_file_id?: string; caption?: string };
  expect(photo.type).toBe('photo');
  expect(photo.photo_file_id).toBeTruthy();
  expect(photo.caption).toContain('Ann угадал(а) исход «Will the league work?»: +99%');
  expect(env.sim.messages(ann.id).some((m) => (m.caption ?? '').includes('Ваша карточка победы'))).toBe(true);
  const again = await env.sim.waitForInlineAnswer(env.sim.inlineQuery({ userId: ann.id, query: `share_${mk}` }).inlineQueryId, WAIT_MS);
  expect((again.results[0] as { photo_file_id?: string }).photo_file_id).toBe(photo.photo_file_id);
  const bobs = await env.sim.waitForInlineAnswer(env.sim.inlineQuery({ userId: bob.id, query: `share_${mk}` }).inlineQueryId, WAIT_MS);
  expect(bobs.results).toEqual([]);

  // The season ends: the clock moves to 00:05 MSK on the 1st of next month; the maintenance tick closes it.
  now = DateTime.fromJSDate(now, { zone: 'Europe/Moscow' }).plus({ months: 1 }).startOf('month').plus({ minutes: 5 }).toJSDate();
  await waitFor(env, ann, { textIncludes: `Сезон ${season} завершён` });
  const annResult = env.sim.messages(ann.id).find((m) => (m.text ?? '').includes(`Сезон ${season} завершён`))!;
  expect(annResult.text).toContain('Ваше место: 1 из 2 в лиге «Бронза»');
  expect(annResult.text).toContain('Повышение: следующий сезон вы играете в лиге «Серебро»');
  expect(annResult.text).toContain('Приз сезона: 500,00\u00a0₽');
  const bobResult = await waitFor(env, bob, { textIncludes: `Сезон ${season} завершён` });
  expect(bobResult.text).toContain('Ваше место: 2 из 2');
  expect(bobResult.text).not.toContain('Приз');
  // Several more ticks pass: nothing is paid twice.
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  expect((await balancesOf(env.ds.manager, annId)).available).toBe(before + 50_000);

  env.sim.sendText({ userId: ann.id, text: '/league' });
  const next = await waitFor(env, ann, { textIncludes: 'Прошлый сезон' });
  expect(next.text).toContain('Прошлый сезон: 1-е место из 2 в лиге «Бронза» — повышение.');
  expect(next.text).toContain('Вы ещё не играете в этом сезоне');
  expect(buttons(next)).toContain('📤 Поделиться сезоном');
  // The season's share card: a rendered picture of the result, posted through inline mode.
  const seasonCard = await env.sim.waitForInlineAnswer(env.sim.inlineQuery({ userId: ann.id, query: `league_${season}` }).inlineQueryId, WAIT_MS);
  expect(seasonCard.results).toHaveLength(1);
  expect(seasonCard.results[0]).toMatchObject({ type: 'photo', caption: `🏟 Ann: 1-е место из 2 в лиге «Бронза», сезон ${season}` });
  expect(buttons(annResult)).toEqual(['📤 Поделиться сезоном']);
  env.sim.sendText({ userId: ann.id, text: '/profile' });
  const later = await waitFor(env, ann, { textIncludes: 'Лучшая серия' });
  expect(later.text).toContain('🏅 Лучшая серия: 1 день');
  const audit = await runAudit(env.ds.manager);
  expect(Object.entries(audit.invariants).filter(([, v]) => !v.ok)).toEqual([]);
}, 90_000);
