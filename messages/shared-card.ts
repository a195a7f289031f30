/**
 * The market card for other people's chats: a text message (HTML) posted through inline mode or
 * by the bot into a group, with [YES p%] [NO q%] quick-bet buttons and an "Open in bot" deep link.
 *
 * Pure (a language and a model in, text and keyboard out, no context): the bot builds it for
 * inline answers and group posts, and workers/cards.ts rebuilds it to edit the posted cards in
 * place, so both always agree. A card speaks its poster's language: the chat is shared, and the
 * poster chose to post it. It shows no relative times ("in 3 hours"), which would go stale
 * between edits.
 */
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { Language, MarketOutcome } from '../domain/entities';
import type { CardExtras } from '../domain/read/card-extras';
import type { CardFacts } from '../domain/read/card-facts';
import { formatDateTime } from '../infra/format';
import { t, th } from '../infra/i18n';
import { cardExtraLines } from './card-extras';
import { cb } from './callback-data';
import { marketPayload, startLink } from './links';
import { tradingState, type TradingState } from '../domain/read/trading-state';
import { OUTCOME_KEY, STATE_KEY } from './labels';

/** Everything a shared card shows. Prices in kop (= %), volume in kop. */
export interface SharedCardModel {
  marketId: number;
  title: string;
  state: TradingState;
  outcome: MarketOutcome | null;
  yesPayout: number | null;
  yesPrice: number;
  noPrice: number;
  volumeKop: number;
  traders: number;
  deadline: Date;
  extras?: CardExtras;
}

export function sharedCardModel(f: CardFacts, now = new Date()): SharedCardModel {
  const mk = f.market;
  return {
    marketId: mk.id, title: mk.title, state: tradingState(mk, now), outcome: mk.outcome, yesPayout: mk.yesPayout,
    yesPrice: f.yesPrice, noPrice: f.noPrice, volumeKop: mk.volumeKop, traders: f.traders, deadline: mk.deadline, extras: f.extras,
  };
}

/** The card's text, for `parse_mode: 'HTML'` (the title is escaped). */
export function sharedCardText(lang: Language, c: SharedCardModel): string {
  const lines = [th(lang, 'inline.card_title', { title: c.title })];
  if (c.state !== 'open') {
    const outcome = c.outcome ? t(lang, OUTCOME_KEY[c.outcome], { r: c.yesPayout ?? 0 }) : '';
    lines.push(th(lang, 'inline.card_status', { status: t(lang, STATE_KEY[c.state], { outcome }) }));
  }
  lines.push(th(lang, 'inline.card_prices', { yes: c.yesPrice, no: c.noPrice }));
  lines.push(c.traders > 0
    ? th(lang, 'inline.card_activity', { count: c.traders, volume: c.volumeKop })
    : th(lang, 'inline.card_no_trades'));
  lines.push(th(lang, 'inline.card_deadline', { date: formatDateTime(c.deadline, lang) }), ...cardExtraLines(lang, c.extras));
  if (c.state === 'open') lines.push('', th(lang, 'inline.card_hint'));
  return lines.join('\n');
}

/** [YES p%] [NO q%] while trading is open, and always [Open in bot] (a deep link to the market). */
export function sharedCardMarkup(lang: Language, c: SharedCardModel, botUsername: string): InlineKeyboardMarkup {
  const rows: InlineKeyboardMarkup['inline_keyboard'] = [];
  if (c.state === 'open') {
    rows.push([
      { text: t(lang, 'inline.bet_yes', { price: c.yesPrice }), callback_data: cb.quickBet.encode({ marketId: c.marketId, side: 'YES' }) },
      { text: t(lang, 'inline.bet_no', { price: c.noPrice }), callback_data: cb.quickBet.encode({ marketId: c.marketId, side: 'NO' }) },
    ]);
  }
  rows.push([{ text: t(lang, 'inline.open_bot'), url: startLink(botUsername, marketPayload(c.marketId)) }]);
  return { inline_keyboard: rows };
}
