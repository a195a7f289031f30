/**
 * What every Bot API method handler receives, and the helpers they share: chat resolution with
 * Telegram's errors, flood control, message bases and edit-target lookup.
 */
import type { Message } from 'telegraf/types';
import { badRequest, tooManyRequests } from '../errors';
import type { StoredMessage } from '../message-store';
import { chatId as chatIdParam, int, parseParams, type RawParams } from '../params';
import type { Simulator } from '../simulator';
import type { BotAccount, ChatState } from '../world';
import { z } from 'zod';

/** A file part of a multipart request. */
export interface UploadedFile {
  filename: string;
  bytes: Buffer;
}

/** Input of one method call. */
export interface MethodContext {
  sim: Simulator;
  bot: BotAccount;
  method: string;
  params: RawParams;
  /** Multipart file parts by field name (`photo`, or the name used in `attach://<name>`). */
  files: Map<string, UploadedFile>;
  /** Register a callback for the client hanging up (long polling). */
  onAbort(cb: () => void): void;
  /** Facts for the call log. */
  note: { chatId?: number; retryAfter?: number };
}

/** A method: returns the `result` or throws ApiError. */
export type MethodHandler = (ctx: MethodContext) => unknown;

/** Resolve chat_id for this bot and note it in the call log. @throws ApiError 400 `chat not found`. */
export function resolveChat(ctx: MethodContext, raw: unknown = ctx.params.chat_id): ChatState {
  const id = parseParams(z.object({ chat_id: chatIdParam() }), { chat_id: raw }).chat_id;
  const chat = ctx.sim.world.resolveForBot(ctx.bot, id);
  ctx.note.chatId = chat.id;
  return chat;
}

/** Resolve a chat the bot is about to post into: adds the 403/400 membership checks. */
export function sendableChat(ctx: MethodContext): ChatState {
  const chat = resolveChat(ctx);
  ctx.sim.world.assertCanSend(ctx.bot, chat);
  return chat;
}

/**
 * Flood control for counted methods; call right before the side effect.
 * @throws ApiError 429 `Too Many Requests: retry after N` (the message is not sent).
 */
export function spend(ctx: MethodContext, chat: ChatState | undefined): void {
  const target = { botId: ctx.bot.id, method: ctx.method };
  const rejection = ctx.bot.limiter.take(chat
    ? { ...target, chatKey: chat.key, chatId: chat.id, isGroup: chat.type !== 'private' }
    : target);
  if (rejection) {
    ctx.note.retryAfter = rejection.retryAfter;
    throw tooManyRequests(rejection.retryAfter);
  }
}

/** `{ message_id, from|sender_chat, chat, date }` of a new bot message (channel posts carry sender_chat). */
export function botMessageBase(ctx: MethodContext, chat: ChatState): Record<string, unknown> {
  const { world, store } = ctx.sim;
  const base: Record<string, unknown> = { message_id: store.allocId(chat) };
  if (chat.type === 'channel') base.sender_chat = world.chatObject(chat);
  else base.from = world.botUser(ctx.bot);
  base.chat = world.chatObject(chat);
  base.date = Math.floor(Date.now() / 1000);
  return base;
}

/**
 * reply_parameters / reply_to_message_id → reply_to_message (without its own reply, as documented).
 * @throws ApiError 400 `message to be replied not found` unless allow_sending_without_reply.
 */
export function replyTo(ctx: MethodContext, chat: ChatState): Message | undefined {
  let params = ctx.params.reply_parameters as Record<string, unknown> | string | undefined;
  if (typeof params === 'string') {
    try {
      params = JSON.parse(params) as Record<string, unknown>;
    } catch {
      throw badRequest("can't parse reply parameters JSON object");
    }
  }
  const raw = params?.message_id ?? ctx.params.reply_to_message_id;
  if (raw === undefined) return undefined;
  const id = parseParams(z.object({ id: int('message to be replied not found') }), { id: raw }).id;
  const target = ctx.sim.store.get(chat, id);
  const allow = params?.allow_sending_without_reply ?? ctx.params.allow_sending_without_reply;
  if (!target || target.deleted) {
    if (allow === true || allow === 'true') return undefined;
    throw badRequest('message to be replied not found');
  }
  const { reply_to_message: _nested, ...quoted } = structuredClone(target.raw) as Message & { reply_to_message?: unknown };
  return quoted as Message; // documented: no nested reply_to_message
}

/** A message an edit* method targets. `inline` results are answered with `true` instead of the Message. */
export interface EditTarget {
  stored: StoredMessage;
  chat: ChatState;
  inline: boolean;
}

/**
 * chat_id + message_id, or inline_message_id (exactly one form).
 * @throws ApiError 400 `message identifier is not specified`, `chat not found`, `message to edit not found`,
 *   `message can't be edited` (not this bot's message).
 */
export function editTarget(ctx: MethodContext): EditTarget {
  const { params, sim, bot } = ctx;
  if (params.inline_message_id !== undefined && params.inline_message_id !== '') {
    if (params.chat_id !== undefined || params.message_id !== undefined) throw badRequest("can't use both inline_message_id and chat_id/message_id");
    const stored = sim.store.byInlineId(String(params.inline_message_id));
    if (!stored || stored.deleted || stored.viaBotId !== bot.id) throw badRequest('message to edit not found');
    ctx.note.chatId = stored.chat.id;
    return { stored, chat: stored.chat, inline: true };
  }
  if (params.message_id === undefined) throw badRequest('message identifier is not specified');
  if (params.chat_id === undefined) throw badRequest('chat_id is empty');
  const chat = resolveChat(ctx);
  const id = parseParams(z.object({ id: int('message identifier is not specified') }), { id: params.message_id }).id;
  const stored = sim.store.get(chat, id);
  if (!stored || stored.deleted) throw badRequest('message to edit not found');
  if (!stored.fromBot || stored.senderId !== bot.id) throw badRequest("message can't be edited");
  return { stored, chat, inline: false };
}
