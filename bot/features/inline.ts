/**
 * Inline mode (https://core.telegram.org/bots/inline): `@bot <query>` in any chat lists markets
 * as ready-to-post cards; the one the user picks is posted "via @bot" and tracked from its
 * `chosen_inline_result` (needs inline feedback on in @BotFather), so it can be edited in place.
 */
import { Composer } from 'telegraf';
import type { InlineQueryResult } from 'telegraf/types';
import { CATEGORIES } from '../../domain/services/markets';
import { cardFactsOf } from '../../domain/read/card-facts';
import { trackCard } from '../../domain/services/cards';
import { searchOpenMarkets } from '../../domain/read/search';
import { formatKop } from '../../infra/format';
import { LANGUAGES, t } from '../../infra/i18n';
import type { BotContext } from '../context';
import { INVITE_INLINE_QUERY, marketOfPayload, marketOfShareQuery, marketPayload, seasonOfShareQuery } from '../../messages/links';
import { answerLeagueShare, answerShareQuery } from './share';
import { invitationCard } from '../../messages/referrals';
import { referralCodeOf } from '../../domain/services/referrals';
import type { BotRuntime } from '../runtime';
import { CATEGORY_KEY } from '../../messages/labels';
import { sharedCardMarkup, sharedCardModel, sharedCardText } from '../../messages/shared-card';

/** Bot API: answerInlineQuery takes at most 50 results. */
export const INLINE_RESULTS_MAX = 50;
/**
 * Seconds Telegram may cache an answer. Short: prices move, and the answer is personal (the card
 * is written in the asker's language, and whether the asker started the bot changes the button).
 */
const CACHE_TIME_SEC = 10;
/** Start parameter of the answer's "open the bot" button (plain welcome). */
const INLINE_START_PAYLOAD = 'inline';
/** Result id of the invitation card (never a market payload, so `chosen_inline_result` ignores it). */
const INVITE_RESULT_ID = 'invite';
/** A query word shorter than this names no category ("sp" is not yet "sports"). */
const CATEGORY_PREFIX_MIN = 3;

/** Letters and digits only, lower case: "⚽ Sports" → "sports". */
function normalize(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/**
 * Categories a query names, in any language or by code: a query word that starts a category's
 * name ("sport", "crypt", "weather", or the same in Russian) selects that category.
 */
export function categoriesNamed(words: readonly string[]): string[] {
  return CATEGORIES.filter((category) => {
    const names = [category, ...LANGUAGES.map((lang) => normalize(t(lang, CATEGORY_KEY[category])))];
    return words.some((w) => w.length >= CATEGORY_PREFIX_MIN && names.some((name) => name.split(' ').some((part) => part.startsWith(w))));
  });
}

async function answerQuery(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const shared = marketOfShareQuery(ctx.inlineQuery?.query ?? '');
  if (shared !== null) return answerShareQuery(rt, ctx, shared);
  const season = seasonOfShareQuery(ctx.inlineQuery?.query ?? '');
  if (season !== null) return answerLeagueShare(rt, ctx, season);
  const words = normalize(ctx.inlineQuery?.query ?? '').split(' ').filter(Boolean);
  const m = rt.ds.manager;
  const markets = await searchOpenMarkets(m, { words, categories: categoriesNamed(words), limit: INLINE_RESULTS_MAX });
  const facts = await cardFactsOf(m, markets.map((mk) => mk.id));
  const username = ctx.botInfo.username;
  const results: InlineQueryResult[] = [];
  // `@bot invite` (the /invite Share button): the asker's invitation card first (issue 12).
  if (ctx.account && words.length === 1 && words[0] === INVITE_INLINE_QUERY) {
    const card = invitationCard(ctx.lang, username, await referralCodeOf(m, ctx.account.id), ctx.account.firstName, rt.config.referral.rewardKop);
    results.push({
      type: 'article', id: INVITE_RESULT_ID, title: ctx.tp('invite.inline_title'), description: ctx.tp('invite.inline_description'),
      input_message_content: { message_text: card.text, parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
      reply_markup: card.markup,
    });
  }
  for (const market of markets) {
    const f = facts.get(market.id);
    if (!f) continue;
    const card = sharedCardModel(f);
    results.push({
      type: 'article',
      id: marketPayload(market.id),
      title: market.title,
      description: ctx.tp('inline.result_description', {
        yes: card.yesPrice, no: card.noPrice, volume: formatKop(card.volumeKop, ctx.lang, { compact: true }),
      }),
      input_message_content: { message_text: sharedCardText(ctx.lang, card), parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
      reply_markup: sharedCardMarkup(ctx.lang, card, username),
    });
  }
  if (results.length > INLINE_RESULTS_MAX) results.length = INLINE_RESULTS_MAX;
  // Above the results: a way into the bot for whoever has not started it, and when nothing matched.
  const button = !ctx.account || results.length === 0
    ? { text: ctx.tp(results.length === 0 ? 'inline.nothing_found' : 'inline.start_button'), start_parameter: INLINE_START_PAYLOAD }
    : undefined;
  await ctx.answerInlineQuery(results, { cache_time: CACHE_TIME_SEC, is_personal: true, ...(button ? { button } : {}) });
}

/** Inline queries (search and trending) and the tracking of posted cards. */
export function inlineFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.on('inline_query', (ctx) => answerQuery(rt, ctx));
  c.on('chosen_inline_result', async (ctx) => {
    const chosen = ctx.chosenInlineResult;
    const marketId = marketOfPayload(chosen.result_id);
    // inline_message_id is only sent for messages with an inline keyboard (Bot API); ours all have one.
    if (marketId === null || !chosen.inline_message_id) return;
    await trackCard(rt.ds.manager, { inlineMessageId: chosen.inline_message_id }, {
      marketId, language: ctx.lang, postedByTelegramId: chosen.from.id,
    });
  });
  return c;
}
