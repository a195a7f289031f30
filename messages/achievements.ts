/** The words of achievements (issue 12): the announcement of an award, in a private chat or a group. */
import type { EntityManager } from 'typeorm';
import { recipientsOf } from '../domain/read/recipients';
import { firstNamesOf } from '../domain/read/referrals';
import type { Award } from '../domain/services/achievements';
import { t } from '../infra/i18n';
import type { Language } from '../infra/language';
import type { NotificationJob } from './outgoing';

/** Locale key of an achievement's name and of its rule. */
export const achievementName = (code: string) => `achievements.name_${code}`;
export const achievementRule = (code: string) => `achievements.rule_${code}`;

/** The announcement text: "you unlocked …" in the private chat, "<name> unlocked …" in a group. */
export function achievementText(lang: Language, code: string, inGroup: boolean, name: string): string {
  const vars = { achievement: t(lang, achievementName(code)), rule: t(lang, achievementRule(code)), name };
  return t(lang, inGroup ? 'achievements.awarded_group' : 'achievements.awarded', vars);
}

/**
 * Notification jobs announcing `awards` in the chat each happened in, in the winner's language;
 * keyed by user and code (a rerun announces nothing twice). Blocked users get no private notice.
 */
export async function achievementMessages(m: EntityManager, awards: readonly Award[]): Promise<NotificationJob[]> {
  if (awards.length === 0) return [];
  const users = new Map((await recipientsOf(m, { userIds: [...new Set(awards.map((a) => a.userId))] })).map((r) => [r.id, r]));
  const names = await firstNamesOf(m, awards.map((a) => a.userId));
  const jobs: NotificationJob[] = [];
  for (const a of awards) {
    const u = users.get(a.userId);
    if (!u) continue;
    const inGroup = a.chatId !== u.chatId;
    if (!inGroup && u.blocked) continue;
    const text = achievementText(u.language, a.code, inGroup, names.get(a.userId) ?? '');
    jobs.push({
      chatId: a.chatId, kind: 'send', text, parseMode: 'HTML', dedupeKey: `ach-${a.userId}-${a.code}`,
      ...(inGroup ? {} : { userId: u.id }),
    });
  }
  return jobs;
}
