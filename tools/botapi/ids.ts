/**
 * Identifier generators that look like Telegram's, so code that parses or stores ids
 * (BIGINT columns, `-100…` supergroup ids, string query ids) meets realistic values.
 */
import { randomBytes, randomInt } from 'node:crypto';

const used = new Set<number>();

function unique(make: () => number): number {
  for (;;) {
    const id = make();
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

/** Bot user id: 10 digits, like recent bots (e.g. 7123456789). */
export const newBotId = (): number => unique(() => 6_000_000_000 + randomInt(0, 999_999_999));

/** Human user id: 9–10 digits. */
export const newUserId = (): number => unique(() => 100_000_000 + randomInt(0, 2_000_000_000));

/** Basic group id: negative, 10 digits (e.g. -4012345678). */
export const newGroupId = (): number => unique(() => -(4_000_000_000 + randomInt(0, 999_999_999)));

/** Supergroup/channel id: `-100` followed by 10 digits (e.g. -1002012345678). */
export const newChannelId = (): number => unique(() => -(1_000_000_000_000 + 2_000_000_000 + randomInt(0, 999_999_999)));

/** Bot token `<botId>:<35 url-safe chars>` as issued by @BotFather. */
export const newToken = (botId: number): string =>
  `${botId}:AA${randomBytes(27).toString('base64url').slice(0, 33)}`;

/** Long numeric string ids used for callback, inline and pre-checkout queries. */
export const newQueryId = (): string => (BigInt(randomInt(1, 2 ** 47)) * 100_000n + BigInt(randomInt(0, 99_999))).toString();

/** Opaque inline_message_id (base64url). */
export const newInlineMessageId = (): string => `AgAAA${randomBytes(18).toString('base64url')}`;

/** file_id (long, bot specific) and file_unique_id (short, stable) of an uploaded photo. */
export const newFileIds = (): { fileId: string; uniqueId: string } => ({
  fileId: `AgACAgIAAxkDAA${randomBytes(48).toString('base64url')}`,
  uniqueId: `AQAD${randomBytes(9).toString('base64url')}`,
});

/** chat_instance: a signed 64-bit number as a string, stable per (bot, chat). */
export const newChatInstance = (): string => (BigInt(randomInt(1, 2 ** 47)) * (randomInt(0, 2) ? 1n : -1n) * 65_537n).toString();

/** Payment charge ids (Telegram's and the provider's). */
export const newChargeId = (prefix: string): string => `${prefix}${randomBytes(12).toString('hex')}`;

/** Starting update_id: Telegram starts at a large arbitrary number, not 1. */
export const newFirstUpdateId = (): number => randomInt(100_000_000, 900_000_000);
