import type { MiddlewareFn } from 'telegraf';
import { setBlocked } from '../../domain/services/preferences';
import { upsertUser } from '../../domain/services/users';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';

/**
 * Finds or creates the sender's account and sets `ctx.user` and `ctx.lang` (their stored language;
 * a new user's comes from Telegram's `language_code`, ru by default).
 *
 * Only updates from people in private chats, and their pre-checkout queries, go further: group
 * and inline updates are handled before this by features/shared.ts, and an update without a
 * sender (channel posts) has no one to answer.
 *
 * A message or a button press in the private chat means the user no longer blocks the bot (a
 * Telegram client unblocks a bot when the user writes to it), so a stored `blocked_at` is cleared
 * and notifications flow again; `my_chat_member` updates are left to features/reachability.ts.
 */
export function loadUser(rt: BotRuntime): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    if (!from || from.is_bot) return;
    if (ctx.chat && ctx.chat.type !== 'private') return;
    const { user, created } = await upsertUser(rt.ds, from);
    if (user.blockedAt && (ctx.message || ctx.callbackQuery)) {
      await setBlocked(rt.ds.manager, user.id, false);
      user.blockedAt = null;
    }
    ctx.user = user;
    ctx.account = user;
    ctx.isNewUser = created;
    ctx.lang = user.language;
    await next();
  };
}
