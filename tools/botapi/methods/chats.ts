/**
 * Chat information and membership: getChat, getChatMember, getChatAdministrators,
 * getChatMemberCount, leaveChat, and getFile.
 */
import { z } from 'zod';
import { badRequest } from '../errors';
import { int, parseParams, str } from '../params';
import { type MethodHandler, resolveChat } from './context';

/** getChat: ChatFullInfo (Bot API 7.3+) with the fields a simulated chat has. */
export const getChat: MethodHandler = (ctx) => {
  const chat = resolveChat(ctx);
  return { ...ctx.sim.world.chatObject(chat), accent_color_id: 0, max_reaction_count: 11 };
};

/**
 * getChatMember: creator/administrator/member/left/kicked. Unknown user ids → 400 `user not found`.
 */
export const getChatMember: MethodHandler = (ctx) => {
  const p = parseParams(z.object({ user_id: int('user not found') }), ctx.params);
  const chat = resolveChat(ctx);
  const { world } = ctx.sim;
  if (!world.users.has(p.user_id) && !world.bots.has(p.user_id)) throw badRequest('user not found');
  if (chat.type !== 'private' && !isIn(chat.members.get(ctx.bot.id))) throw badRequest('chat not found');
  return world.chatMember(chat, p.user_id, world.statusOf(chat, p.user_id));
};

/** getChatAdministrators: creator and administrators (bots included). Private chats → 400. */
export const getChatAdministrators: MethodHandler = (ctx) => {
  const chat = resolveChat(ctx);
  if (chat.type === 'private') throw badRequest('there are no administrators in the private chat');
  if (!isIn(chat.members.get(ctx.bot.id))) throw badRequest('chat not found');
  return [...chat.members]
    .filter(([, s]) => s === 'creator' || s === 'administrator')
    .map(([id, s]) => ctx.sim.world.chatMember(chat, id, s));
};

/** getChatMemberCount: members that are in the chat (private: 2). */
export const getChatMemberCount: MethodHandler = (ctx) => {
  const chat = resolveChat(ctx);
  if (chat.type === 'private') return 2;
  return [...chat.members.values()].filter(isIn).length;
};

/** leaveChat: the bot leaves a group/channel (sends itself my_chat_member). */
export const leaveChat: MethodHandler = (ctx) => {
  const chat = resolveChat(ctx);
  if (chat.type === 'private') throw badRequest("chat member status can't be changed in private chats");
  const { world } = ctx.sim;
  const old = chat.members.get(ctx.bot.id);
  if (!isIn(old)) throw badRequest('chat not found');
  chat.members.set(ctx.bot.id, 'left');
  ctx.bot.queue.push({
    my_chat_member: {
      chat: world.chatObject(chat), from: world.botUser(ctx.bot), date: Math.floor(Date.now() / 1000),
      old_chat_member: world.chatMember(chat, ctx.bot.id, old ?? 'member'), new_chat_member: world.chatMember(chat, ctx.bot.id, 'left'),
    },
  });
  return true;
};

/** getFile: file_path for `/file/bot<token>/<file_path>`. */
export const getFile: MethodHandler = (ctx) => {
  const p = parseParams(z.object({ file_id: str('wrong file identifier/HTTP URL specified') }), ctx.params);
  const f = ctx.sim.files.get(ctx.bot.id, p.file_id);
  return { file_id: f.fileId, file_unique_id: f.uniqueId, file_size: f.bytes.length, file_path: f.filePath };
};

const isIn = (s: string | undefined): boolean => s === 'creator' || s === 'administrator' || s === 'member';
