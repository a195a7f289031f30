/**
 * Errors of the local Bot API, shaped the way Telegram reports them.
 *
 * Telegram answers every failed call with HTTP status = `error_code` and the body
 * `{ ok: false, error_code, description, parameters? }` (https://core.telegram.org/bots/api#making-requests).
 */
import type { ResponseParameters } from 'telegraf/types';

/** A failed Bot API call. `code` is both the HTTP status and `error_code`. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
    this.name = 'ApiError';
  }

  /** The JSON body Telegram would send for this error. */
  toBody(): { ok: false; error_code: number; description: string; parameters?: ResponseParameters } {
    return this.parameters
      ? { ok: false, error_code: this.code, description: this.description, parameters: this.parameters }
      : { ok: false, error_code: this.code, description: this.description };
  }
}

/** 400 `Bad Request: <detail>`. */
export const badRequest = (detail: string): ApiError => new ApiError(400, `Bad Request: ${detail}`);

/** 403 `Forbidden: <detail>` (blocked by the user, not a member, ...). */
export const forbidden = (detail: string): ApiError => new ApiError(403, `Forbidden: ${detail}`);

/** 429 with `parameters.retry_after` in whole seconds, as Telegram's flood control answers. */
export const tooManyRequests = (retryAfterSec: number): ApiError =>
  new ApiError(429, `Too Many Requests: retry after ${retryAfterSec}`, { retry_after: retryAfterSec });

/** The one message Telegram uses for unknown, expired or already answered queries. */
export const QUERY_TOO_OLD = 'query is too old and response timeout expired or query ID is invalid';

/**
 * A mistake of the test or demo driving the simulator (pressing a button that does not exist,
 * paying a message that is no invoice...). Never sent to the bot; `/_sim` answers it with 400.
 */
export class SimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimError';
  }
}

/** The simulator waited for the bot (an answer, a message) longer than the caller allowed. `/_sim` answers 408. */
export class SimTimeoutError extends SimError {
  constructor(message: string) {
    super(message);
    this.name = 'SimTimeoutError';
  }
}
