/**
 * Answers to queries: answerCallbackQuery (not flood-counted), answerPreCheckoutQuery (10 s window),
 * answerInlineQuery (≤ 50 results, counted against the global limit).
 */
import { z } from 'zod';
import { badRequest, QUERY_TOO_OLD } from '../errors';
import { prepareResults } from '../flows/inline';
import { bool, byteLength, int, json, parseParams, str } from '../params';
import type { InlineAnswer } from '../sim-types';
import { type MethodHandler, spend } from './context';

const callbackSchema = z.object({
  callback_query_id: str(QUERY_TOO_OLD),
  text: z.string().max(200, 'MESSAGE_TOO_LONG').optional(),
  show_alert: bool().optional(),
  url: z.string().optional(),
  cache_time: int().optional(),
});

/** answerCallbackQuery: one answer per query id, by the bot that received it. */
export const answerCallbackQuery: MethodHandler = (ctx) => {
  const p = parseParams(callbackSchema, ctx.params);
  const pending = ctx.sim.callbacks.get(p.callback_query_id);
  if (!pending || pending.botId !== ctx.bot.id) throw badRequest(QUERY_TOO_OLD);
  ctx.sim.callbacks.answer(p.callback_query_id, {
    callbackQueryId: p.callback_query_id, showAlert: p.show_alert ?? false, answeredAt: Date.now(),
    ...(p.text !== undefined ? { text: p.text } : {}), ...(p.url !== undefined ? { url: p.url } : {}),
    ...(p.cache_time !== undefined ? { cacheTime: p.cache_time } : {}),
  });
  return true;
};

const preCheckoutSchema = z.object({
  pre_checkout_query_id: str(QUERY_TOO_OLD),
  ok: bool(),
  error_message: z.string().optional(),
});

/** answerPreCheckoutQuery: ok:false requires error_message; late or repeated answers get 400. */
export const answerPreCheckoutQuery: MethodHandler = (ctx) => {
  const p = parseParams(preCheckoutSchema, ctx.params);
  if (!p.ok && !p.error_message) throw badRequest('ERROR_MESSAGE_EMPTY');
  const pending = ctx.sim.preCheckouts.get(p.pre_checkout_query_id);
  if (!pending || pending.botId !== ctx.bot.id) throw badRequest(QUERY_TOO_OLD);
  ctx.sim.preCheckouts.answer(p.pre_checkout_query_id, {
    ok: p.ok, answeredAt: Date.now(), ...(p.error_message !== undefined ? { errorMessage: p.error_message } : {}),
  });
  return true;
};

const inlineSchema = z.object({
  inline_query_id: str(QUERY_TOO_OLD),
  results: json(z.array(z.unknown(), { invalid_type_error: "can't parse inline query results JSON object" }), "can't parse inline query results JSON object"),
  cache_time: int().optional(),
  is_personal: bool().optional(),
  next_offset: z.string().refine((s) => byteLength(s) <= 64, 'NEXT_OFFSET_INVALID').optional(),
  button: json(z.object({ text: z.string() }).passthrough(), "can't parse InlineQueryResultsButton JSON object").optional(),
});

/** answerInlineQuery: validates every result now (as Telegram does), remembers what each would post. */
export const answerInlineQuery: MethodHandler = (ctx) => {
  const p = parseParams(inlineSchema, ctx.params);
  const pending = ctx.sim.inline.get(p.inline_query_id);
  if (!pending || pending.botId !== ctx.bot.id || ctx.sim.inline.answerOf(p.inline_query_id)) throw badRequest(QUERY_TOO_OLD);
  const prepared = prepareResults(ctx.sim, ctx.bot, p.results);
  spend(ctx, undefined);
  const answer: InlineAnswer = {
    inlineQueryId: p.inline_query_id, results: structuredClone(p.results) as InlineAnswer['results'],
    isPersonal: p.is_personal ?? false, answeredAt: Date.now(),
  };
  if (p.cache_time !== undefined) answer.cacheTime = p.cache_time;
  if (p.next_offset) answer.nextOffset = p.next_offset;
  if (p.button) answer.button = p.button;
  ctx.sim.inline.answer(p.inline_query_id, answer);
  for (const [id, content] of prepared) pending.prepared.set(id, content);
  return true;
};
