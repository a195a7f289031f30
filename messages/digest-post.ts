/**
 * The channel digest post: a caption (Telegram HTML, at most 1024 characters: Bot API sendPhoto),
 * URL buttons that open the bot at each market mentioned, and the image's input for
 * render/renderDigest (tiles with sparklines of the top movers). Pure: a summary in, the post out.
 */
import type { InlineKeyboardMarkup } from 'telegraf/types';
import { fitHtml, TELEGRAM_LIMITS, visibleLength } from './fit';
import { marketPayload, startLink } from './links';
import { OUTCOME_KEY, signedPoints } from './labels';
import type { Language } from '../domain/entities';
import type { DigestSummary } from '../domain/read/digest';
import { formatDay } from '../infra/format';
import { t, th } from '../infra/i18n';
import { MAX_DIGEST_TILES, type DigestInput, type DigestTile } from '../render';

/** Bot API: a photo caption holds at most 1024 characters. */
export const CAPTION_MAX = TELEGRAM_LIMITS.caption;
/** Buttons under the post, one market each. */
const BUTTONS_MAX = 6;
const BUTTON_TITLE_MAX = 40;
/** Listing limits tried in turn until the caption fits: items per section, characters per title. */
const FITS: readonly { items: number; title: number }[] = [{ items: 5, title: 70 }, { items: 3, title: 50 }, { items: 2, title: 40 }, { items: 1, title: 30 }];

/** Everything a digest post is; plain JSON (it is stored as the period's post, see domain/services/digest.ts). */
export interface DigestPost {
  caption: string;
  keyboard: InlineKeyboardMarkup;
  image: DigestInput;
}

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}


function outcomeText(lang: Language, r: DigestSummary['resolved'][number]): string {
  return t(lang, OUTCOME_KEY[r.outcome], { r: r.yesPayout });
}

function caption(lang: Language, s: DigestSummary, fit: { items: number; title: number }): string {
  const lines = [th(lang, 'digest.header', { date: formatDay(new Date(s.toMs), lang) })];
  const section = <T>(titleKey: string, items: T[], line: (item: T) => string) => {
    if (items.length === 0) return;
    lines.push('', th(lang, titleKey), ...items.slice(0, fit.items).map(line));
    if (items.length > fit.items) lines.push(th(lang, 'digest.more', { count: items.length - fit.items }));
  };
  section('digest.movers', s.movers, (mv) => th(lang, 'digest.mover', {
    title: shorten(mv.title, fit.title), from: mv.priceThen, to: mv.priceNow, change: signedPoints(mv.priceNow - mv.priceThen),
  }));
  section('digest.new', s.newMarkets, (n) => th(lang, 'digest.new_item', { title: shorten(n.title, fit.title), yes: n.yesPrice }));
  section('digest.resolved', s.resolved, (r) => th(lang, 'digest.resolved_item', { title: shorten(r.title, fit.title), outcome: outcomeText(lang, r) }));
  if (s.volumeKop > 0) lines.push('', th(lang, 'digest.volume', { amount: s.volumeKop }));
  return lines.join('\n');
}

/** Tiles for the image: the top movers; with none, the new and then the resolved markets. */
function tiles(lang: Language, s: DigestSummary): DigestTile[] {
  if (s.movers.length > 0) {
    return s.movers.slice(0, MAX_DIGEST_TILES).map((mv) => ({
      title: mv.title, price: mv.priceNow, up: mv.priceNow >= mv.priceThen, points: mv.points,
      changeText: t(lang, 'digest.tile_change', { change: signedPoints(mv.priceNow - mv.priceThen) }),
    }));
  }
  const fresh: DigestTile[] = s.newMarkets.map((n) => ({ title: n.title, price: n.yesPrice, up: true, points: [], changeText: t(lang, 'digest.tile_new') }));
  const done: DigestTile[] = s.resolved.map((r) => ({
    title: r.title, price: r.yesPayout, up: r.yesPayout >= 50, points: [], changeText: t(lang, 'digest.tile_resolved', { outcome: outcomeText(lang, r) }),
  }));
  return [...fresh, ...done].slice(0, MAX_DIGEST_TILES);
}

/** Builds the post of a (non-empty) summary, in `lang`, with deep links into bot `botUsername`. */
export function digestPost(lang: Language, s: DigestSummary, botUsername: string): DigestPost {
  let text = '';
  for (const fit of FITS) {
    text = caption(lang, s, fit);
    if (visibleLength(text) <= CAPTION_MAX) break;
  }
  // Past the tightest fit (titles are at most 200 characters, so only in theory) the caption is cut.
  text = fitHtml(text, CAPTION_MAX);
  const seen = new Set<number>();
  const rows: InlineKeyboardMarkup['inline_keyboard'] = [];
  for (const { marketId, title } of [...s.movers, ...s.newMarkets, ...s.resolved]) {
    if (seen.has(marketId) || rows.length >= BUTTONS_MAX) continue;
    seen.add(marketId);
    rows.push([{ text: shorten(title, BUTTON_TITLE_MAX), url: startLink(botUsername, marketPayload(marketId)) }]);
  }
  return {
    caption: text,
    keyboard: { inline_keyboard: rows },
    image: { header: t(lang, 'digest.image_header', { date: formatDay(new Date(s.toMs), lang) }), tiles: tiles(lang, s) },
  };
}
