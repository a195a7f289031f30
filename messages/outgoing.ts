/**
 * The shape of an outbound message as the message layer words it and the notifications pipeline
 * (workers/notifications) delivers it.
 */
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { NotificationTopic } from '../domain/services/notification-rules';

/**
 * What a message is about, for the user's per-type switches in /settings (issue 11): fills of the
 * user's orders, outcomes and payouts, price alerts, stop-loss / take-profit triggers, digests of
 * watched markets. A job without a topic is always delivered (service messages). The list and
 * the rules live in domain/services/notification-rules.ts.
 */
export type { NotificationTopic };

/**
 * One outbound Telegram message that is not a direct reply to the user's own action: a fill of a
 * resting order, a settlement payout, resolution news, a digest, an edit of a card posted in a group.
 * Texts arrive already localized; the pipeline never writes user-facing words itself.
 */
export interface NotificationJob {
  /**
   * Target chat: a user's id for a private chat, negative for groups, supergroups and channels
   * (which get the stricter group budget). The pipeline keeps order and paces per `chatId`, so for
   * edits of an inline message whose chat is unknown, pass any stable negative id per card.
   */
  chatId: number;
  kind: 'send' | 'photo' | 'edit_text' | 'edit_caption' | 'edit_markup';
  /** Message text, or the caption for `photo` / `edit_caption`. */
  text?: string;
  parseMode?: 'HTML';
  /** Inline keyboard; for `edit_markup`, absent removes the keyboard (Telegram's rule). */
  replyMarkup?: InlineKeyboardMarkup;
  /** For `photo`: a file_id already on Telegram, or PNG bytes in base64 to upload. */
  photo?: { fileId?: string; base64Png?: string };
  /** For edits: chat_id + message_id form. */
  messageId?: number;
  /** For edits: inline message form (a card posted via inline mode). */
  inlineMessageId?: string;
  /** For edits of the same target, a later edit supersedes a pending one. */
  coalesceKey?: string;
  /** User id (users.id) when the chat is a private chat of a known user, for blocking + batching. */
  userId?: number;
  /**
   * Summary line for users in hourly/daily batched mode, in the job's parse mode (plain text unless
   * `parseMode` is 'HTML'; plain lines are escaped for the summary, which is sent as HTML).
   * Without it the job is always sent at once.
   */
  digestLine?: string;
  /** The event's idempotency key (e.g. `settled-<market>-<user>`): a second notify with it is ignored. */
  dedupeKey?: string;
  /** The request that caused it (infra/request-context.ts): the pump logs under it. Filled by Notifier.notify. */
  reqId?: string;
  /** What it is about (see NotificationTopic); the pipeline applies the user's switches for it. */
  topic?: NotificationTopic;
  /** Send without sound (Bot API `disable_notification`): set by the pipeline for silent topics and all-silent summaries. */
  silent?: boolean;
}
