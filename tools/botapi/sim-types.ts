/**
 * Public, JSON-serialisable types of the simulator, shared by the in-process `Simulator`, the
 * `/_sim/*` HTTP control API and `SimClient`.
 */
import type {
  Document, InlineKeyboardMarkup, InlineQueryResult, Message, MessageEntity, PhotoSize, SuccessfulPayment, Invoice, Update,
} from 'telegraf/types';
import type { RateLimitReport } from './limits';
import type { AnyMarkup } from './markup';

export type { RateLimitReport, RateLimitRejection, LimitsConfig } from './limits';

/** A value or a promise of it: the in-process simulator answers synchronously where it can. */
export type Awaitable<T> = T | Promise<T>;

/** A registered bot. */
export interface BotInfo {
  id: number;
  token: string;
  username: string;
  first_name: string;
}

/** A simulated human. */
export interface SimUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** A group, supergroup or channel. */
export interface SimChatInfo {
  id: number;
  type: 'group' | 'supergroup' | 'channel';
  title: string;
  username?: string;
  members: Array<{ id: number; status: string; is_bot: boolean }>;
}

/** One earlier version of an edited message. */
export interface SimMessageVersion {
  /** Unix seconds when this version was replaced. */
  replacedAt: number;
  text?: string;
  caption?: string;
  photoFileId?: string;
  replyMarkup?: AnyMarkup;
}

/**
 * A message as recorded by the simulator (bot messages and user messages alike), current state.
 * `raw` is the Telegram Message object exactly as the bot API would return it now.
 */
export interface SimMessage {
  chatId: number;
  messageId: number;
  /** Unix seconds. */
  date: number;
  editDate?: number;
  /** True for messages sent by a bot, and for inline results a user posted via a bot. */
  fromBot: boolean;
  /** Sender id (the bot, the user, or the channel for channel posts). */
  fromId: number;
  viaBotId?: number;
  inlineMessageId?: string;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  photo?: PhotoSize[];
  /** file_id of the largest photo size. */
  photoFileId?: string;
  /** sendDocument: the file (its bytes: `sim.files.get(botId, document.file_id).bytes`). */
  document?: Document;
  replyMarkup?: AnyMarkup;
  invoice?: Invoice;
  /** The invoice payload (not part of the Message object a bot sees, but useful to tests). */
  invoicePayload?: string;
  successfulPayment?: SuccessfulPayment;
  /** Sent with `disable_notification: true`: delivered without sound. */
  silent?: boolean;
  /** Previous versions, oldest first. */
  edits: SimMessageVersion[];
  deleted: boolean;
  /** Simulator sequence number of the last change (creation or edit). */
  seq: number;
  raw: Message;
}

/** Declarative message matcher usable over HTTP (all given fields must hold). */
export interface MessageMatch {
  text?: string;
  textIncludes?: string;
  /** JavaScript RegExp source, tested against text or caption. */
  textMatches?: string;
  captionIncludes?: string;
  messageId?: number;
  hasKeyboard?: boolean;
  /** An inline button with this text exists. */
  buttonText?: string;
  hasPhoto?: boolean;
  hasDocument?: boolean;
  hasInvoice?: boolean;
  edited?: boolean;
}

/** In-process only: any predicate over a message snapshot. */
export type MessagePredicate = (m: SimMessage) => boolean;

/** Options of waitForBotMessage. */
export interface WaitOptions {
  /**
   * Only consider messages created or edited after this simulator seq. Default: the seq of the latest
   * user action in that chat (so "send, then wait for the reply" is race-free).
   */
  since?: number;
  /** For private chats: the bot of the conversation (default: first bot). */
  botId?: number;
}

/** Result of a user action that produced updates. */
export interface ActionResult {
  chatId: number;
  messageId?: number;
  /** update_ids delivered (one per bot that received it; empty if no bot may see it). */
  updateIds: number[];
  /** Simulator seq of the action: pass as `since` to wait for what the bot does afterwards. */
  seq: number;
}

/** A pressed inline button. */
export interface PressResult extends ActionResult {
  callbackQueryId: string;
  updateId: number;
}

/** The bot's answerCallbackQuery. */
export interface CallbackAnswer {
  callbackQueryId: string;
  text?: string;
  showAlert: boolean;
  url?: string;
  cacheTime?: number;
  /** Epoch ms. */
  answeredAt: number;
}

/** Outcome of payInvoice. */
export interface PaymentOutcome {
  status: 'paid' | 'declined' | 'timeout';
  preCheckoutQueryId: string;
  preCheckoutUpdateId: number;
  errorMessage?: string;
  /** When paid: the service message carrying successful_payment. */
  chatId?: number;
  messageId?: number;
  updateId?: number;
  successfulPayment?: SuccessfulPayment;
}

