/**
 * The words of referrals (issue 12): the invitation card posted through inline mode, and the
 * notices of a reward to both sides.
 */
import type { EntityManager } from 'typeorm';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import { reachableUsers } from '../domain/read/recipients';
import { firstNamesOf } from '../domain/read/referrals';
import type { ReferralReward } from '../domain/services/referrals';
import type { Language } from '../infra/language';
import { t } from '../infra/i18n';
import { refPayload, startLink } from './links';
import type { NotificationJob } from './outgoing';

/** The invitation card: its HTML text and its "join" button (the inviter's deep link). */
export function invitationCard(lang: Language, botUsername: string, code: string, inviterName: string, rewardKop: number): { text: string; markup: InlineKeyboardMarkup } {
  const text = rewardKop > 0
    ? t(lang, 'invite.card_reward', { name: inviterName, reward: rewardKop })
    : t(lang, 'invite.card', { name: inviterName });
  return { text, markup: { inline_keyboard: [[{ text: t(lang, 'invite.card_button'), url: startLink(botUsername, refPayload(code)) }]] } };
}

/**
 * Notices of rewards just paid: the invitee is told what they got, the inviter who joined and what
 * they got (or that the monthly cap was reached). Keyed by the invitee, so a second notify is ignored.
 */
export async function referralRewardMessages(m: EntityManager, rewards: readonly ReferralReward[]): Promise<NotificationJob[]> {
  if (rewards.length === 0) return [];
  const users = await reachableUsers(m, rewards.flatMap((r) => [r.inviteeId, r.inviterId]));
  const nameOf = await firstNamesOf(m, rewards.map((r) => r.inviteeId));
  const jobs: NotificationJob[] = [];
  for (const r of rewards) {
    const invitee = users.get(r.inviteeId);
    if (invitee && r.inviteeKop > 0) {
      const text = t(invitee.language, 'invite.rewarded_invitee', { amount: r.inviteeKop });
      jobs.push({ chatId: invitee.chatId, userId: invitee.id, kind: 'send', text, parseMode: 'HTML', dedupeKey: `referral-${r.inviteeId}-invitee` });
    }
    const inviter = users.get(r.inviterId);
    if (inviter) {
      const name = nameOf.get(r.inviteeId) ?? '';
      const text = r.inviterKop > 0
        ? t(inviter.language, 'invite.rewarded_inviter', { name, amount: r.inviterKop })
        : t(inviter.language, 'invite.rewarded_inviter_capped', { name });
      jobs.push({ chatId: inviter.chatId, userId: inviter.id, kind: 'send', text, parseMode: 'HTML', dedupeKey: `referral-${r.inviteeId}-inviter` });
    }
  }
  return jobs;
}
