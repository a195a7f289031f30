/**
 * reply_markup validation (https://core.telegram.org/bots/api#inlinekeyboardmarkup).
 *
 * Inline buttons must carry exactly one action; callback_data is 1–64 bytes
 * (else `BUTTON_DATA_INVALID`); url buttons need an http(s)/tg URL (else `BUTTON_URL_INVALID`).
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { badRequest } from './errors';
import { normalizeUrl } from './html';
import { byteLength } from './params';

/** Any reply_markup a bot may send; only inline keyboards are inspected closely. */
export type AnyMarkup =
  | InlineKeyboardMarkup
  | { keyboard: unknown[][]; [k: string]: unknown }
  | { remove_keyboard: true; selective?: boolean }
  | { force_reply: true; input_field_placeholder?: string; selective?: boolean };

const ACTIONS = [
  'url', 'callback_data', 'web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay',
] as const;

const MAX_BUTTONS = 100;

/**
 * Parse (if JSON text) and validate reply_markup.
 * @param inlineOnly edits and inline results accept only inline keyboards.
 * @returns undefined when absent; otherwise a cleaned copy.
 * @throws ApiError 400 with Telegram's wording.
 */
export function parseReplyMarkup(raw: unknown, inlineOnly = false): AnyMarkup | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  let value: unknown = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw badRequest("can't parse reply keyboard markup JSON object");
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest("can't parse reply keyboard markup JSON object");
  }
  const obj = value as Record<string, unknown>;
  if ('inline_keyboard' in obj) return { inline_keyboard: parseInlineKeyboard(obj.inline_keyboard) };
  if (inlineOnly) throw badRequest('inline keyboard expected');
  if (Array.isArray(obj.keyboard)) return obj as AnyMarkup;
  if (obj.remove_keyboard === true) return obj as AnyMarkup;
  if (obj.force_reply === true) return obj as AnyMarkup;
  throw badRequest("can't parse reply keyboard markup JSON object");
}

function parseInlineKeyboard(rows: unknown): InlineKeyboardButton[][] {
  if (!Array.isArray(rows)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
  let count = 0;
  const out = rows.map((row) => {
    if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    return row.map((b) => {
      count++;
      return parseButton(b);
    });
  });
  if (count > MAX_BUTTONS) throw badRequest('reply markup is too long');
  return out;
}

function parseButton(raw: unknown): InlineKeyboardButton {
  if (!raw || typeof raw !== 'object') throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  const b = raw as Record<string, unknown>;
  if (typeof b.text !== 'string') throw badRequest(`can't parse inline keyboard button: Field "text" must be of type String`);
  if (b.text.trim() === '') throw badRequest('BUTTON_TEXT_INVALID');
  const actions = ACTIONS.filter((k) => b[k] !== undefined && b[k] !== null && b[k] !== false);
  if (actions.length === 0) {
    throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
  }
  if (b.callback_data !== undefined) {
    if (typeof b.callback_data !== 'string' || byteLength(b.callback_data) < 1 || byteLength(b.callback_data) > 64) {
      throw badRequest('BUTTON_DATA_INVALID');
    }
  }
  if (b.url !== undefined && (typeof b.url !== 'string' || normalizeUrl(b.url) === null)) {
    throw badRequest('BUTTON_URL_INVALID');
  }
  const clean: Record<string, unknown> = { text: b.text };
  for (const k of actions) clean[k] = b[k];
  return clean as unknown as InlineKeyboardButton;
}

/** All inline buttons of a markup, row-major (empty when the markup is not an inline keyboard). */
export function inlineButtons(markup: unknown): InlineKeyboardButton[] {
  const kb = (markup as Partial<InlineKeyboardMarkup> | undefined)?.inline_keyboard;
  return Array.isArray(kb) ? kb.flat() : [];
}
