/**
 * Who exists in the simulated Telegram: bots, users, chats and memberships, plus the
 * Telegram-shaped objects (User, Chat, ChatMember) built from them.
 *
 * Private chats are per (bot, user): the chat id is the user's id, as in the Bot API, but every bot
 * has its own conversation, hence the internal key `p:<botId>:<userId>`. Groups, supergroups and
 * channels are shared by all bots (`c:<chatId>`) and have one message_id sequence.
 */
import type { BotCommand, Chat, ChatMember, MenuButton, User } from 'telegraf/types';
import { UpdateQueue } from './updates';
import { RateLimiter } from './limits';
import { badRequest, forbidden, SimError } from './errors';
import { newBotId, newChannelId, newChatInstance, newGroupId, newToken, newUserId } from './ids';

export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';
export type MemberStatus = 'creator' | 'administrator' | 'member' | 'left' | 'kicked';

/** A registered bot and its server-side state. */
export interface BotAccount {
  id: number;
  token: string;
  username: string;
  firstName: string;
  canJoinGroups: boolean;
  canReadAllGroupMessages: boolean;
  supportsInlineQueries: boolean;
  /** chosen_inline_result updates are only sent with inline feedback enabled (@BotFather /setinlinefeedback). */
  inlineFeedback: boolean;
  webhook: WebhookState | null;
  commands: Map<string, BotCommand[]>;
  /** setChatMenuButton: per private chat id, and the default under 0. */
  menuButtons: Map<number, MenuButton>;
  queue: UpdateQueue;
  limiter: RateLimiter;
}

/** What setWebhook stored (no delivery is attempted: the project uses long polling). */
export interface WebhookState {
  url: string;
  maxConnections: number;
  ipAddress?: string;
  secretToken?: string;
  hasCustomCertificate: boolean;
}

/** A human user. */
export interface UserAccount {
  id: number;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
  /** Bots this user has talked to in private (a bot cannot initiate a private chat). */
  startedBots: Set<number>;
  blockedBots: Set<number>;
}

/** A chat as the simulator keeps it. */
export interface ChatState {
  key: string;
  id: number;
  type: ChatType;
  title?: string;
  username?: string;
  /** Private chats: the user and the bot of this conversation. */
  userId?: number;
  botId?: number;
  /** Groups/channels: user or bot id → status. */
  members: Map<number, MemberStatus>;
  nextMessageId: number;
  /** Seq of the latest user action here (default `since` of waitForBotMessage). */
  lastUserActionSeq: number;
}

/** Options for registering a bot. */
export interface CreateBotInput {
  username: string;
  first_name?: string;
  /** Use a known token (`<digits>:<secret>`); the id is its numeric prefix. */
  token?: string;
  can_join_groups?: boolean;
  can_read_all_group_messages?: boolean;
  supports_inline_queries?: boolean;
  inline_feedback?: boolean;
}

/** All accounts and chats of one simulator. */
export class World {
  readonly bots = new Map<number, BotAccount>();
  readonly users = new Map<number, UserAccount>();
  readonly chats = new Map<string, ChatState>();
  private readonly byToken = new Map<string, BotAccount>();
  private readonly chatInstances = new Map<string, string>();

  constructor(private readonly makeLimiter: () => RateLimiter) {}

  /**
   * Register a bot.
   * @throws SimError on a malformed/duplicate token or a duplicate username.
   */
  addBot(input: CreateBotInput): BotAccount {
    const username = input.username.replace(/^@/, '');
    if (!/^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(username)) throw new SimError(`invalid bot username "${username}"`);
    if ([...this.bots.values()].some((b) => b.username.toLowerCase() === username.toLowerCase())) {
      throw new SimError(`bot @${username} already exists`);
    }
    let id: number;
    let token: string;
    if (input.token) {
      const m = /^(\d{5,12}):[A-Za-z0-9_-]{20,}$/.exec(input.token);
      if (!m) throw new SimError('token must look like <bot id>:<secret of 20+ url-safe chars>');
      id = Number(m[1]);
      token = input.token;
      if (this.bots.has(id)) throw new SimError(`bot id ${id} already registered`);
    } else {
      id = newBotId();
      token = newToken(id);
    }
    const bot: BotAccount = {
      id, token, username, firstName: input.first_name ?? username,
      canJoinGroups: input.can_join_groups ?? true,
      canReadAllGroupMessages: input.can_read_all_group_messages ?? false,
      supportsInlineQueries: input.supports_inline_queries ?? true,
      inlineFeedback: input.inline_feedback ?? true,
      webhook: null, commands: new Map(), menuButtons: new Map(), queue: new UpdateQueue(), limiter: this.makeLimiter(),
    };
    this.bots.set(id, bot);
    this.byToken.set(token, bot);
    return bot;
  }

