/**
 * The method table. Telegram method names are case-insensitive
 * (https://core.telegram.org/bots/api#making-requests), so lookup is by lower-case name.
 */
import type { MethodHandler } from './context';
import * as chats from './chats';
import * as core from './core';
import * as edit from './edit';
import * as queries from './queries';
import * as send from './send';

const all: Record<string, MethodHandler> = {
  getMe: core.getMe,
  getUpdates: core.getUpdates,
  setWebhook: core.setWebhook,
  deleteWebhook: core.deleteWebhook,
  getWebhookInfo: core.getWebhookInfo,
  setMyCommands: core.setMyCommands,
  getMyCommands: core.getMyCommands,
  deleteMyCommands: core.deleteMyCommands,
  setChatMenuButton: core.setChatMenuButton,
  getChatMenuButton: core.getChatMenuButton,
  sendMessage: send.sendMessage,
  sendPhoto: send.sendPhoto,
  sendDocument: send.sendDocument,
  sendInvoice: send.sendInvoice,
  sendChatAction: send.sendChatAction,
  editMessageText: edit.editMessageText,
  editMessageCaption: edit.editMessageCaption,
  editMessageMedia: edit.editMessageMedia,
  editMessageReplyMarkup: edit.editMessageReplyMarkup,
  deleteMessage: edit.deleteMessage,
  answerCallbackQuery: queries.answerCallbackQuery,
  answerPreCheckoutQuery: queries.answerPreCheckoutQuery,
  answerInlineQuery: queries.answerInlineQuery,
  getChat: chats.getChat,
  getChatMember: chats.getChatMember,
  getChatAdministrators: chats.getChatAdministrators,
  getChatMemberCount: chats.getChatMemberCount,
  leaveChat: chats.leaveChat,
  getFile: chats.getFile,
};

const byLowerName = new Map(Object.entries(all).map(([name, fn]) => [name.toLowerCase(), { name, fn }]));

/** Find a method by (case-insensitive) name; undefined → 404 Not Found. */
export function findMethod(name: string): { name: string; fn: MethodHandler } | undefined {
  return byLowerName.get(name.toLowerCase());
}

/** Names of all implemented methods. */
export const METHOD_NAMES: readonly string[] = Object.keys(all);
