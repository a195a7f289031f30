/**
 * A market's whole rules, behind the card's Rules button: the title, the full description and
 * every clarification, dated. The card's caption (1024 characters) shows only their start; this
 * is the rest, split into as many messages as Telegram's 4096-character limit needs (docs/LIMITS.md).
 */
import { getMarket } from '../../domain/read/markets';
import { clarificationsOf } from '../../domain/services/market-admin';
import { formatDateTime } from '../../infra/format';
import { splitHtml, TELEGRAM_LIMITS } from '../../messages/fit';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';
import { htmlExtra, notice } from '../ui';

/** More clarifications than any market gets; each is at most CLARIFICATION_MAX characters. */
const RULES_CLARIFICATIONS = 1000;

/** The rules of market `marketId` as HTML messages, each within Telegram's message limit; null for an unknown market. */
export async function marketRulesMessages(rt: BotRuntime, ctx: BotContext, marketId: number): Promise<string[] | null> {
  const market = await getMarket(rt.ds.manager, marketId);
  if (!market) return null;
  const notes = await clarificationsOf(rt.ds.manager, marketId, RULES_CLARIFICATIONS);
  const lines = [ctx.t('limits.rules_title', { title: market.title }), ''];
  lines.push(market.description ? ctx.t('card.description', { description: market.description }) : ctx.t('limits.rules_none'));
  if (notes.length > 0) {
    lines.push('', ctx.t('resolution.card_clarifications'));
    for (const n of notes) lines.push(ctx.t('resolution.card_clarification', { date: formatDateTime(n.at, ctx.lang), text: n.text }));
  }
  return splitHtml(lines.join('\n'), TELEGRAM_LIMITS.message);
}

/** Sends the rules as new messages under the card (the card itself stays as it is). */
export async function sendMarketRules(rt: BotRuntime, ctx: BotContext, marketId: number): Promise<void> {
  const parts = await marketRulesMessages(rt, ctx, marketId);
  if (!parts) return notice(ctx, ctx.tp('errors.market_not_found'));
  if (ctx.callbackQuery && !ctx.callbackAnswered) await ctx.answerCbQuery();
  for (const part of parts) await ctx.reply(part, htmlExtra());
}
