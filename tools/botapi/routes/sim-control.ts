/**
 * `/_sim/*`: the HTTP control API of the simulator, so a separate process (the demo) can play users
 * and inspect what the bot did. JSON in, JSON out. Caller mistakes → 400 `{ error, name: "SimError" }`,
 * waits that ran out → 408 `{ error, name: "SimTimeoutError" }`.
 *
 * | verb | path | body / query | answer |
 * | POST | /_sim/bots | CreateBotInput | BotInfo |
 * | POST | /_sim/users | CreateUserInput | SimUser |
 * | POST | /_sim/groups | CreateGroupInput | SimChatInfo |
 * | POST | /_sim/channels | CreateChannelInput | SimChatInfo |
 * | POST | /_sim/send-text | SendTextInput | ActionResult |
 * | POST | /_sim/press-button | PressButtonInput | PressResult |
 * | POST | /_sim/callback-answer | { callbackQueryId, timeoutMs? } | CallbackAnswer |
 * | POST | /_sim/pay-invoice | PayInvoiceInput | PaymentOutcome |
 * | POST | /_sim/redeliver-payment | RedeliverInput | { updateId } |
 * | POST | /_sim/inline-query | InlineQueryInput | InlineQueryResultRef |
 * | POST | /_sim/inline-answer | { inlineQueryId, timeoutMs? } | InlineAnswer |
 * | POST | /_sim/choose-inline-result | ChooseInlineInput | ChosenResult |
 * | POST | /_sim/block-bot, /_sim/unblock-bot | BlockInput | { updateId } |
 * | GET  | /_sim/chats/:chatId/messages | ?botId | SimMessage[] |
 * | GET  | /_sim/chats/:chatId/last-bot-message | ?botId | SimMessage or null |
 * | POST | /_sim/wait-bot-message | { chatId, match: MessageMatch, timeoutMs?, since?, botId? } | SimMessage |
 * | GET  | /_sim/updates | ?botId | Update[] |
 * | GET  | /_sim/api-calls | ?method&botId&sinceMs | ApiCallRecord[] |
 * | GET  | /_sim/rate-limits | | RateLimitReport |
 * | POST | /_sim/faults | FaultSpec (faults.ts) | { ok: true } |
 * | POST | /_sim/faults/clear | | { ok: true } |
 * | GET  | /_sim/health | | { ok: true } |
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SimError, SimTimeoutError } from '../errors';
import type { Simulator } from '../simulator';

type Body = Record<string, unknown>;

const num = (v: unknown): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

/** Map simulator errors to HTTP answers. */
export function sendSimError(reply: FastifyReply, e: unknown): FastifyReply {
  if (e instanceof SimTimeoutError) return reply.code(408).send({ error: e.message, name: e.name });
  if (e instanceof SimError) return reply.code(400).send({ error: e.message, name: e.name });
  return reply.code(500).send({ error: (e as Error).message ?? String(e), name: 'Error' });
}

function need(body: Body, ...fields: string[]): void {
  for (const f of fields) if (body[f] === undefined) throw new SimError(`"${f}" is required`);
}

/** Mount `/_sim/*`. */
export function registerSimRoutes(app: FastifyInstance, sim: Simulator): void {
  const post = (path: string, fields: string[], fn: (b: Body) => unknown): void => {
    app.post(`/_sim/${path}`, async (req, reply) => {
      const body = (req.body ?? {}) as Body;
      try {
        need(body, ...fields);
        const result = await fn(body);
        return reply.send(result ?? null);
      } catch (e) {
        return sendSimError(reply, e);
      }
    });
  };
  const get = (path: string, fn: (q: Body, p: Body) => unknown): void => {
    app.get(`/_sim/${path}`, async (req, reply) => {
      try {
        return reply.send((await fn(req.query as Body, req.params as Body)) ?? null);
      } catch (e) {
        return sendSimError(reply, e);
      }
    });
  };
  /* eslint-disable @typescript-eslint/no-explicit-any -- bodies are checked by the simulator itself */
  post('bots', ['username'], (b) => sim.createBot(b as any));
  post('users', ['first_name'], (b) => sim.createUser(b as any));
  post('groups', ['title', 'creatorId'], (b) => sim.createGroup(b as any));
  post('channels', ['title', 'creatorId'], (b) => sim.createChannel(b as any));
  post('send-text', ['userId', 'text'], (b) => sim.sendText(b as any));
  post('press-button', ['userId'], (b) => {
    const { answered: _fn, ...result } = sim.pressButton(b as any);
    return result;
  });
  post('callback-answer', ['callbackQueryId'], (b) => sim.waitForCallbackAnswer(String(b.callbackQueryId), num(b.timeoutMs)));
  post('pay-invoice', ['userId'], (b) => sim.payInvoice(b as any));
  post('redeliver-payment', ['chatId', 'messageId'], (b) => sim.redeliverPayment(b as any));
  post('inline-query', ['userId', 'query'], (b) => sim.inlineQuery(b as any));
  post('inline-answer', ['inlineQueryId'], (b) => sim.waitForInlineAnswer(String(b.inlineQueryId), num(b.timeoutMs)));
  post('choose-inline-result', ['inlineQueryId', 'resultId'], (b) => sim.chooseInlineResult(b as any));
  post('block-bot', ['userId'], (b) => sim.blockBot(b as any));
  post('unblock-bot', ['userId'], (b) => sim.unblockBot(b as any));
  post('faults', ['status'], (b) => sim.faults.set(b as any));
  post('faults/clear', [], () => sim.faults.clear());
  post('wait-bot-message', ['chatId', 'match'], (b) => {
    const opts: { since?: number; botId?: number } = {};
    const since = num(b.since);
    const botId = num(b.botId);
    if (since !== undefined) opts.since = since;
    if (botId !== undefined) opts.botId = botId;
    return sim.waitForBotMessage(Number(b.chatId), b.match as any, num(b.timeoutMs), opts);
  });
  /* eslint-enable @typescript-eslint/no-explicit-any */
  const botOpt = (q: Body): { botId?: number } => (num(q.botId) === undefined ? {} : { botId: num(q.botId) as number });
  get('chats/:chatId/messages', (q, p) => sim.messages(Number(p.chatId), botOpt(q)));
  get('chats/:chatId/last-bot-message', (q, p) => sim.lastBotMessage(Number(p.chatId), botOpt(q)));
  get('updates', (q) => sim.updates(num(q.botId)));
  get('api-calls', (q) => {
    const filter: { method?: string; botId?: number; sinceMs?: number } = {};
    if (typeof q.method === 'string') filter.method = q.method;
    if (num(q.botId) !== undefined) filter.botId = num(q.botId) as number;
    if (num(q.sinceMs) !== undefined) filter.sinceMs = num(q.sinceMs) as number;
    return sim.apiCalls(filter);
  });
  get('rate-limits', () => sim.rateLimits());
  get('health', () => ({ ok: true }));
}
