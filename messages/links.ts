/**
 * Deep links into the bot (Bot API "Deep linking": `https://t.me/<bot>?start=<payload>` opens the
 * bot's chat with a Start button that sends `/start <payload>`; the payload is 1-64 characters
 * of A-Z a-z 0-9 _ -). One place defines every payload the bot understands.
 */

/** Opens the bot at the settings screen. */
export const SETTINGS_PAYLOAD = 'settings';

const MARKET_PAYLOAD = /^m([1-9]\d{0,15})$/;
const VALID_PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;

/** The payload that opens market `marketId`'s card: `m<id>`. */
export function marketPayload(marketId: number): string {
  return `m${marketId}`;
}

/** The market id of a `m<id>` payload, or null. */
export function marketOfPayload(payload: string): number | null {
  const m = MARKET_PAYLOAD.exec(payload);
  return m ? Number(m[1]) : null;
}

/** `https://t.me/<botUsername>?start=<payload>`. @throws RangeError for a payload Telegram would not accept (a bug). */
export function startLink(botUsername: string, payload: string): string {
  if (!VALID_PAYLOAD.test(payload)) throw new RangeError(`invalid start payload: ${payload}`);
  return `https://t.me/${botUsername}?start=${payload}`;
}
