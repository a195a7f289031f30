/**
 * Share cards (issue 12): `@bot share_<marketId>` (the Share button of a win's payout notice)
 * answers with a picture of the win — the market card (render/, chartjs + sharp) with a ribbon
 * naming the outcome and the return — as a cached photo anyone can post into any chat.
 *
 * An inline answer can only carry a photo Telegram already has (a file_id) or an https URL, so the
 * picture is uploaded once into the winner's own chat with the bot ("your card to share") and its
 * file_id kept in Redis for later queries.
 */
import type { InlineQueryResult, Message, PhotoSize } from 'telegraf/types';
import { priceHistory } from '../../domain/read/markets';
import { winFacts, type WinFacts } from '../../domain/read/share';
import { formatKop } from '../../infra/format';
import { marketPayload, startLink } from '../../messages/links';
import { OUTCOME_KEY } from '../../messages/labels';
import { renderLeagueCard, renderMarketCard } from '../../render';
import { seasonResultOf } from '../../domain/read/league';
import { nextDivision, type Movement } from '../../domain/services/league-rules';
import { divisionKey } from '../../messages/league';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';

/** How long a share picture's file_id is kept, s. */
const SHARE_CACHE_TTL_SEC = 30 * 24 * 3600;

function returnPercent(f: WinFacts): number {
  // Rounded down: a share card never overstates the return.
  return f.paidKop > 0 ? Math.floor(((f.payoutKop - f.paidKop) * 100) / f.paidKop) : 0;
}

/** Uploads a share picture into the asker's own chat with the bot; its file_id, or null. */
async function upload(ctx: BotContext, png: Buffer, filename: string): Promise<string | null> {
  const sent: Message = await ctx.telegram.sendPhoto(ctx.account!.telegramId, { source: png, filename }, { caption: ctx.tp('share.uploaded') });
  const largest: PhotoSize | undefined = 'photo' in sent ? sent.photo[sent.photo.length - 1] : undefined;
  return largest?.file_id ?? null;
}

async function uploadCard(rt: BotRuntime, ctx: BotContext, marketId: number, f: WinFacts): Promise<string | null> {
  const outcome = ctx.tp(OUTCOME_KEY[f.outcome as keyof typeof OUTCOME_KEY], { r: f.yesPayout ?? 0 });
  const yes = f.outcome === 'YES' ? 99 : f.outcome === 'NO' ? 1 : Math.min(99, Math.max(1, f.yesPayout ?? 50));
  const png = await renderMarketCard({
    title: f.title, yesLabel: ctx.tp('side.yes'), noLabel: ctx.tp('side.no'), yesPrice: yes, noPrice: 100 - yes,
    volumeText: ctx.tp('share.image_paid', { paid: formatKop(f.paidKop, ctx.lang), payout: formatKop(f.payoutKop, ctx.lang) }),
    deadlineText: ctx.tp('share.image_return', { percent: returnPercent(f) }),
    statusText: ctx.tp('share.ribbon', { outcome }), statusTone: 'yes',
    chartPoints: await priceHistory(rt.ds.manager, marketId),
  });
  return upload(ctx, png, `win-${marketId}.png`);
}

/**
 * The inline answer to `share_<marketId>`: the asker's win card, or nothing when it is not their
 * win (not settled, not started the bot, lost).
 */
export async function answerShareQuery(rt: BotRuntime, ctx: BotContext, marketId: number): Promise<void> {
  const f = ctx.account ? await winFacts(rt.ds.manager, ctx.account.id, marketId) : null;
  const results: InlineQueryResult[] = [];
  if (f && ctx.account) {
    const key = rt.key('share', marketId, ctx.account.id, ctx.lang);
    const fileId = (await rt.redis.get(key)) ?? await uploadCard(rt, ctx, marketId, f);
    if (fileId) {
      await rt.redis.set(key, fileId, { EX: SHARE_CACHE_TTL_SEC });
      results.push({
        type: 'photo', id: `share_${marketId}`, photo_file_id: fileId,
        caption: ctx.t('share.caption', { name: ctx.account.firstName, title: f.title, percent: returnPercent(f) }), parse_mode: 'HTML',
        reply_markup: { inline_keyboard: [[{ text: ctx.tp('inline.open_bot'), url: startLink(ctx.botInfo.username, marketPayload(marketId)) }]] },
      });
    }
  }
  await ctx.answerInlineQuery(results, { cache_time: 0, is_personal: true });
}

/**
 * The inline answer to `league_<season>`: the asker's season result as a picture (season,
 * division and where it moved them, place, score), or nothing before the season is closed.
 */
export async function answerLeagueShare(rt: BotRuntime, ctx: BotContext, season: string): Promise<void> {
  const r = ctx.account ? await seasonResultOf(rt.ds.manager, season, ctx.account.id) : null;
  const results: InlineQueryResult[] = [];
  if (r && ctx.account) {
    const key = rt.key('share-league', season, ctx.account.id, ctx.lang);
    const movement = r.movement as Movement;
    const fileId = (await rt.redis.get(key)) ?? await upload(ctx, await renderLeagueCard({
      title: ctx.tp('share.league_title', { season }),
      divisionText: `${ctx.tp(divisionKey(r.division))} \u2192 ${ctx.tp(divisionKey(nextDivision(r.division, movement)))}`,
      placeText: `${r.place} / ${r.size}`,
      scoreText: ctx.tp('share.league_score', { score: formatKop(r.scoreKop, ctx.lang) }),
      statusText: ctx.tp(`league.movement_${movement}`), statusTone: movement === 'promoted' ? 'yes' : movement === 'relegated' ? 'no' : 'neutral',
    }), `league-${season}.png`);
    if (fileId) {
      await rt.redis.set(key, fileId, { EX: SHARE_CACHE_TTL_SEC });
      results.push({
        type: 'photo', id: `league_${season}`, photo_file_id: fileId, parse_mode: 'HTML',
        caption: ctx.t('share.league_caption', { name: ctx.account.firstName, season, place: r.place, size: r.size, division: ctx.tp(divisionKey(r.division)) }),
      });
    }
  }
  await ctx.answerInlineQuery(results, { cache_time: 0, is_personal: true });
}
