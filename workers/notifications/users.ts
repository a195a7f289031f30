/**
 * What the pipeline needs to know about a private chat's user: whether they blocked the bot and how
 * they want notifications (the one recipient lookup, domain/read/recipients.ts), and recording a
 * 403 (domain/services/preferences.ts).
 */
import type { DataSource } from 'typeorm';
import { recipientOf, recipientsOf, type Recipient } from '../../domain/read/recipients';
import { markChatBlocked } from '../../domain/services/preferences';

export type { Recipient };

export class Recipients {
  constructor(private readonly ds: DataSource) {}

  /** The user of a private chat: by users.id when the producer gave it, else by telegram_id = chatId. */
  find(chatId: number, userId: number | undefined): Promise<Recipient | null> {
    return recipientOf(this.ds.manager, chatId, userId);
  }

  /** Users by id (the digest tick). */
  findMany(ids: number[]): Promise<Recipient[]> {
    return recipientsOf(this.ds.manager, { userIds: ids });
  }

  /** Record that Telegram refused the chat with 403 (see {@link markChatBlocked}). */
  markBlocked(chatId: number, userId: number | undefined): Promise<void> {
    return markChatBlocked(this.ds.manager, chatId, userId);
  }
}
