/**
 * Sending methods: sendMessage, sendPhoto, sendDocument, sendInvoice, sendChatAction
 * (https://core.telegram.org/bots/api#available-methods). All of them except sendChatAction are
 * subject to flood control; the message is stored only when the call succeeds.
 */
import type { InlineKeyboardMarkup, Message } from 'telegraf/types';
import { z } from 'zod';
import { badRequest } from '../errors';
import type { StoredFile } from '../files';
import { formatText } from '../formatting';
import { parseReplyMarkup } from '../markup';
import { bool, byteLength, int, json, parseParams, str } from '../params';
import { botMessageBase, type MethodContext, type MethodHandler, replyTo, sendableChat, spend } from './context';

const textSchema = z.object({
  text: str('message text is empty'),
  parse_mode: z.string().optional(),
});

/**
 * `disable_notification` (every send method): Telegram delivers the message without sound; the
 * simulator records it on the message (SimMessage.silent). @throws ApiError 400 when not a boolean.
 */
function silentOf(ctx: MethodContext): { silent?: boolean } {
  const p = parseParams(z.object({ disable_notification: bool().optional() }), ctx.params);
  return p.disable_notification ? { silent: true } : {};
}

function store(ctx: MethodContext, chat: ReturnType<typeof sendableChat>, body: Record<string, unknown>, extra: { invoicePayload?: string } = {}): Message {
  const raw = { ...botMessageBase(ctx, chat), ...body } as unknown as Message;
  ctx.sim.store.add(chat, raw, { fromBot: true, senderId: ctx.bot.id, ...extra, ...silentOf(ctx) });
  return structuredClone(raw);
}

/** sendMessage: text 1–4096 chars after parsing, parse_mode HTML validated, inline keyboards validated. */
export const sendMessage: MethodHandler = (ctx) => {
  const p = parseParams(textSchema, ctx.params);
  const chat = sendableChat(ctx);
  const text = formatText(p.text, p.parse_mode, ctx.params.entities, 'text');
  const markup = parseReplyMarkup(ctx.params.reply_markup);
  const reply = replyTo(ctx, chat);
  spend(ctx, chat);
  return store(ctx, chat, { ...(reply ? { reply_to_message: reply } : {}), ...text, ...(markup ? { reply_markup: markup } : {}) });
};

/**
 * The photo of sendPhoto / editMessageMedia: an uploaded file part, a file_id of this bot, or an
 * http(s) URL that Telegram downloads.
 * @throws ApiError 400 `there is no photo in the request`, `wrong file identifier/HTTP URL specified`,
 *   `failed to get HTTP URL content`, `wrong type of the web page content`, image errors.
 */
export async function resolvePhoto(ctx: MethodContext, value: unknown, field: string): Promise<StoredFile> {
  const upload = ctx.files.get(field);
  if (upload) return ctx.sim.files.putPhoto(ctx.bot.id, upload.bytes);
  if (typeof value !== 'string' || value === '') throw badRequest('there is no photo in the request');
  const attach = /^attach:\/\/(.+)$/.exec(value);
  if (attach) {
    const part = ctx.files.get(attach[1] as string);
    if (!part) throw badRequest('there is no photo in the request');
    return ctx.sim.files.putPhoto(ctx.bot.id, part.bytes);
  }
  if (/^https?:\/\//i.test(value)) {
    let bytes: Buffer;
    try {
      const res = await ctx.sim.opts.fetchImpl(value);
      if (!res.ok) throw new Error(String(res.status));
      bytes = Buffer.from(await res.arrayBuffer());
    } catch {
      throw badRequest('failed to get HTTP URL content');
    }
    try {
      return ctx.sim.files.putPhoto(ctx.bot.id, bytes);
    } catch {
      throw badRequest('wrong type of the web page content');
    }
  }
  return ctx.sim.files.get(ctx.bot.id, value);
}

/** sendPhoto: caption 0–1024 chars; returns the message with a PhotoSize array. */
export const sendPhoto: MethodHandler = async (ctx) => {
  const chat = sendableChat(ctx);
  const caption = ctx.params.caption === undefined ? undefined
    : formatText(String(ctx.params.caption), ctx.params.parse_mode as string | undefined, ctx.params.caption_entities, 'caption');
  const markup = parseReplyMarkup(ctx.params.reply_markup);
  const reply = replyTo(ctx, chat);
  const file = await resolvePhoto(ctx, ctx.params.photo, 'photo');
  spend(ctx, chat);
  const body: Record<string, unknown> = { photo: ctx.sim.files.photoSizes(file) };
  if (reply) body.reply_to_message = reply;
  if (caption && caption.text !== '') {
    body.caption = caption.text;
    if (caption.entities) body.caption_entities = caption.entities;
  }
  if (markup) body.reply_markup = markup;
  return store(ctx, chat, body);
};

