/**
 * Updates from outside the bot's private chats: inline queries and chosen inline results, button
 * presses on inline messages, and everything from groups. They are handled here, ahead of the
 * private chain (account upsert, session, scenes, private features), and never reach it: a group
 * member or an inline user who never started the bot gets no account, and private screens
 * (portfolio, balance, deposits) cannot be opened in a group.
 */
import { Composer, type MiddlewareFn } from 'telegraf';
import { findUserByTelegramId, languageFromTelegram } from '../../domain/services/users';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';
import { notice } from '../ui';
import { groupDisputeFeature } from './group-dispute';
import { groupResolveFeature } from './group-resolve';
import { groupFeature } from './group';
import { inlineFeature } from './inline';
import { quickBetFeature } from './bet/quick-bet';
import { topFeature } from './top';

/** Is this update for the shared-chat features (see module comment)? */
function isShared(ctx: BotContext): boolean {
  if (ctx.chat) return ctx.chat.type !== 'private';
  // No chat: inline mode, or a button on an inline message (its callback query has no message).
  return Boolean(ctx.inlineQuery || ctx.chosenInlineResult || ctx.callbackQuery);
}

/** The sender's account if they have one (none is created here), and their language. */
function loadMember(rt: BotRuntime): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    if (!from || from.is_bot) return;
    ctx.account = await findUserByTelegramId(rt.ds.manager, from.id);
    ctx.lang = ctx.account?.language ?? languageFromTelegram(from.language_code);
    await next();
  };
}

/** Routes shared-chat updates to their features; private ones pass on untouched. */
export function sharedChatsFeature(rt: BotRuntime): MiddlewareFn<BotContext> {
  const shared = new Composer<BotContext>();
  shared.use(loadMember(rt));
  shared.use(inlineFeature(rt), quickBetFeature(rt), groupFeature(rt), groupResolveFeature(rt), groupDisputeFeature(rt), topFeature(rt));
  // What none of them took: a stale button is told so; other group chatter is not the bot's to
  // answer. Either way the update ends here (it must not reach the private chain's account upsert).
  shared.on('callback_query', (ctx) => notice(ctx, ctx.tp('errors.button_outdated')));
  shared.use(() => Promise.resolve());
  return Composer.branch(isShared, shared, Composer.passThru());
}
