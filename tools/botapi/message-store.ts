/**
 * Every message of every chat (bot and user messages), their edit history and deletion, plus
 * waiting for bot messages. Each creation/edit gets a simulator-wide sequence number so tests can
 * ask for "a bot message after my action" without races.
 */
import type { Message } from 'telegraf/types';
import { SimTimeoutError } from './errors';
import type { AnyMarkup } from './markup';
import type { MessagePredicate, SimMessage, SimMessageVersion } from './sim-types';
import type { ChatState } from './world';

/** A stored message; `raw` is the current Telegram Message object. */
export interface StoredMessage {
  chat: ChatState;
  raw: Message;
  fromBot: boolean;
  senderId: number;
  viaBotId?: number;
  inlineMessageId?: string;
  invoicePayload?: string;
  /** successful_payment messages: the bot that was paid (receives redeliveries). */
  paymentBotId?: number;
  /** Sent with `disable_notification: true` (the recipient's device stays silent). */
  silent?: boolean;
  edits: SimMessageVersion[];
  deleted: boolean;
  seq: number;
}

interface Waiter {
  chatKey: string;
  since: number;
  predicate: MessagePredicate;
  resolve: (m: SimMessage) => void;
}

interface BotEvent {
  seq: number;
  snapshot: SimMessage;
}

type Raw = Message & {
  text?: string; caption?: string; entities?: SimMessage['entities']; photo?: SimMessage['photo'];
  document?: SimMessage['document']; reply_markup?: AnyMarkup; invoice?: SimMessage['invoice']; successful_payment?: SimMessage['successfulPayment'];
  edit_date?: number; via_bot?: { id: number }; sender_chat?: { id: number }; from?: { id: number };
};

/** Message storage of one simulator. */
export class MessageStore {
  private seqCounter = 0;
  private readonly byChat = new Map<string, StoredMessage[]>();
  private readonly byInline = new Map<string, StoredMessage>();
  private readonly events = new Map<string, BotEvent[]>();
  private readonly waiters = new Set<Waiter>();

  /** Current simulator sequence number. */
  get seq(): number {
    return this.seqCounter;
  }

  /** Advance the sequence (user actions take a number too). */
  nextSeq(): number {
    return ++this.seqCounter;
  }

  /** Next message_id of a chat (per chat, increasing, shared by bots and users in groups). */
  allocId(chat: ChatState): number {
    return chat.nextMessageId++;
  }

  /** Record a new message. Bot-authored ones (sent by or via a bot) wake waiters. */
  add(chat: ChatState, raw: Message, meta: Pick<StoredMessage, 'fromBot' | 'senderId' | 'viaBotId' | 'inlineMessageId' | 'invoicePayload' | 'paymentBotId' | 'silent'>): StoredMessage {
    const stored: StoredMessage = { chat, raw, edits: [], deleted: false, seq: this.nextSeq(), ...meta };
    const list = this.byChat.get(chat.key) ?? [];
    list.push(stored);
    this.byChat.set(chat.key, list);
    if (meta.inlineMessageId) this.byInline.set(meta.inlineMessageId, stored);
    if (meta.fromBot || meta.viaBotId !== undefined) this.emit(stored);
    return stored;
  }

  /** Replace the current state of a message, keeping the previous version in `edits`. */
  edit(stored: StoredMessage, next: Message): void {
    const prev = stored.raw as Raw;
    const version: SimMessageVersion = { replacedAt: Math.floor(Date.now() / 1000) };
    if (prev.text !== undefined) version.text = prev.text;
    if (prev.caption !== undefined) version.caption = prev.caption;
    const photo = prev.photo?.[prev.photo.length - 1];
    if (photo) version.photoFileId = photo.file_id;
    if (prev.reply_markup) version.replyMarkup = prev.reply_markup;
    stored.edits.push(version);
    stored.raw = next;
    stored.seq = this.nextSeq();
    this.emit(stored);
  }

  /** Mark deleted (kept for inspection; invisible to the bot). */
  remove(stored: StoredMessage): void {
    stored.deleted = true;
    stored.seq = this.nextSeq();
  }

  get(chat: ChatState, messageId: number): StoredMessage | undefined {
    return this.byChat.get(chat.key)?.find((m) => m.raw.message_id === messageId);
  }

  byInlineId(id: string): StoredMessage | undefined {
    return this.byInline.get(id);
  }

  list(chat: ChatState): StoredMessage[] {
    return this.byChat.get(chat.key) ?? [];
  }

  /** JSON snapshot of a stored message. */
  snapshot(s: StoredMessage): SimMessage {
    const raw = structuredClone(s.raw) as Raw;
    const out: SimMessage = {
      chatId: s.chat.id, messageId: raw.message_id, date: raw.date, fromBot: s.fromBot || s.viaBotId !== undefined,
      fromId: s.senderId, edits: s.edits.map((e) => ({ ...e })), deleted: s.deleted, seq: s.seq, raw,
    };
    if (raw.edit_date !== undefined) out.editDate = raw.edit_date;
    if (s.viaBotId !== undefined) out.viaBotId = s.viaBotId;
    if (s.inlineMessageId) out.inlineMessageId = s.inlineMessageId;
    if (raw.text !== undefined) out.text = raw.text;
    if (raw.entities) out.entities = raw.entities;
    if (raw.caption !== undefined) out.caption = raw.caption;
    if (raw.photo) {
      out.photo = raw.photo;
      out.photoFileId = raw.photo[raw.photo.length - 1]?.file_id;
    }
    if (raw.document) out.document = raw.document;
    if (raw.reply_markup) out.replyMarkup = raw.reply_markup;
    if (raw.invoice) out.invoice = raw.invoice;
    if (s.invoicePayload !== undefined) out.invoicePayload = s.invoicePayload;
    if (s.silent) out.silent = true;
    if (raw.successful_payment) out.successfulPayment = raw.successful_payment;
    return out;
  }

  /**
   * Resolve with the first bot-authored message version in the chat, created or edited after
   * `since`, that satisfies the predicate (already recorded ones are checked first).
   * @rejects SimTimeoutError after timeoutMs.
   */
  waitFor(chat: ChatState, predicate: MessagePredicate, timeoutMs: number, since: number, describe: string): Promise<SimMessage> {
    const hit = (this.events.get(chat.key) ?? []).find((e) => e.seq > since && predicate(e.snapshot));
    if (hit) return Promise.resolve(structuredClone(hit.snapshot));
    return new Promise<SimMessage>((resolve, reject) => {
      const waiter: Waiter = { chatKey: chat.key, since, predicate, resolve: () => undefined };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new SimTimeoutError(`no bot message in chat ${chat.id} matching ${describe} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiter.resolve = (m) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(m);
      };
      this.waiters.add(waiter);
    });
  }

  private emit(stored: StoredMessage): void {
    const snapshot = this.snapshot(stored);
    const list = this.events.get(stored.chat.key) ?? [];
    list.push({ seq: stored.seq, snapshot });
    this.events.set(stored.chat.key, list);
    for (const w of [...this.waiters]) {
      if (w.chatKey !== stored.chat.key || stored.seq <= w.since || !w.predicate(snapshot)) continue;
      this.waiters.delete(w);
      // Resolve on a later macrotask so the Bot API call that caused this is already logged.
      setImmediate(() => w.resolve(structuredClone(snapshot)));
    }
  }
}
