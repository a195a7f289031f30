/**
 * Updating messages (https://core.telegram.org/bots/api#updating-messages): editMessageText,
 * editMessageCaption, editMessageMedia, editMessageReplyMarkup, deleteMessage.
 *
 * Telegram rules kept here: an edit without reply_markup removes the inline keyboard; an edit that
 * changes nothing is refused with "message is not modified"; inline messages are edited by
 * inline_message_id and the result is `true` instead of the Message.
 */
import type { Message, MessageEntity } from 'telegraf/types';
import { z } from 'zod';
import { badRequest } from '../errors';
import { formatText, sameJson } from '../formatting';
import { type AnyMarkup, parseReplyMarkup } from '../markup';
import { int, json, parseParams, str } from '../params';
import { type EditTarget, editTarget, type MethodContext, type MethodHandler, resolveChat, spend } from './context';
import { resolvePhoto } from './send';

const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

type RawMsg = Message & {
  text?: string; entities?: MessageEntity[]; caption?: string; caption_entities?: MessageEntity[];
  photo?: Array<{ file_unique_id: string }>; reply_markup?: AnyMarkup; invoice?: unknown;
};

/** Apply `changes` unless they change nothing; counts against flood control; returns Message or true. */
function apply(ctx: MethodContext, t: EditTarget, changes: Partial<RawMsg>, markup: AnyMarkup | undefined): Message | true {
  const cur = t.stored.raw as RawMsg;
  const next = { ...cur, ...changes } as RawMsg;
  if (markup) next.reply_markup = markup;
  else delete next.reply_markup;
  for (const k of Object.keys(next) as Array<keyof RawMsg>) if (next[k] === undefined) delete next[k];
  const { edit_date: _a, ...curBody } = cur as RawMsg & { edit_date?: number };
  const { edit_date: _b, ...nextBody } = next as RawMsg & { edit_date?: number };
  if (sameJson(curBody, nextBody)) throw badRequest(NOT_MODIFIED);
  spend(ctx, t.chat);
  (next as RawMsg & { edit_date: number }).edit_date = Math.floor(Date.now() / 1000);
  ctx.sim.store.edit(t.stored, next);
  return t.inline ? true : structuredClone(next);
}

/** editMessageText: only messages with text; text rules as sendMessage. */
export const editMessageText: MethodHandler = (ctx) => {
  const p = parseParams(z.object({ text: str('message text is empty'), parse_mode: z.string().optional() }), ctx.params);
  const t = editTarget(ctx);
  const cur = t.stored.raw as RawMsg;
  if (cur.text === undefined) throw badRequest('there is no text in the message to edit');
  const f = formatText(p.text, p.parse_mode, ctx.params.entities, 'text');
  return apply(ctx, t, { text: f.text, entities: f.entities }, parseReplyMarkup(ctx.params.reply_markup, true));
};

/** editMessageCaption: only media messages; an absent caption removes it. */
export const editMessageCaption: MethodHandler = (ctx) => {
  const t = editTarget(ctx);
  const cur = t.stored.raw as RawMsg;
  if (cur.photo === undefined) throw badRequest('there is no caption in the message to edit');
  const f = ctx.params.caption === undefined ? { text: '' }
    : formatText(String(ctx.params.caption), ctx.params.parse_mode as string | undefined, ctx.params.caption_entities, 'caption');
  const changes: Partial<RawMsg> = { caption: f.text || undefined, caption_entities: 'entities' in f ? f.entities : undefined };
  return apply(ctx, t, changes, parseReplyMarkup(ctx.params.reply_markup, true));
};

const inputMediaSchema = z.object({
  media: json(
    z.object({
      type: z.literal('photo', { errorMap: () => ({ message: 'Bad Request: only InputMediaPhoto is supported by the local Bot API' }) }),
      media: z.string({ required_error: 'there is no media in the request' }),
      caption: z.string().optional(),
      parse_mode: z.string().optional(),
      caption_entities: z.unknown().optional(),
    }, { required_error: "can't parse InputMedia JSON object", invalid_type_error: "can't parse InputMedia JSON object" }),
    "can't parse InputMedia JSON object",
  ),
});

/** editMessageMedia (photo): replaces photo and caption (absent caption → none). */
export const editMessageMedia: MethodHandler = async (ctx) => {
  const { media } = parseParams(inputMediaSchema, ctx.params);
  const t = editTarget(ctx);
  const cur = t.stored.raw as RawMsg;
  if (cur.photo === undefined) throw badRequest('there is no media in the message to edit');
  const caption = media.caption === undefined ? undefined : formatText(media.caption, media.parse_mode, media.caption_entities, 'caption');
  const markup = parseReplyMarkup(ctx.params.reply_markup, true);
  const file = await resolvePhoto(ctx, media.media, '');
  return apply(ctx, t, {
    photo: ctx.sim.files.photoSizes(file), caption: caption?.text || undefined, caption_entities: caption?.entities,
  }, markup);
};

/** editMessageReplyMarkup: replaces (or, when absent, removes) the inline keyboard. */
export const editMessageReplyMarkup: MethodHandler = (ctx) => {
  const t = editTarget(ctx);
  return apply(ctx, t, {}, parseReplyMarkup(ctx.params.reply_markup, true));
};

/**
 * deleteMessage: own messages always; in private chats also the user's; in groups others' messages
 * need the bot to be an administrator.
 * @throws ApiError 400 `message to delete not found`, `message can't be deleted`.
 */
export const deleteMessage: MethodHandler = (ctx) => {
  const p = parseParams(z.object({ message_id: int('message identifier is not specified') }), ctx.params);
  const chat = resolveChat(ctx);
  const stored = ctx.sim.store.get(chat, p.message_id);
  if (!stored || stored.deleted) throw badRequest('message to delete not found');
  const own = stored.fromBot && stored.senderId === ctx.bot.id;
  const admin = chat.members.get(ctx.bot.id) === 'administrator';
  if (!own && chat.type !== 'private' && !admin) throw badRequest("message can't be deleted");
  ctx.sim.store.remove(stored);
  return true;
};
