/**
 * Who a message goes to: the one lookup of a user's chat, language, notification mode, switches and blocked
 * flag, used for every notice (fills, payouts, resolution news, settlement reports) and by the
 * notifications pipeline. Read fresh each time (an indexed lookup), so a /start that clears
 * `blocked_at` or a changed notify mode takes effect at once.
 */
import { In, type EntityManager } from 'typeorm';
import { User, type Language, type NotifyMode } from '../entities';
import type { NotifyPrefs } from '../services/notification-rules';

/** A user as a message recipient. `chatId` is their private chat, i.e. their Telegram id. */
export interface Recipient {
  id: number;
  chatId: number;
  language: Language;
  notifyMode: NotifyMode;
  /** Telegram refused their chat with 403 (they blocked the bot) and they have not come back. */
  blocked: boolean;
  /** Per-topic switches and quiet hours (issue 11). */
  prefs: NotifyPrefs;
}

const COLUMNS = {
  id: true, telegramId: true, language: true, notifyMode: true, blockedAt: true, notifyOff: true, notifySilent: true, quietFrom: true, quietTo: true,
} as const;

type RecipientRow = Pick<User, 'id' | 'telegramId' | 'language' | 'notifyMode' | 'blockedAt' | 'notifyOff' | 'notifySilent' | 'quietFrom' | 'quietTo'>;

/** The switches of a users row (quiet hours only when both ends are set). */
export function prefsOf(u: Pick<User, 'notifyOff' | 'notifySilent' | 'quietFrom' | 'quietTo'>): NotifyPrefs {
  return {
    off: u.notifyOff ?? [], silent: u.notifySilent ?? [],
    quiet: u.quietFrom !== null && u.quietTo !== null ? { from: u.quietFrom, to: u.quietTo } : null,
  };
}

function toRecipient(u: RecipientRow): Recipient {
  return { id: u.id, chatId: u.telegramId, language: u.language, notifyMode: u.notifyMode, blocked: u.blockedAt !== null, prefs: prefsOf(u) };
}

/**
 * Recipients by users.id or by Telegram id (chat id); unknown ids are left out, blocked users are
 * included (callers decide: notices skip them, an admin report still goes out).
 */
export async function recipientsOf(m: EntityManager, who: { userIds: readonly number[] } | { chatIds: readonly number[] }): Promise<Recipient[]> {
  const list = 'userIds' in who ? who.userIds : who.chatIds;
  if (list.length === 0) return [];
  const where = 'userIds' in who ? { id: In([...list]) } : { telegramId: In([...list]) };
  return (await m.getRepository(User).find({ select: COLUMNS, where })).map(toRecipient);
}

/** Unblocked recipients by users.id, keyed by id (what a notice is sent to). */
export async function reachableUsers(m: EntityManager, userIds: readonly number[]): Promise<Map<number, Recipient>> {
  const list = await recipientsOf(m, { userIds: [...new Set(userIds)] });
  return new Map(list.filter((r) => !r.blocked).map((r) => [r.id, r]));
}

/** The user of a private chat: by users.id when known, else by Telegram id = `chatId`. */
export async function recipientOf(m: EntityManager, chatId: number, userId?: number): Promise<Recipient | null> {
  const [r] = await recipientsOf(m, userId !== undefined ? { userIds: [userId] } : { chatIds: [chatId] });
  return r ?? null;
}

/** The language of each known chat (by Telegram id); chats whose user never started the bot are left out. */
export async function chatLanguages(m: EntityManager, chatIds: readonly number[]): Promise<Map<number, Language>> {
  return new Map((await recipientsOf(m, { chatIds: [...new Set(chatIds)] })).map((r) => [r.chatId, r.language]));
}
