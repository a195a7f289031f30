import type { MiddlewareFn } from 'telegraf';
import { upsertUser } from '../../domain/services/users';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';

/**
 * Finds or creates the sender's account and sets `ctx.user` and `ctx.lang` (their stored language;
 * a new user's comes from Telegram's `language_code`, ru by default).
 *
 * Only updates from people in private chats, and their pre-checkout queries, go further: group
 * and channel features are not part of this bot layer, and an update without a sender (channel
 * posts) has no one to answer.
 */
export function loadUser(rt: BotRuntime): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    if (!from || from.is_bot) return;
    if (ctx.chat && ctx.chat.type !== 'private') return;
    const { user } = await upsertUser(rt.ds, from);
    ctx.user = user;
    ctx.lang = user.language;
    await next();
  };
}
