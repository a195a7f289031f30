/**
 * `/bot<token>/<method>` (GET and POST) and `/file/bot<token>/<file_path>`.
 * Answers `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }` with the
 * HTTP status equal to error_code; unknown token → 401 Unauthorized, unknown method → 404 Not Found.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import type { MethodContext } from '../methods/context';
import { findMethod } from '../methods';
import type { Simulator } from '../simulator';
import { loggableParams, readParams } from './request-params';

const UNAUTHORIZED = new ApiError(401, 'Unauthorized');
const NOT_FOUND = new ApiError(404, 'Not Found');

function sendError(reply: FastifyReply, e: ApiError): FastifyReply {
  return reply.code(e.code).type('application/json').send(e.toBody());
}

/** Mount the Bot API and file download routes. */
export function registerBotApiRoutes(app: FastifyInstance, sim: Simulator): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/*',
    handler: async (req, reply) => {
      const path = req.url.split('?')[0] ?? '';
      const api = /^\/bot([^/]+)\/([^/]+)$/.exec(path);
      if (api) return handleMethod(sim, req, reply, decodeURIComponent(api[1] as string), api[2] as string);
      const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
      if (file && req.method === 'GET') return handleFile(sim, reply, decodeURIComponent(file[1] as string), decodeURIComponent(file[2] as string));
      return sendError(reply, NOT_FOUND);
    },
  });
}

async function handleMethod(sim: Simulator, req: FastifyRequest, reply: FastifyReply, token: string, methodName: string): Promise<FastifyReply> {
  const bot = sim.world.botByToken(token);
  if (!bot) return sendError(reply, UNAUTHORIZED);
  const at = Date.now();
  const method = findMethod(methodName);
  if (!method) {
    sim.recordCall({ at, finishedAt: at, botId: bot.id, method: methodName, ok: false, errorCode: 404, description: 'Not Found', params: {} });
    return sendError(reply, NOT_FOUND);
  }
  const ctx: MethodContext = {
    sim, bot, method: method.name, params: {}, files: new Map(), note: {},
    onAbort: (cb) => reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) cb();
    }),
  };
  let status = 200;
  let body: unknown;
  try {
    const { params, files } = await readParams(req);
    // telegraf repeats the method name as a multipart field; it is not a parameter.
    if (typeof params.method === 'string' && params.method.toLowerCase() === methodName.toLowerCase()) delete params.method;
    ctx.params = params;
    ctx.files = files;
    const injected = sim.faults.take(method.name);
    if (injected) throw injected;
    body = { ok: true, result: await method.fn(ctx) };
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(500, 'Internal Server Error');
    if (!(e instanceof ApiError)) req.log.error({ err: e, method: method.name }, 'bot api method failed');
    status = err.code;
    body = err.toBody();
  }
  const failed = status === 200 ? undefined : (body as { description: string });
  sim.recordCall({
    at, finishedAt: Date.now(), botId: bot.id, method: method.name, ok: status === 200,
    ...(ctx.note.chatId !== undefined ? { chatId: ctx.note.chatId } : {}),
    ...(failed ? { errorCode: status, description: failed.description } : {}),
    ...(ctx.note.retryAfter !== undefined ? { retryAfter: ctx.note.retryAfter } : {}),
    params: loggableParams(ctx.params, ctx.files),
  });
  return reply.code(status).type('application/json').send(body);
}

function handleFile(sim: Simulator, reply: FastifyReply, token: string, filePath: string): FastifyReply {
  const bot = sim.world.botByToken(token);
  if (!bot) return sendError(reply, UNAUTHORIZED);
  const f = sim.files.byFilePath(filePath);
  if (!f || f.botId !== bot.id) return sendError(reply, NOT_FOUND);
  return reply.code(200).type(f.mimeType ?? (f.format === 'png' ? 'image/png' : 'image/jpeg')).send(f.bytes);
}
