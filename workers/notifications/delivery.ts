/**
 * One notification → one Bot API call, and what its failure means for the pipeline.
 * Error shapes follow https://core.telegram.org/bots/api#making-requests: `error_code` is the HTTP
 * status, 429 carries `parameters.retry_after` (seconds).
 */
import { TelegramError, type Telegram } from 'telegraf';
import { fitHtml, fitPlain, TELEGRAM_LIMITS } from '../../messages/fit';
import type { NotificationJob } from './types';

/** Upload name of base64 PNGs (Telegram needs a file name on multipart parts). */
const PNG_NAME = 'image.png';

type CallOptions = NonNullable<Parameters<Telegram['callApi']>[2]>;

/**
 * Make the call for `job`.
 * @param timeoutMs abort the HTTP request after this long (telegraf's own timeout is 500 s).
 * @throws TelegramError for Bot API errors, anything else for network trouble.
 */
export async function deliver(telegram: Telegram, job: NotificationJob, timeoutMs: number): Promise<void> {
  // telegraf types `signal` with the abort-controller shim; node-fetch underneath takes Node's AbortSignal.
  const opts = { signal: AbortSignal.timeout(timeoutMs) } as unknown as CallOptions;
  const format = { parse_mode: job.parseMode, reply_markup: job.replyMarkup };
  // Only new messages can be silent; edits never notify anyway.
  const sound = job.silent ? { disable_notification: true } : {};
  // The message layer words texts within Telegram's limits; this is the last guard, so a text that
  // is still too long is cut (by visible length, tags kept whole) instead of refused for good.
  const fit = (text: string | undefined, limit: number) => (text === undefined ? undefined : job.parseMode === 'HTML' ? fitHtml(text, limit) : fitPlain(text, limit));
  const text = fit(job.text, TELEGRAM_LIMITS.message) ?? '';
  const caption = fit(job.text, TELEGRAM_LIMITS.caption);
  const target = job.inlineMessageId !== undefined
    ? { inline_message_id: job.inlineMessageId }
    : { chat_id: job.chatId, message_id: job.messageId };
  switch (job.kind) {
    case 'send':
      await telegram.callApi('sendMessage', { chat_id: job.chatId, text, ...format, ...sound }, opts);
      return;
    case 'photo': {
      const photo = job.photo?.fileId ?? { source: Buffer.from(job.photo?.base64Png ?? '', 'base64'), filename: PNG_NAME };
      await telegram.callApi('sendPhoto', { chat_id: job.chatId, photo, caption, ...format, ...sound }, opts);
      return;
    }
    case 'edit_text':
      await telegram.callApi('editMessageText', { ...target, text, ...format }, opts);
      return;
    case 'edit_caption':
      await telegram.callApi('editMessageCaption', { ...target, caption, ...format }, opts);
      return;
    case 'edit_markup':
      await telegram.callApi('editMessageReplyMarkup', { ...target, reply_markup: job.replyMarkup }, opts);
      return;
  }
}

/** What a failed call means. */
export type Failure =
  /** 429: wait `retryAfterSec` before anything else goes to that scope. */
  | { kind: 'rate_limited'; retryAfterSec: number }
  /** 403 (blocked by the user, kicked from the group, deactivated user): this chat is unreachable. */
  | { kind: 'forbidden'; description: string }
  /** 400 "message is not modified": the edit's content is already there, i.e. success. */
  | { kind: 'not_modified' }
  /** Any other 400: this request can never succeed (chat not found, message to edit not found, bad HTML). */
  | { kind: 'rejected'; description: string }
  /** Network errors, timeouts, 5xx, and 401/404 (a deployment problem, not this message's): retry later. */
  | { kind: 'transient'; description: string };

/** Classify a thrown error of {@link deliver}. */
export function classify(err: unknown): Failure {
  if (!(err instanceof TelegramError)) return { kind: 'transient', description: err instanceof Error ? err.message : String(err) };
  const description = err.description ?? '';
  switch (err.code) {
    case 429:
      // Telegram always sends retry_after with 429; 1 s is the least it could mean.
      return { kind: 'rate_limited', retryAfterSec: err.parameters?.retry_after ?? 1 };
    case 403:
      return { kind: 'forbidden', description };
    case 400:
      return /message is not modified/i.test(description) ? { kind: 'not_modified' } : { kind: 'rejected', description };
    default:
      return { kind: 'transient', description: `${err.code}: ${description}` };
  }
}
