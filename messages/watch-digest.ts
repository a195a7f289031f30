/**
 * The morning digest of a user's watched markets (issue 11: "digests of watched markets", one of
 * the notification types a user can switch off or silence in /settings): each open watched market
 * with its YES price and 24 h change, and a button to the /watchlist screen. Topic 'digests'; the
 * dedupe key names the Moscow day, so a rerun of the job sends nothing twice.
 */
import type { EntityManager } from 'typeorm';
import { reachableUsers } from '../domain/read/recipients';
import { watchedMarkets } from '../domain/read/watchlist';
import { t } from '../infra/i18n';
import { cb } from './callback-data';
import { fitPlain, TELEGRAM_LIMITS } from './fit';
import { signedPoints } from './labels';
import type { NotificationJob } from './outgoing';

/** One message per user in `userIds` who can be reached and still watches an open market; `day` is the Moscow date (yyyy-mm-dd). */
export async function watchDigestMessages(m: EntityManager, userIds: readonly number[], day: string): Promise<NotificationJob[]> {
  const users = await reachableUsers(m, userIds);
  const jobs: NotificationJob[] = [];
  for (const u of users.values()) {
    const open = (await watchedMarkets(m, u.id)).filter((w) => w.status === 'open');
    if (open.length === 0) continue;
    const lines = [t(u.language, 'watch_digest.title'), '', ...open.map((w, i) =>
      t(u.language, 'watchlist.item', { n: i + 1, title: w.title, yes: w.yesPrice, change: signedPoints(w.change24h) }))];
    jobs.push({
      chatId: u.chatId, userId: u.id, kind: 'send', text: fitPlain(lines.join('\n'), TELEGRAM_LIMITS.message), topic: 'digests',
      dedupeKey: `watch-digest-${u.id}-${day}`,
      replyMarkup: { inline_keyboard: [[{ text: t(u.language, 'watch_digest.open'), callback_data: cb.watchlist.encode({}) }]] },
    });
  }
  return jobs;
}
