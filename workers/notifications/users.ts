/**
 * What the pipeline needs to know about a private chat's user: whether they blocked the bot and how
 * they want notifications. Read fresh for every message (one indexed lookup, ≤ 30/s), so a /start
 * that clears `blocked_at` or a changed notify_mode takes effect at once.
 */
import { In, IsNull, type DataSource } from 'typeorm';
import { User } from '../../domain/entities';

/** The columns read. */
export type Recipient = Pick<User, 'id' | 'telegramId' | 'language' | 'notifyMode' | 'blockedAt'>;

const COLUMNS = { id: true, telegramId: true, language: true, notifyMode: true, blockedAt: true } as const;

export class Recipients {
  constructor(private readonly ds: DataSource) {}

  /** The user of a private chat: by users.id when the producer gave it, else by telegram_id = chatId. */
  find(chatId: number, userId: number | undefined): Promise<Recipient | null> {
    return this.ds.getRepository(User).findOne({ select: COLUMNS, where: userId !== undefined ? { id: userId } : { telegramId: chatId } });
  }

  /** Users by id (the digest tick). */
  findMany(ids: number[]): Promise<Recipient[]> {
    return ids.length ? this.ds.getRepository(User).find({ select: COLUMNS, where: { id: In(ids) } }) : Promise.resolve([]);
  }

  /**
   * Record that Telegram refused the chat with 403 (the first time only). The bot clears
   * `blocked_at` when the user sends /start again, which re-enables notifications.
   */
  async markBlocked(chatId: number, userId: number | undefined): Promise<void> {
    const where = userId !== undefined ? { id: userId } : { telegramId: chatId };
    await this.ds.getRepository(User).update({ ...where, blockedAt: IsNull() }, { blockedAt: () => 'now()' });
  }
}
