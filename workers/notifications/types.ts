import type { InlineKeyboardMarkup } from 'telegraf/types';
import { z } from 'zod';
import { NOTIFICATION_TOPICS } from '../../domain/services/notification-rules';
import type { NotificationJob } from '../../messages/outgoing';

/** Jobs are worded by the message layer (messages/); the pipeline only delivers them. */
export type { NotificationJob };

/**
 * Telegram's sending limits (Bot FAQ, "My bot is hitting limits, how do I avoid this?":
 * https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this). Edits count
 * against the same budgets as sends: Telegram applies "a similar budget" to edits in groups, and
 * sharing one budget keeps a chat's sends and edits in one ordered lane.
 */
export interface NotifyLimits {
  /** Bot-wide messages per second: "no more than 30 messages per second" for bulk notifications. */
  globalPerSec: number;
  /** Messages per second in one chat: "avoid sending more than one message per second". */
  perChatPerSec: number;
  /** Messages per minute in one group or channel: "not able to send more than 20 messages per minute". */
  groupPerMin: number;
  /**
   * Safety margin, ms, for the spread between the moment a slot is reserved and the moment Telegram
   * sees the request (timers, event-loop lag, network). Spacing is (window + jitterMs) / max, so
   * max + 1 requests cannot land inside one window even if their arrivals shift by up to jitterMs.
   */
  jitterMs: number;
  /**
   * How far ahead, ms, a job may reserve a global slot and sleep until it; beyond that it goes back
   * to the delayed set. Reserved slots are first come, first served, so this is also how long a
   * group whose turn came waits behind private chats when the bot-wide budget is saturated: short
   * keeps the groups' scarce budget used (a 1 s horizon cost the benchmark 7 %).
   */
  horizonMs: number;
}

/** Telegram's documented limits with a 50 ms jitter margin: ≤ 28.6 msgs/s overall, 1 per 1.05 s per chat, 1 per 3 s per group. */
export const DEFAULT_LIMITS: NotifyLimits = { globalPerSec: 30, perChatPerSec: 1, groupPerMin: 20, jitterMs: 50, horizonMs: 200 };

const keyboardSchema = z.custom<InlineKeyboardMarkup>(
  (v) => typeof v === 'object' && v !== null && Array.isArray((v as { inline_keyboard?: unknown }).inline_keyboard),
  'replyMarkup must be an InlineKeyboardMarkup',
);

/** Validates a job at the producer (bad input fails the caller) and again in the worker (bad data is dropped). */
export const notificationJobSchema: z.ZodType<NotificationJob> = z
  .object({
    chatId: z.number().int().refine((n) => n !== 0 && Number.isSafeInteger(n), 'chatId must be a non-zero safe integer'),
    kind: z.enum(['send', 'photo', 'edit_text', 'edit_caption', 'edit_markup']),
    text: z.string().min(1).optional(),
    parseMode: z.literal('HTML').optional(),
    replyMarkup: keyboardSchema.optional(),
    photo: z.object({ fileId: z.string().min(1).optional(), base64Png: z.string().min(1).optional() }).optional(),
    messageId: z.number().int().positive().optional(),
    inlineMessageId: z.string().min(1).optional(),
    coalesceKey: z.string().min(1).max(200).optional(),
    userId: z.number().int().positive().optional(),
    digestLine: z.string().min(1).optional(),
    dedupeKey: z.string().min(1).max(200).optional(),
    reqId: z.string().min(1).max(200).optional(),
    topic: z.enum(NOTIFICATION_TOPICS).optional(),
    silent: z.boolean().optional(),
  })
  .superRefine((j, ctx) => {
    const problem = shapeProblem(j);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

/** The fields each kind needs (the Bot API would otherwise refuse the call with a 400). */
function shapeProblem(j: NotificationJob): string | undefined {
  const isEdit = j.kind.startsWith('edit_');
  if ((j.kind === 'send' || j.kind === 'edit_text') && !j.text) return `${j.kind} needs text`;
  if (j.kind === 'photo' && !j.photo?.fileId === !j.photo?.base64Png) return 'photo needs exactly one of fileId, base64Png';
  if (isEdit && (j.messageId === undefined) === (j.inlineMessageId === undefined)) {
    return 'an edit needs exactly one of messageId, inlineMessageId';
  }
  if (!isEdit && (j.messageId !== undefined || j.inlineMessageId !== undefined)) return `${j.kind} takes no message id`;
  return undefined;
}
