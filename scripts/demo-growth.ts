/**
 * The demo's growth part (issue 12, called by scripts/demo.ts): the inviter's /invite link, a new
 * user's first /start with it, their deposit and first trade (a market buy against the house maker
 * of `marketId`), both rewarded from house:promo; then the inviter's /league table.
 */
import type { SimClient } from '../tools/botapi/client';
import { formatKop } from '../infra/format';
import { labelPrefix, template, type ChatDriver, type Person } from './demo-chat';

/** Locale text up to its first variable, without HTML tags: what a message visibly starts with. */
function visible(lang: 'ru' | 'en', key: string): string {
  return template(lang, key).replace(/<[^>]+>/g, '').split(/\{\{|\$t\(|\n/)[0]!.trim();
}

/**
 * Plays it. @returns the invitee.
 * @throws when a step does not happen (the demo then fails): no link, no reward notice.
 */
export async function playGrowthDemo(chat: ChatDriver, sim: SimClient, inviter: Person, marketId: number): Promise<Person> {
  const a = inviter.lang;
  await chat.say(inviter, '/invite');
  const screen = await chat.expect(inviter, { textIncludes: visible(a, 'invite.title') });
  const link = /https:\/\/t\.me\/\w+\?start=(ref_[a-z0-9]+)/.exec(screen.text ?? '');
  if (!link) throw new Error('no invitation link in /invite');

  const u = await sim.createUser({ first_name: 'Пётр', username: 'petr', language_code: 'ru' });
  const petr: Person = { id: u.id, name: 'Пётр (invited)', slug: 'petr', lang: 'ru' };
  await chat.say(petr, `/start ${link[1]}`);
  await chat.expect(petr, { textIncludes: visible('ru', 'invite.welcome_reward') });

  await chat.say(petr, '/deposit');
  await chat.expect(petr, { buttonText: template('ru', 'responsible.terms_accept') });
  await chat.tap(petr, { exact: template('ru', 'responsible.terms_accept') });
  await chat.expect(petr, { buttonText: template('ru', 'order.cancel') });
  await chat.say(petr, '500');
  await chat.expect(petr, { hasInvoice: true });
  await chat.pay(petr);
  await chat.expect(petr, { textIncludes: labelPrefix('ru', 'deposit.credited').slice(2).trim() });

  await chat.say(petr, `/start m${marketId}`);
  const card = await chat.expect(petr, { hasPhoto: true });
  await chat.tap(petr, { prefix: labelPrefix('ru', 'card.buy_yes') }, card.messageId);
  const ask = await chat.expect(petr, { hasKeyboard: true });
  await chat.tap(petr, { exact: formatKop(10_000, 'ru', { compact: true }) }, ask.messageId);
  await chat.expect(petr, { messageId: ask.messageId, textIncludes: visible('ru', 'order.size_amount') });
  await chat.tap(petr, { prefix: labelPrefix('ru', 'order.market_buy_button') }, ask.messageId);
  await chat.expect(petr, { messageId: ask.messageId, textIncludes: visible('ru', 'order.preview_title') });
  await chat.tap(petr, { exact: template('ru', 'order.confirm') }, ask.messageId);
  await chat.expect(petr, { messageId: ask.messageId, textIncludes: visible('ru', 'result.bought') });

  // Both are rewarded after the fill (workers/matching.ts → domain/services/referrals.ts).
  await chat.expect(petr, { textIncludes: visible('ru', 'invite.rewarded_invitee') }, 0);
  await chat.expect(inviter, { textIncludes: `${petr.name.split(' ')[0]}` }, 0);

  await chat.say(inviter, '/league');
  await chat.expect(inviter, { textIncludes: visible(a, 'league.title_other').slice(0, 6) });
  await chat.say(petr, '/profile');
  await chat.expect(petr, { textIncludes: visible('ru', 'profile.best_streak_one').slice(0, 8) });
  return petr;
}
