/**
 * /profile (issue 12): the forecasting streak (current and best, Moscow days with a fill) and the
 * achievements, held and still to get, with their rules.
 */
import { Composer } from 'telegraf';
import { achievementsOf, streaksAt } from '../../domain/read/profile';
import { ACHIEVEMENTS } from '../../domain/services/achievement-rules';
import type { Award } from '../../domain/services/achievements';
import { formatDay } from '../../infra/format';
import { achievementMessages, achievementName, achievementRule } from '../../messages/achievements';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';
import { htmlExtra, show } from '../ui';
import { homeRow } from '../views/menu';

async function showProfile(rt: BotRuntime, ctx: BotContext, now: Date): Promise<void> {
  const streaks = await streaksAt(rt.ds.manager, ctx.user.id, now);
  const held = await achievementsOf(rt.ds.manager, ctx.user.id);
  const lines = [
    ctx.t('profile.title', { name: ctx.user.firstName }),
    '',
    ctx.t('profile.streak', { count: streaks.current }),
    ctx.t('profile.best_streak', { count: streaks.best }),
    '',
    ctx.t('profile.achievements', { held: held.size, total: ACHIEVEMENTS.length }),
    ...ACHIEVEMENTS.map((code) => {
      const at = held.get(code);
      const vars = { achievement: ctx.tp(achievementName(code)), rule: ctx.tp(achievementRule(code)) };
      return at ? ctx.t('profile.achievement_held', { ...vars, date: formatDay(at, ctx.lang) }) : ctx.t('profile.achievement_todo', vars);
    }),
  ];
  await show(ctx, lines.join('\n'), [homeRow(ctx)]);
}

/**
 * Announces awards made by a bot-side hook (a group market, a deposit that completed a referral):
 * in the group it happened in (as a reply there) or the user's private chat. Never fails the action.
 */
export async function announceAchievements(rt: BotRuntime, ctx: BotContext, awards: readonly Award[]): Promise<void> {
  try {
    for (const job of await achievementMessages(rt.ds.manager, awards)) await ctx.telegram.sendMessage(job.chatId, job.text!, htmlExtra());
  } catch (err) {
    rt.logger.error({ err }, 'could not announce achievements');
  }
}

/** /profile in the private chat. */
export function profileFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('profile', (ctx) => showProfile(rt, ctx, rt.clock?.() ?? new Date()));
  return c;
}
