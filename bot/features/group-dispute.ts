/**
 * Disputes of group markets (issue 8, docs/GROUPS.md). `/dispute <market id> <reason>` works in the
 * market's group as in the private chat (fileDispute: holders only, once per proposal, while the
 * outcome is proposed). A dispute of a group market goes to the chat's administrators: the bot
 * asks the Bot API who they are (getChatAdministrators, at the time of the dispute) and posts the
 * dispute into the group, mentioning each one who can decide it (group-resolve.ts: a creator who
 * holds a position is not one of them). The exchange's admins hear it as for every dispute, so
 * a group without another administrator still gets a decision.
 */
import { Composer, TelegramError } from 'telegraf';
import type { Telegram } from 'telegraf';
import type { Language, Market } from '../../domain/entities';
import { fileDispute } from '../../domain/services/disputes';
import { holdingOf, telegramIdOf } from '../../domain/services/group-trust';
import { getMarket } from '../../domain/read/markets';
import { escapeHtml, th } from '../../infra/i18n';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';
import { failureText } from '../ui';
import { OUTCOME_KEY } from '../../messages/labels';
import { parseMarketArgs } from './resolution';

/** Telegram allows mentions of any user by id in HTML: `<a href="tg://user?id=…">`. */
function mention(user: { id: number; first_name: string; username?: string }): string {
  return `<a href="tg://user?id=${user.id}">${escapeHtml(user.username ? `@${user.username}` : user.first_name)}</a>`;
}

/**
 * Posts a dispute of a group market into its group, in `lang`, mentioning the chat's
 * administrators who may decide it (bots and a creator who holds a position left out).
 * `who` is the disputer's display name. Runs after the dispute committed: if Telegram refuses
 * (the bot left the group), the dispute stands and the exchange's admins still have it.
 */
export async function tellChatAdmins(rt: BotRuntime, telegram: Telegram, market: Market, lang: Language, who: string, reason: string): Promise<void> {
  if (market.chatId === null) return;
  try {
    await postToChat(rt, telegram, market, market.chatId, lang, who, reason);
  } catch (err) {
    if (!(err instanceof TelegramError)) throw err;
    rt.logger.warn({ err, marketId: market.id, chatId: market.chatId }, 'dispute not posted to its group');
  }
}

async function postToChat(rt: BotRuntime, telegram: Telegram, market: Market, chatId: number, lang: Language, who: string, reason: string): Promise<void> {
  const creatorTg = await telegramIdOf(rt.ds.manager, market.createdBy);
  const held = market.createdBy === null ? { YES: 0, NO: 0 } : await holdingOf(rt.ds.manager, market.id, market.createdBy);
  const creatorHolds = held.YES + held.NO > 0;
  const admins = (await telegram.getChatAdministrators(chatId))
    .map((a) => a.user).filter((u) => !u.is_bot && !(creatorHolds && u.id === creatorTg));
  const outcome = market.outcome ? th(lang, OUTCOME_KEY[market.outcome], { r: market.yesPayout ?? 0 }) : '';
  const lines = [th(lang, 'gtrust.dispute_posted', { id: market.id, title: market.title, who, reason, outcome })];
  if (creatorHolds) lines.push(th(lang, 'gtrust.creator_holds_note'));
  lines.push(admins.length > 0
    ? th(lang, 'gtrust.deciders', { admins: admins.map(mention).join(', ') })
    : th(lang, 'gtrust.deciders_none'));
  await telegram.sendMessage(chatId, lines.join('\n'), { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
}

/** The sender's display name as the admins see it. */
export function displayName(ctx: BotContext): string {
  return ctx.from?.username ? `@${ctx.from.username}` : (ctx.from?.first_name ?? '');
}

/** `/dispute <market id> <reason>` in a group: files the dispute of one of this group's markets. */
async function dispute(rt: BotRuntime, ctx: BotContext, payload: string): Promise<void> {
  const replyHtml = (html: string) => ctx.reply(html, {
    parse_mode: 'HTML', link_preview_options: { is_disabled: true },
    ...(ctx.message ? { reply_parameters: { message_id: ctx.message.message_id, allow_sending_without_reply: true } } : {}),
  });
  if (!ctx.account || ctx.account.blockedAt) {
    await replyHtml(ctx.t('group.start_first', { bot: ctx.botInfo.username }));
    return;
  }
  const args = parseMarketArgs(payload);
  if (!args || !args.rest) {
    await replyHtml(ctx.t('resolution.usage_dispute'));
    return;
  }
  const market = await getMarket(rt.ds.manager, args.marketId);
  if (!market || market.chatId !== ctx.chat?.id) {
    await replyHtml(ctx.t('gtrust.dispute_other_chat', { bot: ctx.botInfo.username }));
    return;
  }
  const r = await fileDispute(rt.ds, { marketId: market.id, userId: ctx.account.id, reason: args.rest });
  if (!r.ok) {
    await replyHtml(failureText(ctx, r));
    return;
  }
  await rt.queues.announceResolution({ kind: 'dispute', marketId: market.id, round: r.round, userId: ctx.account.id, adminChatIds: [...rt.config.adminIds] });
  await tellChatAdmins(rt, ctx.telegram, r.market, ctx.lang, displayName(ctx), r.reason);
}

/** /dispute in groups. */
export function groupDisputeFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('dispute', (ctx) => dispute(rt, ctx, ctx.payload));
  return c;
}
