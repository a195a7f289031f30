/**
 * Telegram's flood wait, shared between the two senders of one chat: the bot's direct replies and
 * the notifications pipeline (workers/notifications). Telegram keeps one budget per chat whoever
 * sends (Bot FAQ, "My bot is hitting limits"), so a 429 that a reply got must also hold the
 * pipeline's next message to that chat until retry_after has passed. The mark is the pacer's own
 * "not before" key (workers/notifications/pacer.ts reads it before every send): a Redis TIME
 * timestamp, ms, only ever raised, expiring with the wait.
 */

/** The key holding "nothing to `chatId` before" under BullMQ prefix `bull` (`bullPrefix(QUEUE_PREFIX)`). */
export function chatNotBeforeKey(bull: string, chatId: number): string {
  return `${bull}:notify:nb:${chatId}`;
}

/** Raises KEYS[1] to Redis-now + ARGV[1] ms (never lowers it), expiring then. */
export const RAISE_NOT_BEFORE = `
local t = redis.call('TIME')
local untilMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
if (tonumber(redis.call('GET', KEYS[1])) or 0) < untilMs then redis.call('SET', KEYS[1], untilMs, 'PX', ARGV[1]) end
return untilMs
`;
