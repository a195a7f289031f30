/**
 * /invite (issue 12): the user's personal deep link, a Share button that posts the invitation card
 * into any chat through inline mode (features/inline.ts answers the `invite` query), and who joined.
 */
import { Composer } from 'telegraf';
import type { InlineKeyboardButton } from 'telegraf/types';
import { inviteSummary } from '../../domain/read/referrals';
import { referralCodeOf, rewardReferrals } from '../../domain/services/referrals';
import { referralPolicyOf } from '../../domain/services/referral-rules';
import { referralRewardMessages } from '../../messages/referrals';
import { INVITE_INLINE_QUERY, refPayload, startLink } from '../../messages/links';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';
import { htmlExtra, show } from '../ui';
import { awardAchievements } from '../../domain/services/achievements';
import { announceAchievements } from './profile';
import { homeRow } from '../views/menu';

/** The /invite screen of the current user. */
async function showInvite(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const code = await referralCodeOf(rt.ds.manager, ctx.user.id);
  const summary = await inviteSummary(rt.ds.manager, ctx.user.id);
  const reward = rt.config.referral.rewardKop;
  const lines = [
    ctx.t('invite.title'),
    '',
    ctx.t(reward > 0 ? 'invite.how_reward' : 'invite.how', { reward }),
    '',
    ctx.t('invite.link', { link: startLink(ctx.botInfo.username, refPayload(code)) }),
    '',
  ];
  if (summary.joined === 0) {
    lines.push(ctx.t('invite.nobody_yet'));
  } else {
    lines.push(ctx.t('invite.joined', { count: summary.joined, rewarded: summary.rewarded, earned: summary.earnedKop }));
    lines.push(...summary.latest.map((i) => ctx.t(i.rewarded ? 'invite.invitee_rewarded' : 'invite.invitee_waiting', { name: i.firstName })));
    if (summary.joined > summary.latest.length) lines.push('\u2026');
  }
  const share: InlineKeyboardButton = { text: ctx.tp('invite.share_button'), switch_inline_query: INVITE_INLINE_QUERY };
  await show(ctx, lines.join('\n'), [[share], homeRow(ctx)]);
}

/** /invite in the private chat. */
export function inviteFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('invite', (ctx) => showInvite(rt, ctx));
  return c;
}

/**
 * The referral hook after a deposit committed (the fill side runs in workers/matching.ts): pays a
 * due reward once (domain) and tells both sides. Never fails the deposit's own answer.
 */
export async function rewardAfterDeposit(rt: BotRuntime, ctx: BotContext): Promise<void> {
  try {
    const rewards = await rewardReferrals(rt.ds, referralPolicyOf(rt.config.referral), [ctx.user.id]);
    for (const job of await referralRewardMessages(rt.ds.manager, rewards)) {
      await ctx.telegram.sendMessage(job.chatId, job.text!, htmlExtra());
    }
    if (rewards.length > 0) await announceAchievements(rt, ctx, await awardAchievements(rt.ds, rewards.map((r) => r.inviterId), { only: ['first_referral'] }));
  } catch (err) {
    rt.logger.error({ err, userId: ctx.user.id }, 'referral reward after deposit failed');
  }
}
