/**
 * Inline mode (https://core.telegram.org/bots/inline): results are validated when the bot answers
 * (as Telegram does), and a chosen result is posted by the user "via @bot" with an
 * inline_message_id that later edits and callback queries use.
 */
import type { Message } from 'telegraf/types';
import { badRequest, SimError } from '../errors';
import { formatText } from '../formatting';
import { newInlineMessageId } from '../ids';
import { parseReplyMarkup } from '../markup';
import { byteLength } from '../params';
import type { ChooseInlineInput, ChosenResult } from '../sim-types';
import type { BotAccount } from '../world';
import { deliverMessage } from './delivery';
import type { FlowHost, PreparedInline } from './flow-host';

export const MAX_INLINE_RESULTS = 50;

type LooseResult = Record<string, unknown> & { type?: unknown; id?: unknown };

/**
 * Validate answerInlineQuery results and compute what each would post.
 * @throws ApiError 400 `RESULTS_TOO_MUCH`, `RESULT_ID_DUPLICATE`, `RESULT_ID_INVALID`, parse/markup errors.
 */
export function prepareResults(sim: FlowHost, bot: BotAccount, results: unknown): Map<string, PreparedInline> {
  if (!Array.isArray(results)) throw badRequest("can't parse inline query results JSON object");
  if (results.length > MAX_INLINE_RESULTS) throw badRequest('RESULTS_TOO_MUCH');
  const out = new Map<string, PreparedInline>();
  for (const r of results as LooseResult[]) {
    if (!r || typeof r !== 'object') throw badRequest("can't parse inline query result: InlineQueryResult must be an Object");
    if (typeof r.id !== 'string' || byteLength(r.id) < 1 || byteLength(r.id) > 64) throw badRequest('RESULT_ID_INVALID');
    if (out.has(r.id)) throw badRequest('RESULT_ID_DUPLICATE');
    out.set(r.id, prepareOne(sim, bot, r));
  }
  return out;
}

function field(name: string, type: string): never {
  throw badRequest(`can't parse inline query result: Field "${name}" must be of type ${type}`);
}

function prepareOne(sim: FlowHost, bot: BotAccount, r: LooseResult): PreparedInline {
  const markup = parseReplyMarkup(r.reply_markup, true);
  const withMarkup = <T extends PreparedInline>(p: T): T => (markup ? { ...p, replyMarkup: markup } : p);
  const content = r.input_message_content as Record<string, unknown> | undefined;
  const textContent = (): PreparedInline => {
    if (!content || typeof content !== 'object') return field('input_message_content', 'Object');
    if (typeof content.message_text !== 'string') return field('message_text', 'String');
    const f = formatText(content.message_text, content.parse_mode as string | undefined, content.entities, 'text');
    return withMarkup(f.entities ? { kind: 'text', text: f.text, entities: f.entities } : { kind: 'text', text: f.text });
  };
  switch (r.type) {
    case 'article':
      if (typeof r.title !== 'string' || r.title === '') field('title', 'String');
      return textContent();
    case 'photo': {
      if (content) return textContent();
      const caption = typeof r.caption === 'string' ? formatText(r.caption, r.parse_mode as string | undefined, r.caption_entities, 'caption') : undefined;
      const cap = caption ? { caption: caption.text, ...(caption.entities ? { captionEntities: caption.entities } : {}) } : {};
      if (typeof r.photo_file_id === 'string') {
        sim.files.get(bot.id, r.photo_file_id);
        return withMarkup({ kind: 'photo', fileId: r.photo_file_id, ...cap });
      }
      if (typeof r.photo_url !== 'string' || !/^https?:\/\//i.test(r.photo_url)) return field('photo_url', 'String');
      if (typeof r.thumbnail_url !== 'string') return field('thumbnail_url', 'String');
      return withMarkup({ kind: 'photo', url: r.photo_url, ...cap });
    }
    default:
      // Other result types are accepted only when they post text; media kinds are not emulated.
      if (content) return textContent();
      throw badRequest(`inline query result type "${String(r.type)}" is not supported by the local Bot API`);
  }
}

/** Post the chosen result into the chat and send chosen_inline_result. See Simulator.chooseInlineResult. */
export async function chooseInlineResult(sim: FlowHost, input: ChooseInlineInput): Promise<ChosenResult> {
  const ctx = sim.inline.get(input.inlineQueryId);
  if (!ctx) throw new SimError(`unknown inline query ${input.inlineQueryId}`);
  const answer = sim.inline.answerOf(input.inlineQueryId);
  if (!answer) throw new SimError(`the bot has not answered inline query ${input.inlineQueryId}`);
  const prepared = ctx.prepared.get(input.resultId);
  if (!prepared) throw new SimError(`inline query ${input.inlineQueryId} has no result "${input.resultId}"`);
  const bot = sim.world.bot(ctx.botId);
  const user = sim.world.user(ctx.userId);
  const chat = sim.world.chats.get(ctx.chatKey);
  if (!chat) throw new SimError('chat of the inline query vanished');
  const body = await messageBody(sim, bot, prepared);
  const raw = { ...sim.userMessageBase(chat, user.id), via_bot: sim.world.botUser(bot), ...body } as unknown as Message;
  const inlineMessageId = newInlineMessageId();
  const stored = sim.store.add(chat, raw, { fromBot: false, senderId: user.id, viaBotId: bot.id, inlineMessageId });
  chat.lastUserActionSeq = stored.seq;
  if (chat.type === 'private') user.startedBots.add(bot.id);
  const updateIds = deliverMessage(sim.world, chat, raw);
  if (bot.inlineFeedback) {
    const chosen: Record<string, unknown> = { result_id: input.resultId, from: sim.world.userObject(user), query: ctx.query };
    // Documented: inline_message_id is only present when the message has an inline keyboard.
    if (prepared.replyMarkup) chosen.inline_message_id = inlineMessageId;
    const id = bot.queue.push({ chosen_inline_result: chosen });
    if (id !== null) updateIds.push(id);
  }
  return { chatId: chat.id, messageId: raw.message_id, inlineMessageId, updateIds, seq: stored.seq };
}

async function messageBody(sim: FlowHost, bot: BotAccount, p: PreparedInline): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  if (p.kind === 'text') {
    body.text = p.text;
    if (p.entities) body.entities = p.entities;
  } else {
    const file = p.fileId ? sim.files.get(bot.id, p.fileId) : await fetchPhoto(sim, bot, p.url as string);
    body.photo = sim.files.photoSizes(file);
    if (p.caption) body.caption = p.caption;
    if (p.captionEntities) body.caption_entities = p.captionEntities;
  }
  if (p.replyMarkup) body.reply_markup = p.replyMarkup;
  return body;
}

async function fetchPhoto(sim: FlowHost, bot: BotAccount, url: string): Promise<ReturnType<FlowHost['files']['putPhoto']>> {
  try {
    const res = await sim.opts.fetchImpl(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return sim.files.putPhoto(bot.id, Buffer.from(await res.arrayBuffer()));
  } catch (e) {
    throw new SimError(`Telegram could not fetch photo_url ${url}: ${(e as Error).message}`);
  }
}

