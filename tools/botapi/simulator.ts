/**
 * The simulated Telegram world behind the local Bot API: accounts, chats, messages, updates and
 * the users' side of every interaction. Used in-process by tests (`server.sim`) and over HTTP
 * through `/_sim/*` (see routes/sim-control.ts and client.ts).
 */
import type { CallbackQuery, ChatMemberUpdated, Message, Update } from 'telegraf/types';
import { SimError } from './errors';
import { FaultInjector } from './faults';
import { FileStore } from './files';
import { deliverMessage, detectEntities } from './flows/delivery';
import type { FlowHost, InlineCtx, PreCheckoutAnswer, PreCheckoutCtx } from './flows/flow-host';
import { chooseInlineResult } from './flows/inline';
import { payInvoice, redeliverPayment } from './flows/payments';
import { newQueryId } from './ids';
import { DEFAULT_LIMITS, type LimitsConfig, RateLimiter } from './limits';
import { inlineButtons } from './markup';
import { describeMatch, toPredicate } from './match';
import { MessageStore, type StoredMessage } from './message-store';
import { PendingQueries } from './queries';
import type {
  ActionResult, ApiCallFilter, ApiCallRecord, BlockInput, BotInfo, CallbackAnswer, ChooseInlineInput, ChosenResult,
  CreateChannelInput, CreateGroupInput, CreateUserInput, InlineAnswer, InlineQueryInput, InlineQueryResultRef,
  MessageMatch, MessagePredicate, PayInvoiceInput, PaymentOutcome, PressButtonInput, PressResult, RateLimitReport,
  RedeliverInput, SendTextInput, SimChatInfo, SimDriver, SimMessage, SimUser, WaitOptions,
} from './sim-types';
import { type BotAccount, type ChatState, type CreateBotInput, type MemberStatus, World } from './world';

/** Simulator settings. Times in milliseconds. */
export interface SimulatorOptions {
  /** Flood control (on by default with Telegram's documented limits); `false` disables it. */
  limits?: Partial<LimitsConfig> | false;
  /** How long a pre_checkout_query waits for answerPreCheckoutQuery (Telegram: 10 s). */
  preCheckoutTimeoutMs?: number;
  /** How long callback and inline queries stay answerable (default 15 min). */
  queryTtlMs?: number;
  /** Default timeout of the wait* helpers (default 5 s). */
  defaultWaitMs?: number;
  /** fetch used for photos given by URL (default: global fetch). */
  fetchImpl?: typeof fetch;
}

/** What the simulator remembers about a pressed button. */
export interface CallbackCtx {
  botId: number;
  userId: number;
  chatKey: string;
}

/** A pressed button, in-process: also lets the test await the bot's answer. */
export interface PressHandle extends PressResult {
  /** Resolves with the bot's answerCallbackQuery; rejects with SimTimeoutError. */
  answered(timeoutMs?: number): Promise<CallbackAnswer>;
}

/** The simulated Telegram. See SimDriver for the verbs; everything here is also reachable over `/_sim`. */
export class Simulator implements SimDriver, FlowHost {
  readonly world: World;
  readonly store = new MessageStore();
  readonly files = new FileStore();
  /** Injected failures of Bot API calls (faults.ts). */
  readonly faults = new FaultInjector();
  readonly callbacks: PendingQueries<CallbackCtx, CallbackAnswer>;
  readonly inline: PendingQueries<InlineCtx, InlineAnswer>;
  readonly preCheckouts: PendingQueries<PreCheckoutCtx, PreCheckoutAnswer>;
  readonly opts: Required<Omit<SimulatorOptions, 'limits'>> & { limits: LimitsConfig | null };
  private readonly calls: ApiCallRecord[] = [];
  private callSeq = 0;

