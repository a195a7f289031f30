/** The words of leagues (issue 12): division names and the season-end notice to every member. */
import type { EntityManager } from 'typeorm';
import { reachableUsers } from '../domain/read/recipients';
import type { Division } from '../domain/services/league-rules';
import type { SeasonResult } from '../domain/services/leagues';
import { t } from '../infra/i18n';
import type { NotificationJob } from './outgoing';
import { leagueShareQuery } from './links';

/** Locale key of a division's name. */
export const divisionKey = (d: Division) => `league.division_${d}`;

/** "You finished 3rd of 31 in Silver: promoted to Gold (+ prize)" for each member, keyed by season and user. */
export async function seasonResultMessages(m: EntityManager, results: readonly SeasonResult[]): Promise<NotificationJob[]> {
  const users = await reachableUsers(m, results.map((r) => r.userId));
  const jobs: NotificationJob[] = [];
  for (const r of results) {
    const u = users.get(r.userId);
    if (!u) continue;
    const lang = u.language;
    const lines = [
      t(lang, 'league.result', { season: r.season, place: r.place, size: r.size, division: t(lang, divisionKey(r.division)), score: r.scoreKop }),
      t(lang, `league.moved_${r.movement}`, { division: t(lang, divisionKey(r.nextDivision)) }),
    ];
    if (r.prizeKop > 0) lines.push(t(lang, 'league.prize', { amount: r.prizeKop }));
    const text = lines.join('\n');
    const replyMarkup = { inline_keyboard: [[{ text: t(lang, 'share.league_button'), switch_inline_query: leagueShareQuery(r.season) }]] };
    jobs.push({ chatId: u.chatId, userId: u.id, kind: 'send', text, parseMode: 'HTML', replyMarkup, dedupeKey: `league-${r.season}-${r.userId}` });
  }
  return jobs;
}