  botByToken(token: string): BotAccount | undefined {
    return this.byToken.get(token);
  }

  /** @throws SimError when unknown; with no id, the first registered bot. */
  bot(botId?: number): BotAccount {
    const bot = botId === undefined ? this.bots.values().next().value : this.bots.get(botId);
    if (!bot) throw new SimError(botId === undefined ? 'no bot registered yet' : `unknown bot ${botId}`);
    return bot;
  }

  /** @throws SimError when unknown. */
  user(userId: number): UserAccount {
    const u = this.users.get(userId);
    if (!u) throw new SimError(`unknown user ${userId}`);
    return u;
  }

  addUser(input: { id?: number; first_name: string; last_name?: string; username?: string; language_code?: string }): UserAccount {
    const id = input.id ?? newUserId();
    if (this.users.has(id) || this.bots.has(id)) throw new SimError(`id ${id} already used`);
    const u: UserAccount = { id, firstName: input.first_name, startedBots: new Set(), blockedBots: new Set() };
    if (input.last_name) u.lastName = input.last_name;
    if (input.username) u.username = input.username.replace(/^@/, '');
    if (input.language_code) u.languageCode = input.language_code;
    this.users.set(id, u);
    return u;
  }

  /** Create a group, supergroup or channel with the given members (status per id). */
  addChat(type: Exclude<ChatType, 'private'>, title: string, username: string | undefined, members: Map<number, MemberStatus>): ChatState {
    if (username && this.chatByUsername(username)) throw new SimError(`@${username} already taken`);
    const id = type === 'group' ? newGroupId() : newChannelId();
    const chat: ChatState = { key: `c:${id}`, id, type, title, members, nextMessageId: 1, lastUserActionSeq: 0 };
    if (username) chat.username = username.replace(/^@/, '');
    this.chats.set(chat.key, chat);
    return chat;
  }

  /** The private chat of a bot and a user, created on first use. */
  privateChat(botId: number, userId: number): ChatState {
    const key = `p:${botId}:${userId}`;
    let chat = this.chats.get(key);
    if (!chat) {
      chat = { key, id: userId, type: 'private', userId, botId, members: new Map(), nextMessageId: 1, lastUserActionSeq: 0 };
      this.chats.set(key, chat);
    }
    return chat;
  }

  chatByUsername(username: string): ChatState | undefined {
    const name = username.replace(/^@/, '').toLowerCase();
    return [...this.chats.values()].find((c) => c.username?.toLowerCase() === name && c.type !== 'private');
  }

  /**
   * The chat a simulator caller means: a group/channel id, or a user id meaning that user's
   * private chat with `botId` (default: first bot).
   * @throws SimError when nothing matches.
   */
  simChat(chatId: number, botId?: number): ChatState {
    const shared = this.chats.get(`c:${chatId}`);
    if (shared) return shared;
    if (this.users.has(chatId)) return this.privateChat(this.bot(botId).id, chatId);
    throw new SimError(`unknown chat ${chatId}`);
  }

  /**
   * Resolve chat_id as a bot sees it.
   * @throws ApiError 400 `chat not found`.
   */
  resolveForBot(bot: BotAccount, chatId: number | string): ChatState {
    if (typeof chatId === 'string') {
      const chat = this.chatByUsername(chatId);
      if (!chat) throw badRequest('chat not found');
      return chat;
    }
    const shared = this.chats.get(`c:${chatId}`);
    if (shared) return shared;
    // Known users resolve; assertCanSend then refuses users who never started the bot (403).
    if (this.users.has(chatId)) return this.privateChat(bot.id, chatId);
    throw badRequest('chat not found');
  }

