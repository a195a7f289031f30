/**
 * Request parameter coercion and validation.
 *
 * Telegram accepts the same parameters as a query string, url-encoded form, JSON or multipart
 * (https://core.telegram.org/bots/api#making-requests): scalars may therefore arrive as strings
 * ("123", "true") and objects as JSON strings. These zod helpers accept every form and turn a
 * validation failure into a Telegram-like `400 Bad Request: …`.
 */
import { z } from 'zod';
import { ApiError, badRequest } from './errors';

/** Raw parameters of one call: query ∪ body fields, values as received. */
export type RawParams = Record<string, unknown>;

const INT_RE = /^\s*-?\d+\s*$/;

/** Integer given as number or decimal string. */
export const int = (required = 'invalid integer'): z.ZodType<number, z.ZodTypeDef, unknown> =>
  z.preprocess(
    (v) => (typeof v === 'string' && INT_RE.test(v) ? Number(v) : v),
    z.number({ required_error: required, invalid_type_error: required }).int(required),
  );

/** Boolean given as boolean or "true"/"false"/"1"/"0". */
export const bool = (): z.ZodType<boolean, z.ZodTypeDef, unknown> =>
  z.preprocess((v) => {
    if (v === 'true' || v === '1' || v === 1) return true;
    if (v === 'false' || v === '0' || v === 0 || v === '') return false;
    return v;
  }, z.boolean());

/** A string parameter; numbers are accepted as their decimal text (as Telegram does). */
export const str = (required: string): z.ZodType<string, z.ZodTypeDef, unknown> =>
  z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string({ required_error: required, invalid_type_error: required }));

/**
 * An object/array parameter that may arrive JSON-encoded (form, query and multipart bodies).
 * @param onBadJson description used when the string is not valid JSON.
 */
export function json<T extends z.ZodTypeAny>(schema: T, onBadJson: string): z.ZodType<z.output<T>, z.ZodTypeDef, unknown> {
  return z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return new BadJson(onBadJson);
    }
  }, z.custom<unknown>((v) => !(v instanceof BadJson), { message: onBadJson }).pipe(schema)) as z.ZodType<
    z.output<T>,
    z.ZodTypeDef,
    unknown
  >;
}

class BadJson {
  constructor(readonly message: string) {}
}

/** chat_id: integer id or `@channelusername`. Missing → `chat_id is empty` (Telegram's wording). */
export const chatId = (): z.ZodType<number | string, z.ZodTypeDef, unknown> =>
  z.preprocess(
    (v) => (typeof v === 'string' && INT_RE.test(v) ? Number(v) : v),
    z.union([z.number().int(), z.string().regex(/^@[A-Za-z0-9_]{1,64}$/)], {
      errorMap: (_issue, ctx) => ({ message: ctx.data === undefined ? 'chat_id is empty' : 'chat not found' }),
    }),
  );

/**
 * Validate raw params against a schema.
 * @throws ApiError 400 whose description is the first issue's message (our schemas carry Telegram's wording).
 */
export function parseParams<T extends z.ZodTypeAny>(schema: T, raw: RawParams): z.output<T> {
  const res = schema.safeParse(raw);
  if (res.success) return res.data as z.output<T>;
  const issue = res.error.issues[0];
  if (!issue) throw badRequest('invalid parameters');
  throw describeIssue(issue);
}

function describeIssue(issue: z.ZodIssue): ApiError {
  const field = issue.path.join('.') || 'parameters';
  const generic = new Set(['Required', 'Invalid input', 'Expected object, received string']);
  if (issue.message.startsWith('Bad Request: ')) return new ApiError(400, issue.message);
  if (issue.code === 'invalid_type' && issue.received === 'undefined' && generic.has(issue.message)) {
    return badRequest(`parameter "${field}" is required`);
  }
  if (generic.has(issue.message) || issue.message.startsWith('Expected') || issue.message.startsWith('Invalid')) {
    return badRequest(`invalid parameter "${field}": ${issue.message}`);
  }
  return badRequest(issue.message);
}

/** UTF-8 length in bytes: Telegram's limits on callback_data, payloads and ids count bytes. */
export const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');