/** A typed inline query. */
export interface InlineQueryResultRef extends ActionResult {
  inlineQueryId: string;
  updateId: number;
}

/** The bot's answerInlineQuery. */
export interface InlineAnswer {
  inlineQueryId: string;
  results: InlineQueryResult[];
  cacheTime?: number;
  isPersonal: boolean;
  nextOffset?: string;
  button?: unknown;
  answeredAt: number;
}

/** A chosen inline result, posted into the chat. */
export interface ChosenResult extends ActionResult {
  messageId: number;
  inlineMessageId: string;
}

/** One Bot API call as the server saw it. */
export interface ApiCallRecord {
  seq: number;
  /** Epoch ms when the request arrived / was answered. */
  at: number;
  finishedAt: number;
  botId: number;
  method: string;
  chatId?: number;
  ok: boolean;
  errorCode?: number;
  description?: string;
  retryAfter?: number;
  /** Parameters, with uploaded files replaced by `{ file: name, size }`. */
  params: Record<string, unknown>;
}

/** Filter for apiCalls. */
export interface ApiCallFilter {
  method?: string;
  botId?: number;
  /** Only calls that arrived at or after this epoch ms. */
  sinceMs?: number;
}

/** Inputs of the user actions. */
export interface CreateUserInput { id?: number; first_name: string; last_name?: string; username?: string; language_code?: string }
export interface CreateGroupInput {
  title: string;
  type?: 'group' | 'supergroup';
  username?: string;
  creatorId: number;
  adminIds?: number[];
  memberIds?: number[];
  /** Bots to add (default: all registered bots as plain members). */
  bots?: Array<{ botId: number; status?: 'member' | 'administrator' }>;
}
export interface CreateChannelInput {
  title: string;
  username?: string;
  creatorId: number;
  subscriberIds?: number[];
  /** Bots added as administrators (default: all registered bots). */
  botIds?: number[];
}
export interface SendTextInput { userId: number; chatId?: number; text: string; replyToMessageId?: number; botId?: number }
export interface PressButtonInput {
  userId: number;
  chatId?: number;
  /** Default: the latest bot message in the chat that has the button. */
  messageId?: number;
  inlineMessageId?: string;
  /** Button text or callback_data (one of them). */
  text?: string;
  data?: string;
  botId?: number;
}
export interface PayInvoiceInput { userId: number; chatId?: number; messageId?: number; botId?: number }
export interface RedeliverInput { chatId: number; messageId: number; botId?: number }
export interface InlineQueryInput { userId: number; query: string; chatId?: number; offset?: string; botId?: number }
export interface ChooseInlineInput { inlineQueryId: string; resultId: string }
export interface BlockInput { userId: number; botId?: number }

/**
 * The verbs shared by the in-process Simulator and the HTTP SimClient. Every method may be awaited.
 * Errors: SimError for caller mistakes, SimTimeoutError when the bot did not do what was awaited.
 */
export interface SimDriver {
  createBot(input: { username: string; first_name?: string; token?: string }): Awaitable<BotInfo>;
  createUser(input: CreateUserInput): Awaitable<SimUser>;
  createGroup(input: CreateGroupInput): Awaitable<SimChatInfo>;
  createChannel(input: CreateChannelInput): Awaitable<SimChatInfo>;
  sendText(input: SendTextInput): Awaitable<ActionResult>;
  pressButton(input: PressButtonInput): Awaitable<PressResult>;
  waitForCallbackAnswer(callbackQueryId: string, timeoutMs?: number): Awaitable<CallbackAnswer>;
  payInvoice(input: PayInvoiceInput): Awaitable<PaymentOutcome>;
  redeliverPayment(input: RedeliverInput): Awaitable<{ updateId: number }>;
  inlineQuery(input: InlineQueryInput): Awaitable<InlineQueryResultRef>;
  waitForInlineAnswer(inlineQueryId: string, timeoutMs?: number): Awaitable<InlineAnswer>;
  chooseInlineResult(input: ChooseInlineInput): Awaitable<ChosenResult>;
  blockBot(input: BlockInput): Awaitable<{ updateId: number | null }>;
  unblockBot(input: BlockInput): Awaitable<{ updateId: number | null }>;
  messages(chatId: number, opts?: { botId?: number }): Awaitable<SimMessage[]>;
  lastBotMessage(chatId: number, opts?: { botId?: number }): Awaitable<SimMessage | undefined>;
  waitForBotMessage(chatId: number, match: MessageMatch, timeoutMs?: number, opts?: WaitOptions): Awaitable<SimMessage>;
  updates(botId?: number): Awaitable<Update[]>;
  apiCalls(filter?: ApiCallFilter): Awaitable<ApiCallRecord[]>;
  rateLimits(): Awaitable<RateLimitReport>;
}

export type { InlineKeyboardMarkup };
