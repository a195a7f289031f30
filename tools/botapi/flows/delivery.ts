/**
 * Which bots receive a user's message, and the entities Telegram detects in user text.
 *
 * Private chats: the bot of the chat always receives it. Groups (privacy mode, the default;
 * https://core.telegram.org/bots/features#privacy-mode): a bot receives messages that start with
 * a command (`/cmd` or `/cmd@thisbot`, not `/cmd@otherbot`), mention it by @username, reply to one of
 * its messages, were sent via it (inline), and service messages. Administrators and bots with
 * privacy mode disabled (`can_read_all_group_messages`) receive everything.
 */
import type { Message, MessageEntity } from 'telegraf/types';
import type { BotAccount, ChatState, World } from '../world';

/** bot_command and mention entities, as Telegram's clients attach them to user text. */
export function detectEntities(text: string): MessageEntity[] {
  const out: MessageEntity[] = [];
  const re = /(^|[\s(])(\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?|@[A-Za-z][A-Za-z0-9_]{3,31})(?=$|[\s.,!?;:)])/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const token = m[2] as string;
    const offset = m.index + (m[1] as string).length;
    out.push({ type: token.startsWith('/') ? 'bot_command' : 'mention', offset, length: token.length });
  }
  return out;
}

type AnyMessage = Message & {
  text?: string; caption?: string; entities?: MessageEntity[]; via_bot?: { id: number };
  reply_to_message?: { from?: { id: number } };
};

/** Does privacy mode let this bot see the message? */
export function botSees(bot: BotAccount, chat: ChatState, raw: Message, service: boolean): boolean {
  const status = chat.members.get(bot.id);
  if (status !== 'member' && status !== 'administrator' && status !== 'creator') return false;
  if (service || bot.canReadAllGroupMessages || status === 'administrator' || status === 'creator') return true;
  const m = raw as AnyMessage;
  const text = m.text ?? m.caption ?? '';
  const name = bot.username.toLowerCase();
  const first = m.entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (first) {
    const cmd = text.slice(0, first.length);
    const at = cmd.indexOf('@');
    if (at < 0 || cmd.slice(at + 1).toLowerCase() === name) return true;
  }
  if (m.entities?.some((e) => e.type === 'mention' && text.slice(e.offset + 1, e.offset + e.length).toLowerCase() === name)) return true;
  if (m.reply_to_message?.from?.id === bot.id) return true;
  return m.via_bot?.id === bot.id;
}

/**
 * Deliver a user's (or service) message as a `message` update to every bot allowed to see it.
 * @returns the update_ids created.
 */
export function deliverMessage(world: World, chat: ChatState, raw: Message, service = false): number[] {
  const ids: number[] = [];
  if (chat.type === 'private') {
    const bot = world.bot(chat.botId);
    const id = bot.queue.push({ message: raw });
    if (id !== null) ids.push(id);
    return ids;
  }
  for (const bot of world.bots.values()) {
    if (!botSees(bot, chat, raw, service)) continue;
    const id = bot.queue.push({ message: raw });
    if (id !== null) ids.push(id);
  }
  return ids;
}