  /**
   * Can this bot post into the chat? Telegram's 403s: blocked by the user; not a member / kicked;
   * channels additionally need the bot to be an administrator (400 need administrator rights).
   */
  assertCanSend(bot: BotAccount, chat: ChatState): void {
    if (chat.type === 'private') {
      const user = this.user(chat.userId as number);
      if (user.blockedBots.has(bot.id)) throw forbidden('bot was blocked by the user');
      if (!user.startedBots.has(bot.id)) throw forbidden("bot can't initiate conversation with a user");
      return;
    }
    const status = chat.members.get(bot.id);
    const kind = chat.type === 'channel' ? 'channel' : chat.type === 'supergroup' ? 'supergroup' : 'group';
    if (status === 'kicked') throw forbidden(`bot was kicked from the ${kind} chat`);
    if (status === undefined || status === 'left') throw forbidden(`bot is not a member of the ${kind} chat`);
    if (chat.type === 'channel' && status !== 'administrator' && status !== 'creator') {
      throw badRequest('need administrator rights in the channel chat');
    }
  }

  /** chat_instance: stable per (bot, chat), as callback queries carry it. */
  chatInstance(botId: number, chatKey: string): string {
    const key = `${botId}|${chatKey}`;
    let v = this.chatInstances.get(key);
    if (!v) {
      v = newChatInstance();
      this.chatInstances.set(key, v);
    }
    return v;
  }

  // ---- Telegram-shaped objects -------------------------------------------------------------

  botUser(bot: BotAccount): User {
    return { id: bot.id, is_bot: true, first_name: bot.firstName, username: bot.username };
  }

  userObject(u: UserAccount): User {
    const o: User = { id: u.id, is_bot: false, first_name: u.firstName };
    if (u.lastName) o.last_name = u.lastName;
    if (u.username) o.username = u.username;
    if (u.languageCode) o.language_code = u.languageCode;
    return o;
  }

  /** User object of any member id (bot or human). */
  anyUser(id: number): User {
    const bot = this.bots.get(id);
    return bot ? this.botUser(bot) : this.userObject(this.user(id));
  }

  chatObject(chat: ChatState): Chat {
    if (chat.type === 'private') {
      const u = this.user(chat.userId as number);
      const o: Chat.PrivateChat = { id: u.id, type: 'private', first_name: u.firstName };
      if (u.lastName) o.last_name = u.lastName;
      if (u.username) o.username = u.username;
      return o;
    }
    if (chat.type === 'group') return { id: chat.id, type: 'group', title: chat.title ?? '' };
    const o = { id: chat.id, type: chat.type, title: chat.title ?? '' } as Chat.SupergroupChat | Chat.ChannelChat;
    if (chat.username) o.username = chat.username;
    return o;
  }

  /** ChatMember for a status (rights of administrators are the usual defaults). */
  chatMember(chat: ChatState, memberId: number, status: MemberStatus): ChatMember {
    const user = this.anyUser(memberId);
    switch (status) {
      case 'creator':
        return { status, user, is_anonymous: false };
      case 'administrator':
        return {
          status, user, can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true,
          can_manage_video_chats: true, can_restrict_members: true, can_promote_members: false, can_change_info: true,
          can_invite_users: true, can_post_stories: false, can_edit_stories: false, can_delete_stories: false,
          ...(chat.type === 'channel' ? { can_post_messages: true, can_edit_messages: true } : { can_pin_messages: true }),
        } as ChatMember;
      case 'kicked':
        return { status, user, until_date: 0 };
      default:
        return { status, user } as ChatMember;
    }
  }

  /** Status of an id in a chat (private: both parties are members unless the user blocked the bot). */
  statusOf(chat: ChatState, memberId: number): MemberStatus {
    if (chat.type === 'private') {
      if (memberId === chat.userId) return 'member';
      if (memberId === chat.botId) return this.user(chat.userId as number).blockedBots.has(memberId) ? 'kicked' : 'member';
      return 'left';
    }
    return chat.members.get(memberId) ?? 'left';
  }
}
