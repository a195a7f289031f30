/**
 * Small helpers every feature uses to answer: keyboards, "show the next screen" (edit in place
 * when possible) and short notices. All message texts are HTML (Bot API parse_mode HTML), built
 * with `ctx.t`, which escapes variables.
 */
import { TelegramError } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import type { Failure } from '../domain/services/result';
import { hasText } from '../infra/i18n';
import { fitHtml, fitPlain, TELEGRAM_LIMITS } from '../messages/fit';
import type { BotContext } from './context';

export type Keyboard = InlineKeyboardButton[][];

/** A callback button; `data` comes from a codec in callback-data.ts. */
export function button(text: string, data: string): InlineKeyboardButton {
  return { text, callback_data: data };
}

export function markup(keyboard: Keyboard): InlineKeyboardMarkup {
  return { inline_keyboard: keyboard };
}

/**
 * Options of a text message: HTML, no link previews (market descriptions may hold links), and
 * the keyboard if it has buttons (an edit without one removes the old keyboard, Bot API).
 */
export function htmlExtra(keyboard: Keyboard = []) {
  return {
    parse_mode: 'HTML' as const,
    link_preview_options: { is_disabled: true },
    ...(keyboard.length > 0 ? { reply_markup: markup(keyboard) } : {}),
  };
}

/** Bot API error texts (400) that mean "editing will not work, send a new message instead". */
const UNEDITABLE = ["message can't be edited", 'message to edit not found', 'there is no text in the message to edit'];

/** True for the 400 "message is not modified" an edit that changes nothing gets. */
export function isNotModified(err: unknown): boolean {
  return err instanceof TelegramError && err.code === 400 && err.description.includes('message is not modified');
}

function isUneditable(err: unknown): boolean {
  return err instanceof TelegramError && err.code === 400 && UNEDITABLE.some((s) => err.description.includes(s));
}

/**
 * Shows the next screen. A button on a text message turns that message into the new screen
 * (navigation does not pile up messages); after a typed message, or from a photo card, the
 * screen is a new message.
 */
export async function show(ctx: BotContext, screen: string, keyboard: Keyboard = []): Promise<void> {
  // Screens built from user-provided content (titles, descriptions, lists) are cut to Telegram's
  // 4096 visible characters rather than refused (docs/LIMITS.md); long content has its own view.
  const html = fitHtml(screen, TELEGRAM_LIMITS.message);
  const message = ctx.callbackQuery?.message;
  if (message && 'text' in message) {
    try {
      await ctx.editMessageText(html, htmlExtra(keyboard));
      return;
    } catch (err) {
      if (isNotModified(err)) return;
      if (!isUneditable(err)) throw err;
    }
  }
  await ctx.reply(html, htmlExtra(keyboard));
}

/**
 * A short notice that changes no screen: the answer of the pressed button (a toast; an alert
 * when `alert`), or a reply to a typed message (or when the button was already answered).
 * `plain` is plain text (no HTML).
 */
export async function notice(ctx: BotContext, plain: string, alert = false): Promise<void> {
  if (ctx.callbackQuery && !ctx.callbackAnswered) await ctx.answerCbQuery(fitPlain(plain, TELEGRAM_LIMITS.callbackAnswer), { show_alert: alert });
  else if (ctx.chat) await ctx.reply(fitPlain(plain, TELEGRAM_LIMITS.message));
}

/**
 * The words for a domain failure (STYLE §9): `errors.<code>` with the failure's variables (the
 * locale formats kop with `{{x, money}}`); an unknown code gets the generic text, never the raw code.
 * @param html escape variables for an HTML message (default) or leave them as they are for plain text
 */
export function failureText(ctx: BotContext, failure: Failure, html = true): string {
  const key = hasText(ctx.lang, `errors.${failure.code}`) ? `errors.${failure.code}` : 'errors.unknown';
  return html ? ctx.t(key, failure.vars) : ctx.tp(key, failure.vars);
}
