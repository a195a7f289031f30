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

/** Prefix of an invitation payload (issue 12): `ref_<code>`. */
const REF_PAYLOAD = /^ref_([a-z0-9]{6,16})$/;

/** The payload of a user's invitation link: `ref_<code>` (code: 6–16 of a-z 0-9, so within 64 characters). */
export function refPayload(code: string): string {
  return `ref_${code}`;
}

/** The invitation code of a `ref_<code>` payload, or null. */
export function refCodeOfPayload(payload: string): string | null {
  const m = REF_PAYLOAD.exec(payload);
  return m ? m[1]! : null;
}

/** Inline query that answers with the asker's invitation card (the /invite share button fills it in). */
export const INVITE_INLINE_QUERY = 'invite';

const SHARE_QUERY = /^share_([1-9]\d{0,15})$/;

/** Inline query of a win's share card (the Share button of a payout notice fills it in): `share_<marketId>`. */
export function shareQuery(marketId: number): string {
  return `share_${marketId}`;
}

/** The market id of a `share_<id>` inline query, or null. */
export function marketOfShareQuery(query: string): number | null {
  const m = SHARE_QUERY.exec(query.trim());
  return m ? Number(m[1]) : null;
}

const LEAGUE_SHARE_QUERY = /^league_(\d{4}-\d{2})$/;

/** Inline query of a season result's share card (season result notice, /league): `league_<YYYY-MM>`. */
export function leagueShareQuery(season: string): string {
  return `league_${season}`;
}

/** The season of a `league_<YYYY-MM>` inline query, or null. */
export function seasonOfShareQuery(query: string): string | null {
  const m = LEAGUE_SHARE_QUERY.exec(query.trim());
  return m ? m[1]! : null;
}