  constructor(options: SimulatorOptions = {}) {
    const limits = options.limits === false ? null : { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
    this.opts = {
      limits,
      preCheckoutTimeoutMs: options.preCheckoutTimeoutMs ?? 10_000,
      queryTtlMs: options.queryTtlMs ?? 15 * 60_000,
      defaultWaitMs: options.defaultWaitMs ?? 5_000,
      fetchImpl: options.fetchImpl ?? fetch,
    };
    this.world = new World(() => new RateLimiter(limits));
    this.callbacks = new PendingQueries('callback query');
    this.inline = new PendingQueries('inline query');
    this.preCheckouts = new PendingQueries('pre-checkout query');
  }

  // ---- world setup ---------------------------------------------------------------------------

  /** Register a bot; returns its token (`<id>:<secret>`) and id. */
  createBot(input: CreateBotInput): BotInfo {
    const bot = this.world.addBot(input);
    return { id: bot.id, token: bot.token, username: bot.username, first_name: bot.firstName };
  }

  /** Create a user (random Telegram-like id unless given). */
  createUser(input: CreateUserInput): SimUser {
    return this.userInfo(this.world.addUser(input).id);
  }

  /**
   * Create a group or supergroup. Bots added receive `my_chat_member` (left → member/administrator)
   * from the creator, as Telegram sends when a bot is added.
   * @throws SimError for unknown users/bots.
   */
  createGroup(input: CreateGroupInput): SimChatInfo {
    const members = new Map<number, MemberStatus>();
    this.world.user(input.creatorId);
    for (const id of input.memberIds ?? []) members.set(this.world.user(id).id, 'member');
    for (const id of input.adminIds ?? []) members.set(this.world.user(id).id, 'administrator');
    members.set(input.creatorId, 'creator');
    const bots = input.bots ?? [...this.world.bots.values()].map((b) => ({ botId: b.id, status: 'member' as const }));
    const chat = this.world.addChat(input.type ?? 'supergroup', input.title, input.username, members);
    for (const b of bots) this.addBotMember(chat, this.world.bot(b.botId), b.status ?? 'member', input.creatorId);
    return this.chatInfo(chat);
  }

  /** Create a channel; bots are added as administrators (they need that to post). */
  createChannel(input: CreateChannelInput): SimChatInfo {
    const members = new Map<number, MemberStatus>([[this.world.user(input.creatorId).id, 'creator']]);
    for (const id of input.subscriberIds ?? []) members.set(this.world.user(id).id, 'member');
    const chat = this.world.addChat('channel', input.title, input.username, members);
    const botIds = input.botIds ?? [...this.world.bots.keys()];
    for (const id of botIds) this.addBotMember(chat, this.world.bot(id), 'administrator', input.creatorId);
    return this.chatInfo(chat);
  }

  // ---- user actions --------------------------------------------------------------------------

  /**
   * A user sends text (commands get `bot_command` entities, `@names` get `mention`).
   * chatId defaults to the user's private chat with the bot (`botId`, default first bot).
   * @throws SimError when the user is not in the group, posts to a channel, or blocked the bot.
   */
  sendText(input: SendTextInput): ActionResult {
    const user = this.world.user(input.userId);
    const chat = this.chatFor(input.userId, input.chatId, input.botId);
    this.assertUserCanPost(chat, user.id);
    if (chat.type === 'private') user.startedBots.add(chat.botId as number);
    const raw: Record<string, unknown> = { ...this.userMessageBase(chat, user.id), text: input.text };
    const entities = detectEntities(input.text);
    if (entities.length) raw.entities = entities;
    if (input.replyToMessageId !== undefined) {
      const target = this.store.get(chat, input.replyToMessageId);
      if (!target || target.deleted) throw new SimError(`message ${input.replyToMessageId} not found in chat ${chat.id}`);
      const { reply_to_message: _nested, ...quoted } = target.raw as Message & { reply_to_message?: unknown };
      raw.reply_to_message = quoted; // documented: no nested reply_to_message
    }
    const stored = this.store.add(chat, raw as unknown as Message, { fromBot: false, senderId: user.id });
    chat.lastUserActionSeq = stored.seq;
    const updateIds = deliverMessage(this.world, chat, stored.raw);
    return { chatId: chat.id, messageId: stored.raw.message_id, updateIds, seq: stored.seq };
  }

  /**
   * A user presses an inline callback button (found by text or callback_data) on a bot message or an
   * inline-posted message. Sends a real `callback_query` (with `message`, or `inline_message_id` for
   * inline messages) to the bot.
   * @throws SimError when the message or button does not exist, or the button is not a callback button.
   */
  pressButton(input: PressButtonInput): PressHandle {
    if (input.text === undefined && input.data === undefined) throw new SimError('pressButton needs text or data');
    const user = this.world.user(input.userId);
    const stored = this.findButtonMessage(input);
    const button = inlineButtons(markupOf(stored)).find((b) =>
      input.data !== undefined ? 'callback_data' in b && b.callback_data === input.data : b.text === input.text);
    if (!button) {
      throw new SimError(`message ${stored.raw.message_id} in chat ${stored.chat.id} has no button ${JSON.stringify(input.text ?? input.data)}`);
    }
    if (!('callback_data' in button)) throw new SimError(`button "${button.text}" is not a callback button`);
    const bot = this.world.bot(stored.viaBotId ?? stored.senderId);
    const id = newQueryId();
    const query: Record<string, unknown> = {
      id, from: this.world.userObject(user), chat_instance: this.world.chatInstance(bot.id, stored.chat.key), data: button.callback_data,
    };
    if (stored.inlineMessageId) query.inline_message_id = stored.inlineMessageId;
    else query.message = structuredClone(stored.raw);
    this.callbacks.open(id, { botId: bot.id, userId: user.id, chatKey: stored.chat.key }, this.opts.queryTtlMs);
    const seq = this.store.nextSeq();
    stored.chat.lastUserActionSeq = seq;
    const updateId = bot.queue.push({ callback_query: query as unknown as CallbackQuery });
    if (updateId === null) throw new SimError('the bot excluded callback_query via allowed_updates');
    return {
      chatId: stored.chat.id, messageId: stored.raw.message_id, updateIds: [updateId], updateId, callbackQueryId: id, seq,
      answered: (timeoutMs?: number) => this.waitForCallbackAnswer(id, timeoutMs),
    };
  }

  /** The bot's answerCallbackQuery for a pressed button. @rejects SimTimeoutError. */
  waitForCallbackAnswer(callbackQueryId: string, timeoutMs = this.opts.defaultWaitMs): Promise<CallbackAnswer> {
    return this.callbacks.wait(callbackQueryId, timeoutMs);
  }

  /**
   * A user pays an invoice message: `pre_checkout_query` → waits up to preCheckoutTimeoutMs for
   * answerPreCheckoutQuery → only on ok:true a `successful_payment` service message is delivered.
   */
  payInvoice(input: PayInvoiceInput): Promise<PaymentOutcome> {
    return payInvoice(this, input);
  }

  /** Deliver an existing successful_payment message again (new update_id, same charge ids). */
  redeliverPayment(input: RedeliverInput): { updateId: number } {
    return redeliverPayment(this, input);
  }

  /** A user types `@bot query` in a chat (default: the private chat with the bot → chat_type "sender"). */
  inlineQuery(input: InlineQueryInput): InlineQueryResultRef {
    const bot = this.world.bot(input.botId);
    if (!bot.supportsInlineQueries) throw new SimError(`@${bot.username} has inline mode disabled`);
    if (input.query.length > 256) throw new SimError('inline queries are at most 256 characters');
    const user = this.world.user(input.userId);
    const chat = this.chatFor(user.id, input.chatId, bot.id);
    const id = newQueryId();
    const chatType = chat.type === 'private' ? 'sender' : chat.type;
    const updateId = bot.queue.push({
      inline_query: { id, from: this.world.userObject(user), query: input.query, offset: input.offset ?? '', chat_type: chatType },
    });
    if (updateId === null) throw new SimError('the bot excluded inline_query via allowed_updates');
    this.inline.open(id, { botId: bot.id, userId: user.id, chatKey: chat.key, query: input.query, prepared: new Map() }, this.opts.queryTtlMs);
    const seq = this.store.nextSeq();
    chat.lastUserActionSeq = seq;
    return { chatId: chat.id, updateIds: [updateId], updateId, inlineQueryId: id, seq };
  }

  /** The bot's answerInlineQuery. @rejects SimTimeoutError. */
  waitForInlineAnswer(inlineQueryId: string, timeoutMs = this.opts.defaultWaitMs): Promise<InlineAnswer> {
    return this.inline.wait(inlineQueryId, timeoutMs);
  }

  /**
   * The user picks one of the bot's results: it is posted into the chat "via" the bot with an
   * inline_message_id, and `chosen_inline_result` is sent (inline feedback is on by default).
   */
  chooseInlineResult(input: ChooseInlineInput): Promise<ChosenResult> {
    return chooseInlineResult(this, input);
  }

  /** The user blocks the bot: `my_chat_member` (member → kicked); later sends get 403. */
  blockBot(input: BlockInput): { updateId: number | null } {
    return this.setBlocked(input, true);
  }

  /** The user unblocks (restarts) the bot: `my_chat_member` (kicked → member). */
  unblockBot(input: BlockInput): { updateId: number | null } {
    return this.setBlocked(input, false);
  }

  // ---- read side -----------------------------------------------------------------------------

  /** All messages of a chat in order (bot and user), current state, deleted ones flagged. */
  messages(chatId: number, opts: { botId?: number } = {}): SimMessage[] {
    return this.store.list(this.world.simChat(chatId, opts.botId)).map((m) => this.store.snapshot(m));
  }

  /** The latest message sent by (or via) a bot in the chat that is not deleted. */
  lastBotMessage(chatId: number, opts: { botId?: number } = {}): SimMessage | undefined {
    return this.messages(chatId, opts).filter((m) => m.fromBot && !m.deleted).pop();
  }

  /**
   * Resolve on a bot message (new or edited) in the chat matching `match`, considering changes after
   * `opts.since` (default: the latest user action in that chat).
   * @rejects SimTimeoutError.
   */
  waitForBotMessage(chatId: number, match: MessageMatch | MessagePredicate, timeoutMs = this.opts.defaultWaitMs, opts: WaitOptions = {}): Promise<SimMessage> {
    const chat = this.world.simChat(chatId, opts.botId);
    return this.store.waitFor(chat, toPredicate(match), timeoutMs, opts.since ?? chat.lastUserActionSeq, describeMatch(match));
  }

  /** Every update ever created for a bot (default: first bot), confirmed or not. */
  updates(botId?: number): Update[] {
    return structuredClone(this.world.bot(botId).queue.history);
  }

  /** The Bot API call log (with timestamps), optionally filtered. */
  apiCalls(filter: ApiCallFilter = {}): ApiCallRecord[] {
    return this.calls
      .filter((c) => (filter.method === undefined || c.method === filter.method)
        && (filter.botId === undefined || c.botId === filter.botId)
        && (filter.sinceMs === undefined || c.at >= filter.sinceMs))
      .map((c) => structuredClone(c));
  }

  /** Every 429 given (all bots), and those that hit a scope still under penalty. */
  rateLimits(): RateLimitReport {
    const reports = [...this.world.bots.values()].map((b) => b.limiter.report());
    const by = (a: { at: number }, b: { at: number }): number => a.at - b.at;
    return {
      enabled: this.opts.limits !== null,
      config: this.opts.limits,
      rejections: reports.flatMap((r) => r.rejections).sort(by),
      earlyRetries: reports.flatMap((r) => r.earlyRetries).sort(by),
    };
  }

  /** Record one Bot API call (used by the HTTP layer). */
  recordCall(call: Omit<ApiCallRecord, 'seq'>): void {
    this.calls.push({ seq: ++this.callSeq, ...call });
  }

  /** Release long polls so the HTTP server can close. */
  close(): void {
    for (const bot of this.world.bots.values()) bot.queue.close();
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** The chat a user acts in: explicit chatId, else the private chat with the bot. */
  chatFor(userId: number, chatId: number | undefined, botId: number | undefined): ChatState {
    return chatId === undefined || chatId === userId
      ? this.world.privateChat(this.world.bot(botId).id, userId)
      : this.world.simChat(chatId, botId);
  }

  /** `{ message_id, from, chat, date }` of a new user message. */
  userMessageBase(chat: ChatState, userId: number): Record<string, unknown> {
    return {
      message_id: this.store.allocId(chat), from: this.world.userObject(this.world.user(userId)),
      chat: this.world.chatObject(chat), date: Math.floor(Date.now() / 1000),
    };
  }

  private assertUserCanPost(chat: ChatState, userId: number): void {
    if (chat.type === 'private') {
      if (this.world.user(userId).blockedBots.has(chat.botId as number)) {
        throw new SimError(`user ${userId} has blocked the bot; call unblockBot first`);
      }
      return;
    }
    if (chat.type === 'channel') throw new SimError('users cannot post in a channel');
    const status = chat.members.get(userId);
    if (status !== 'member' && status !== 'administrator' && status !== 'creator') {
      throw new SimError(`user ${userId} is not a member of chat ${chat.id}`);
    }
  }

  private findButtonMessage(input: PressButtonInput): StoredMessage {
    if (input.inlineMessageId !== undefined) {
      const m = this.store.byInlineId(input.inlineMessageId);
      if (!m || m.deleted) throw new SimError(`no inline message ${input.inlineMessageId}`);
      return m;
    }
    const chat = this.chatFor(input.userId, input.chatId, input.botId);
    if (input.messageId !== undefined) {
      const m = this.store.get(chat, input.messageId);
      if (!m || m.deleted) throw new SimError(`no message ${input.messageId} in chat ${chat.id}`);
      if (!m.fromBot && m.viaBotId === undefined) throw new SimError(`message ${input.messageId} was not sent by a bot`);
      return m;
    }
    const candidates = this.store.list(chat).filter((m) => !m.deleted && (m.fromBot || m.viaBotId !== undefined)
      && inlineButtons(markupOf(m)).some((b) => (input.data !== undefined ? 'callback_data' in b && b.callback_data === input.data : b.text === input.text)));
    const last = candidates[candidates.length - 1];
    if (!last) throw new SimError(`no bot message in chat ${chat.id} has a button ${JSON.stringify(input.text ?? input.data)}`);
    return last;
  }

  private addBotMember(chat: ChatState, bot: BotAccount, status: MemberStatus, byUserId: number): void {
    if (!bot.canJoinGroups && chat.type !== 'channel') throw new SimError(`@${bot.username} cannot join groups`);
    chat.members.set(bot.id, status);
    const update: ChatMemberUpdated = {
      chat: this.world.chatObject(chat), from: this.world.userObject(this.world.user(byUserId)), date: Math.floor(Date.now() / 1000),
      old_chat_member: this.world.chatMember(chat, bot.id, 'left'), new_chat_member: this.world.chatMember(chat, bot.id, status),
    };
    bot.queue.push({ my_chat_member: update });
  }

  private setBlocked(input: BlockInput, blocked: boolean): { updateId: number | null } {
    const bot = this.world.bot(input.botId);
    const user = this.world.user(input.userId);
    if (user.blockedBots.has(bot.id) === blocked) return { updateId: null };
    if (blocked) user.blockedBots.add(bot.id);
    else user.blockedBots.delete(bot.id);
    const chat = this.world.privateChat(bot.id, user.id);
    const member = (s: MemberStatus) => this.world.chatMember(chat, bot.id, s);
    const update: ChatMemberUpdated = {
      chat: this.world.chatObject(chat), from: this.world.userObject(user), date: Math.floor(Date.now() / 1000),
      old_chat_member: member(blocked ? 'member' : 'kicked'), new_chat_member: member(blocked ? 'kicked' : 'member'),
    };
    return { updateId: bot.queue.push({ my_chat_member: update }) };
  }

  private userInfo(id: number): SimUser {
    const u = this.world.user(id);
    const o: SimUser = { id: u.id, first_name: u.firstName };
    if (u.lastName) o.last_name = u.lastName;
    if (u.username) o.username = u.username;
    if (u.languageCode) o.language_code = u.languageCode;
    return o;
  }

  private chatInfo(chat: ChatState): SimChatInfo {
    const info: SimChatInfo = {
      id: chat.id, type: chat.type as SimChatInfo['type'], title: chat.title ?? '',
      members: [...chat.members].map(([id, status]) => ({ id, status, is_bot: this.world.bots.has(id) })),
    };
    if (chat.username) info.username = chat.username;
    return info;
  }
}

const markupOf = (m: StoredMessage): unknown => (m.raw as { reply_markup?: unknown }).reply_markup;
