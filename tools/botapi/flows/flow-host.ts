/**
 * What the user-side flows (inline.ts, payments.ts) need from the simulator, as a plain interface:
 * the flows depend on this module and the Simulator satisfies it, so simulator.ts imports the flows
 * without the flows importing simulator.ts back.
 */
import type { MessageEntity } from 'telegraf/types';
import type { FileStore } from '../files';
import type { AnyMarkup } from '../markup';
import type { MessageStore } from '../message-store';
import type { PendingQueries } from '../queries';
import type { InlineAnswer } from '../sim-types';
import type { ChatState, World } from '../world';

/** Content an inline result would post, validated at answer time. */
export type PreparedInline = { replyMarkup?: AnyMarkup } & (
  | { kind: 'text'; text: string; entities?: MessageEntity[] }
  | { kind: 'photo'; fileId?: string; url?: string; caption?: string; captionEntities?: MessageEntity[] }
);

/** What the simulator remembers about an inline query. */
export interface InlineCtx {
  botId: number;
  userId: number;
  chatKey: string;
  query: string;
  prepared: Map<string, PreparedInline>;
}

/** What the simulator remembers about a pre-checkout query. */
export interface PreCheckoutCtx {
  botId: number;
  userId: number;
  chatKey: string;
}

/** The bot's answerPreCheckoutQuery. */
export interface PreCheckoutAnswer {
  ok: boolean;
  errorMessage?: string;
  answeredAt: number;
}

/** The parts of the Simulator the flows use (times in milliseconds). */
export interface FlowHost {
  readonly world: World;
  readonly store: MessageStore;
  readonly files: FileStore;
  readonly inline: PendingQueries<InlineCtx, InlineAnswer>;
  readonly preCheckouts: PendingQueries<PreCheckoutCtx, PreCheckoutAnswer>;
  readonly opts: { readonly preCheckoutTimeoutMs: number; readonly fetchImpl: typeof fetch };
  /** The chat a user acts in: explicit chatId, else the private chat with the bot. */
  chatFor(userId: number, chatId: number | undefined, botId: number | undefined): ChatState;
  /** message_id, date, chat and from of a message the user sends in `chat`. */
  userMessageBase(chat: ChatState, userId: number): Record<string, unknown>;
}
