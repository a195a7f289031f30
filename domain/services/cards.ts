/**
 * Market cards that live in other people's chats: posted through inline mode (Bot API
 * `chosen_inline_result` gives their `inline_message_id`) or by the bot into a group (`/predict`).
 * They are edited in place as their market moves (workers/cards.ts), through the notifications
 * pipeline, whose pacing is per "chat": each card has a `laneId`, the chat id its edits are paced
 * under.
 *
 * Lanes: a group message's lane is its real chat id. An inline message's chat is never revealed
 * to the bot, so it starts on a lane of its own, a synthetic id below −2^52 (Bot API: real chat ids
 * have at most 52 significant bits, so the two never collide). A button press on a card carries
 * `chat_instance`, the same for every message of one chat; once two cards are known to share it,
 * they share a lane (the real chat id when one of them is a group message), so several cards in
 * one group together stay within that group's budget.
 */
import type { EntityManager } from 'typeorm';
import type { Language } from '../entities';
import { int, intOrNull } from '../read/rows';

/** Synthetic lane ids are −(2^52 + n): below every real chat id. */
const SYNTHETIC_LANE_BASE = 2 ** 52;

/** Where a card is: an inline message, or a message the bot sent to a chat. */
export type CardTarget = { inlineMessageId: string } | { chatId: number; messageId: number };

export interface PostedCard {
  id: number;
  marketId: number;
  inlineMessageId: string | null;
  chatId: number | null;
  messageId: number | null;
  /** Notifications pipeline chat id for this card's edits (see module comment). */
  laneId: number;
  /** Language the card is written in: its poster's. */
  language: Language;
  /** Hash of the text and keyboard last sent, to skip edits that change nothing. */
  shownHash: string | null;
  /** The market's trading state the card last showed (domain/read/trading-state.ts TradingState). */
  shownState: string | null;
}

interface CardRow {
  id: string;
  market_id: string;
  inline_message_id: string | null;
  chat_id: string | null;
  message_id: number | null;
  lane_id: string;
  language: Language;
  shown_hash: string | null;
  shown_status: string | null;
}

function toCard(r: CardRow): PostedCard {
  return {
    id: int(r.id), marketId: int(r.market_id), inlineMessageId: r.inline_message_id,
    chatId: intOrNull(r.chat_id), messageId: r.message_id,
    laneId: int(r.lane_id), language: r.language, shownHash: r.shown_hash, shownState: r.shown_status,
  };
}

/** SQL condition and parameters selecting the card at `target`, parameters numbered from `from`. */
function targetWhere(target: CardTarget, from: number): { sql: string; params: unknown[] } {
  return 'inlineMessageId' in target
    ? { sql: `inline_message_id = $${from}`, params: [target.inlineMessageId] }
    : { sql: `chat_id = $${from} AND message_id = $${from + 1}`, params: [target.chatId, target.messageId] };
}

export interface TrackCard {
  marketId: number;
  language: Language;
  /** Telegram id of the user who posted it (inline) or asked for it (group). */
  postedByTelegramId: number;
}

/**
 * Records a card once (a repeated chosen_inline_result, or a card first seen through a button
 * press, changes nothing). Does nothing for a market that does not exist (forged result ids).
 */
export async function trackCard(m: EntityManager, target: CardTarget, input: TrackCard): Promise<void> {
  const lane = 'inlineMessageId' in target ? `-($6::bigint + nextval('posted_card_lane_seq'))` : '$6::bigint';
  await m.query(
    `INSERT INTO posted_cards (market_id, inline_message_id, chat_id, message_id, lane_id, language, posted_by_telegram_id)
     SELECT id, $2, $3, $4, ${lane}, $5, $7 FROM markets WHERE id = $1
     ON CONFLICT DO NOTHING`,
    [input.marketId, 'inlineMessageId' in target ? target.inlineMessageId : null,
      'chatId' in target ? target.chatId : null, 'messageId' in target ? target.messageId : null,
      input.language, 'chatId' in target ? target.chatId : SYNTHETIC_LANE_BASE, input.postedByTelegramId],
  );
}

/**
 * Records the `chat_instance` of a card's chat (from a button press) the first time it is seen,
 * and moves every card of that chat onto one lane: the real chat id if one of them is a group
 * message, else the oldest card's lane.
 * @returns true once the card is recorded with its chat_instance (learned now or before): later
 *   presses on it change nothing, so a caller may skip them; false for a card not recorded.
 */
export async function learnChatInstance(m: EntityManager, target: CardTarget, chatInstance: string): Promise<boolean> {
  const where = targetWhere(target, 2);
  return m.transaction(async (tx) => {
    const learned: unknown[] = await tx.query(
      `UPDATE posted_cards SET chat_instance = $1 WHERE ${where.sql} AND chat_instance IS NULL RETURNING id`,
      [chatInstance, ...where.params]);
    if (learned.length === 0) {
      const known: unknown[] = await tx.query(`SELECT 1 FROM posted_cards WHERE ${targetWhere(target, 1).sql} AND chat_instance IS NOT NULL`, where.params);
      return known.length > 0;
    }
    const [lead]: { chat_id: string | null; lane_id: string }[] = await tx.query(
      `SELECT chat_id, lane_id FROM posted_cards WHERE chat_instance = $1 ORDER BY (chat_id IS NULL), id LIMIT 1`, [chatInstance]);
    const lane = int(lead!.chat_id ?? lead!.lane_id);
    await tx.query(`UPDATE posted_cards SET lane_id = $2 WHERE chat_instance = $1 AND lane_id <> $2`, [chatInstance, lane]);
    return true;
  });
}

/** Which of `marketIds` have cards still being kept up to date (one statement for any number). */
export async function marketsWithActiveCards(m: EntityManager, marketIds: readonly number[]): Promise<number[]> {
  if (marketIds.length === 0) return [];
  const rows: { market_id: string }[] = await m.query(
    `SELECT DISTINCT market_id FROM posted_cards WHERE market_id = ANY($1::bigint[]) AND active ORDER BY market_id`, [marketIds]);
  return rows.map((r) => int(r.market_id));
}

/** The cards of a market still being kept up to date. */
export async function activeCards(m: EntityManager, marketId: number): Promise<PostedCard[]> {
  const rows: CardRow[] = await m.query(
    `SELECT id, market_id, inline_message_id, chat_id, message_id, lane_id, language, shown_hash, shown_status
       FROM posted_cards WHERE market_id = $1 AND active ORDER BY id`, [marketId]);
  return rows.map(toCard);
}

/**
 * Remembers what a card shows now. `final`: the market can no longer change (settled), so the
 * card is not kept up to date any more.
 */
export async function markShown(m: EntityManager, cardId: number, shown: { hash: string; state: string; final: boolean }): Promise<void> {
  await m.query(`UPDATE posted_cards SET shown_hash = $2, shown_status = $3, active = NOT $4 WHERE id = $1`,
    [cardId, shown.hash, shown.state, shown.final]);
}