/**
 * sendDocument (https://core.telegram.org/bots/api#senddocument): an uploaded file part (≤ 50 MB,
 * stored whole so tests can read it back: `sim.files.get(botId, fileId).bytes`) or a file_id of a
 * document this bot sent; caption 0–1024 chars. Returns the message with a Document.
 * @throws ApiError 400 `there is no document in the request`, `wrong file identifier/HTTP URL specified`,
 *   `type of file mismatch` (a photo's file_id), `file must be non-empty`, caption errors; 413 above 50 MB.
 */
export const sendDocument: MethodHandler = (ctx) => {
  const chat = sendableChat(ctx);
  const caption = ctx.params.caption === undefined ? undefined
    : formatText(String(ctx.params.caption), ctx.params.parse_mode as string | undefined, ctx.params.caption_entities, 'caption');
  const markup = parseReplyMarkup(ctx.params.reply_markup);
  const reply = replyTo(ctx, chat);
  const file = resolveDocument(ctx, ctx.params.document);
  spend(ctx, chat);
  const body: Record<string, unknown> = { document: ctx.sim.files.documentOf(file) };
  if (reply) body.reply_to_message = reply;
  if (caption && caption.text !== '') {
    body.caption = caption.text;
    if (caption.entities) body.caption_entities = caption.entities;
  }
  if (markup) body.reply_markup = markup;
  return store(ctx, chat, body);
};

function resolveDocument(ctx: MethodContext, value: unknown): StoredFile {
  const attach = typeof value === 'string' ? /^attach:\/\/(.+)$/.exec(value) : null;
  const upload = ctx.files.get(attach ? (attach[1] as string) : 'document');
  if (upload) return ctx.sim.files.putDocument(ctx.bot.id, upload.bytes, upload.filename);
  if (typeof value !== 'string' || value === '' || attach) throw badRequest('there is no document in the request');
  const f = ctx.sim.files.get(ctx.bot.id, value);
  if (f.kind !== 'document') throw badRequest('type of file mismatch');
  return f;
}

// Currencies accepted by Telegram Payments (subset of https://core.telegram.org/bots/payments#supported-currencies).
const CURRENCIES = new Set(['RUB', 'USD', 'EUR', 'GBP', 'UAH', 'KZT', 'BYN', 'UZS', 'TRY', 'INR', 'BRL', 'XTR']);

const invoiceSchema = z.object({
  title: str('parameter "title" is required').refine((s) => s.length >= 1 && s.length <= 32, 'TITLE_INVALID'),
  description: str('parameter "description" is required').refine((s) => s.length >= 1 && s.length <= 255, 'DESCRIPTION_INVALID'),
  payload: str('parameter "payload" is required').refine((s) => byteLength(s) >= 1 && byteLength(s) <= 128, 'PAYLOAD_INVALID'),
  provider_token: z.preprocess((v) => v ?? '', z.string()),
  currency: str('parameter "currency" is required').refine((c) => CURRENCIES.has(c), 'CURRENCY_INVALID'),
  prices: json(
    z.array(z.object({ label: z.string(), amount: int("can't parse prices JSON object") }), {
      invalid_type_error: "can't parse prices JSON object",
    }).min(1, 'parameter "prices" is required'),
    "can't parse prices JSON object",
  ),
  start_parameter: z.string().optional(),
  need_name: bool().optional(),
});

/**
 * sendInvoice: payload 1–128 bytes, known currency, prices non-empty with a positive total;
 * non-Stars invoices need a provider_token, Stars (XTR) must have exactly one price and no token.
 */
export const sendInvoice: MethodHandler = (ctx) => {
  const p = parseParams(invoiceSchema, ctx.params);
  const chat = sendableChat(ctx);
  const total = p.prices.reduce((s, x) => s + x.amount, 0);
  if (p.currency === 'XTR') {
    if (p.provider_token !== '') throw badRequest('PAYMENT_PROVIDER_INVALID');
    if (p.prices.length !== 1) throw badRequest('STARS_INVOICE_INVALID');
  } else if (p.provider_token === '') {
    throw badRequest('PAYMENT_PROVIDER_INVALID');
  }
  if (total <= 0 || p.prices.some((x) => x.amount <= 0)) throw badRequest('CURRENCY_TOTAL_AMOUNT_INVALID');
  const markup = parseReplyMarkup(ctx.params.reply_markup, true);
  const first = (markup as InlineKeyboardMarkup | undefined)?.inline_keyboard[0]?.[0];
  if (markup && !(first && 'pay' in first && first.pay)) throw badRequest('REPLY_MARKUP_BUY_EMPTY');
  spend(ctx, chat);
  const invoice = { title: p.title, description: p.description, start_parameter: p.start_parameter ?? '', currency: p.currency, total_amount: total };
  return store(ctx, chat, { invoice, ...(markup ? { reply_markup: markup } : {}) }, { invoicePayload: p.payload });
};

const ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document',
  'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

/** sendChatAction: not flood-counted; validates the action name. */
export const sendChatAction: MethodHandler = (ctx) => {
  const p = parseParams(z.object({ action: str('parameter "action" is required') }), ctx.params);
  sendableChat(ctx);
  if (!ACTIONS.has(p.action)) throw badRequest('wrong parameter action in request');
  return true;
};
