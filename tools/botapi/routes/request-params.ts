/**
 * Reading Bot API parameters from any request form Telegram accepts: query string, JSON,
 * application/x-www-form-urlencoded and multipart/form-data (files kept as buffers).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseQuery } from 'node:querystring';
import multipart from '@fastify/multipart';
import { ApiError } from '../errors';
import type { UploadedFile } from '../methods/context';
import type { RawParams } from '../params';

/** Telegram's upload limit for bots (50 MB). */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** Register body parsers: lenient JSON (empty body = no params), url-encoded, multipart, anything else ignored. */
export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_UPLOAD_BYTES }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError(400, "Bad Request: can't parse JSON object"), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseQuery(String(body)));
  });
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 20, fields: 200 } });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, {}));
}

/** Parameters and uploaded files of a request (body fields override query fields). */
export async function readParams(req: FastifyRequest): Promise<{ params: RawParams; files: Map<string, UploadedFile> }> {
  const params: RawParams = { ...(req.query as RawParams | undefined) };
  const files = new Map<string, UploadedFile>();
  if (req.isMultipart()) {
    try {
      for await (const part of req.parts()) {
        if (part.type === 'file') files.set(part.fieldname, { filename: part.filename, bytes: await part.toBuffer() });
        else params[part.fieldname] = part.value;
      }
    } catch (e) {
      if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new ApiError(413, 'Request Entity Too Large');
      throw new ApiError(400, "Bad Request: can't parse multipart/form-data request");
    }
  } else if (req.body && typeof req.body === 'object') {
    Object.assign(params, req.body as RawParams);
  }
  return { params, files };
}

/** Parameters for the call log: uploads summarised as `{ file, size }`. */
export function loggableParams(params: RawParams, files: Map<string, UploadedFile>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  for (const [name, f] of files) out[name] = { file: f.filename, size: f.bytes.length };
  return out;
}
