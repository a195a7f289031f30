/**
 * The morning digest of watched markets (issue 11) through the notifications pipeline and the local
 * Bot API: a watcher gets one message a day with the price and 24 h change of each watched open
 * market; a rerun the same day sends nothing; switched off in /settings ('digests'), it is not sent.
 */
import { bullPrefix } from '../../jobs/queues';
import { Notifier } from '../../workers/notifications/producer';
import { sendWatchDigests } from '../../workers/watch-digest';
import { buttons, market, press, REDIS_URL, startEnv, startedUser, waitFor, type Env } from './harness';

let env: Env;
let notifier: Notifier;
beforeAll(async () => {
  env = await startEnv('wdigest');
  notifier = new Notifier(REDIS_URL, bullPrefix(env.prefix));
});
afterAll(async () => {
  await notifier.close();
  await env.close();
});

test('a watcher gets the morning digest once a day, with a button to the watchlist; "digests" off stops it', async () => {
  const watched = await market(env, 'Will the metro open a new line?');
  const closed = await market(env, 'Will the old bridge reopen?');
  await market(env, 'Nobody watches this one?');
  const u = await startedUser(env, 'Early');
  for (const id of [watched, closed]) {
    env.sim.sendText({ userId: u.id, text: `/start m${id}` });
    const card = await waitFor(env, u, { hasPhoto: true, buttonText: '⭐ В избранное' });
    press(env, u, '⭐ В избранное', card.messageId);
    await waitFor(env, u, { messageId: card.messageId, buttonText: '★ В избранном' });
  }
  await env.ds.query(`UPDATE markets SET status = 'closed', closed_at = now() WHERE id = $1`, [closed]);
  const nobody = await startedUser(env, 'Nobody');

  const morning = new Date('2026-12-03T06:00:00Z'); // 09:00 Moscow
  expect(await sendWatchDigests({ ds: env.ds, notifier }, morning)).toBe(1);
  const digest = await waitFor(env, u, { textIncludes: 'Избранное: утренняя сводка' });
  expect(digest.text).toContain('1. Will the metro open a new line? — ДА');
  expect(digest.text).not.toContain('Will the old bridge reopen?');
  expect(buttons(digest)).toEqual(['⭐ Открыть избранное']);
  expect(env.sim.messages(nobody.id).filter((msg) => msg.text?.includes('утренняя сводка'))).toEqual([]);

  // The same morning again (a rerun of the job): nothing new.
  expect(await sendWatchDigests({ ds: env.ds, notifier }, new Date('2026-12-03T07:30:00Z'))).toBe(0);

  press(env, u, '⭐ Открыть избранное', digest.messageId);
  await waitFor(env, u, { messageId: digest.messageId, textIncludes: 'Избранное' });

  // Digests switched off (/settings → notifications by type): the next morning's is dropped.
  await env.ds.query(`UPDATE users SET notify_off = '{digests}' WHERE telegram_id = $1`, [u.id]);
  const before = env.sim.messages(u.id).length;
  expect(await sendWatchDigests({ ds: env.ds, notifier }, new Date('2026-12-04T06:00:00Z'))).toBe(1);
  await new Promise((r) => setTimeout(r, 2_000));
  expect(env.sim.messages(u.id).slice(before).filter((msg) => msg.text?.includes('утренняя сводка'))).toEqual([]);
  expect(env.errors).toEqual([]);
});
