/**
 * Bot-level methods: getMe, getUpdates, webhooks (stored only), bot commands and the menu button.
 */
import type { BotCommand } from 'telegraf/types';
import { z } from 'zod';
import { ApiError, badRequest } from '../errors';
import { bool, int, json, parseParams } from '../params';
import type { MethodHandler } from './context';

/** getMe: the bot's User with its capabilities. */
export const getMe: MethodHandler = ({ bot }) => ({
  id: bot.id, is_bot: true, first_name: bot.firstName, username: bot.username,
  can_join_groups: bot.canJoinGroups, can_read_all_group_messages: bot.canReadAllGroupMessages,
  supports_inline_queries: bot.supportsInlineQueries, can_connect_to_business: false, has_main_web_app: false,
});

const allowedUpdates = json(z.array(z.string()), "can't parse allowed updates JSON object");

const updatesSchema = z.object({
  offset: int().optional(),
  limit: int().optional().transform((l) => (l === undefined || l < 1 || l > 100 ? 100 : l)),
  timeout: int().optional().transform((t) => Math.max(0, t ?? 0)),
  allowed_updates: allowedUpdates.optional(),
});

/** getUpdates: long polling (see updates.ts). 409 while a webhook is set. */
export const getUpdates: MethodHandler = (ctx) => {
  const p = parseParams(updatesSchema, ctx.params);
  if (ctx.bot.webhook) {
    throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
  }
  return ctx.bot.queue.poll(
    { limit: p.limit, timeout: p.timeout, ...(p.offset !== undefined ? { offset: p.offset } : {}),
      ...(p.allowed_updates ? { allowedUpdates: p.allowed_updates } : {}) },
    ctx.onAbort,
  );
};

const webhookSchema = z.object({
  url: z.preprocess((v) => v ?? '', z.string()),
  max_connections: int().optional(),
  ip_address: z.string().optional(),
  allowed_updates: allowedUpdates.optional(),
  drop_pending_updates: bool().optional(),
  secret_token: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'secret token contains unallowed characters').optional(),
});

/** setWebhook: validated and stored; no deliveries are made (the project polls). Empty url removes it. */
export const setWebhook: MethodHandler = (ctx) => {
  const p = parseParams(webhookSchema, ctx.params);
  if (p.drop_pending_updates) ctx.bot.queue.drop();
  ctx.bot.queue.setAllowed(p.allowed_updates);
  if (p.url === '') {
    ctx.bot.webhook = null;
    return true;
  }
  if (!/^https:\/\/[^\s/]+/i.test(p.url)) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  const maxConnections = p.max_connections ?? 40;
  if (maxConnections < 1 || maxConnections > 100) throw badRequest('bad webhook: max_connections must be between 1 and 100');
  ctx.bot.webhook = {
    url: p.url, maxConnections, hasCustomCertificate: ctx.files.has('certificate'),
    ...(p.ip_address ? { ipAddress: p.ip_address } : {}), ...(p.secret_token ? { secretToken: p.secret_token } : {}),
  };
  return true;
};

/** deleteWebhook: optional drop_pending_updates. */
export const deleteWebhook: MethodHandler = (ctx) => {
  const p = parseParams(z.object({ drop_pending_updates: bool().optional() }), ctx.params);
  if (p.drop_pending_updates) ctx.bot.queue.drop();
  ctx.bot.webhook = null;
  return true;
};

/** getWebhookInfo: url '' when none, and the pending update count. */
export const getWebhookInfo: MethodHandler = ({ bot }) => {
  const info: Record<string, unknown> = { url: bot.webhook?.url ?? '', has_custom_certificate: bot.webhook?.hasCustomCertificate ?? false, pending_update_count: bot.queue.pending };
  if (bot.webhook) {
    info.max_connections = bot.webhook.maxConnections;
    if (bot.webhook.ipAddress) info.ip_address = bot.webhook.ipAddress;
  }
  const allowed = bot.queue.allowedList;
  if (allowed) info.allowed_updates = allowed;
  return info;
};

const scopeSchema = json(z.object({ type: z.string(), chat_id: z.union([z.number(), z.string()]).optional(), user_id: z.number().optional() }), "can't parse BotCommandScope JSON object");
const commandKeySchema = z.object({ scope: scopeSchema.optional(), language_code: z.string().optional() });

function commandKey(raw: Record<string, unknown>): string {
  const p = parseParams(commandKeySchema, raw);
  const scope = p.scope ?? { type: 'default' };
  return JSON.stringify([scope.type, scope.chat_id ?? null, scope.user_id ?? null, p.language_code ?? '']);
}

const commandsSchema = z.object({
  commands: json(
    z.array(z.object({
      command: z.string().regex(/^[a-z0-9_]{1,32}$/, 'BOT_COMMAND_INVALID'),
      description: z.string().min(1, 'BOT_COMMAND_DESCRIPTION_INVALID').max(256, 'BOT_COMMAND_DESCRIPTION_INVALID'),
    }), { required_error: 'parameter "commands" is required' }).max(100, 'BOT_COMMANDS_TOO_MUCH'),
    "can't parse commands JSON object",
  ),
});

/** setMyCommands: ≤ 100 commands, `[a-z0-9_]{1,32}`, descriptions 1–256; per scope and language. */
export const setMyCommands: MethodHandler = (ctx) => {
  const p = parseParams(commandsSchema, ctx.params);
  const key = commandKey(ctx.params);
  if (p.commands.length) ctx.bot.commands.set(key, p.commands as BotCommand[]);
  else ctx.bot.commands.delete(key);
  return true;
};

/** getMyCommands: the list for exactly that scope and language ([] when unset). */
export const getMyCommands: MethodHandler = (ctx) => structuredClone(ctx.bot.commands.get(commandKey(ctx.params)) ?? []);

/** deleteMyCommands: removes that scope's list. */
export const deleteMyCommands: MethodHandler = (ctx) => {
  ctx.bot.commands.delete(commandKey(ctx.params));
  return true;
};

const menuButtonSchema = z.object({
  chat_id: int().optional(),
  menu_button: json(z.discriminatedUnion('type', [
    z.object({ type: z.literal('commands') }),
    z.object({ type: z.literal('default') }),
    z.object({
      type: z.literal('web_app'),
      text: z.string().min(1, 'BUTTON_TEXT_INVALID').max(64, 'BUTTON_TEXT_INVALID'),
      // Telegram opens Mini Apps only over HTTPS (core.telegram.org/bots/webapps).
      web_app: z.object({ url: z.string().regex(/^https:\/\/\S+$/, 'BUTTON_URL_INVALID') }),
    }),
  ]), "can't parse menu button JSON object").optional(),
});

/**
 * setChatMenuButton: the menu button of one private chat (`chat_id`) or the default one; MenuButton
 * is `commands`, `default` or `web_app` (text and an https URL). Absent: the default button.
 */
export const setChatMenuButton: MethodHandler = (ctx) => {
  const p = parseParams(menuButtonSchema, ctx.params);
  const button = p.menu_button ?? { type: 'default' as const };
  if (button.type === 'default') ctx.bot.menuButtons.delete(p.chat_id ?? 0);
  else ctx.bot.menuButtons.set(p.chat_id ?? 0, button);
  return true;
};

/** getChatMenuButton: that chat's button, else the default one, else `commands` (Telegram's default). */
export const getChatMenuButton: MethodHandler = (ctx) => {
  const p = parseParams(z.object({ chat_id: int().optional() }), ctx.params);
  return structuredClone(ctx.bot.menuButtons.get(p.chat_id ?? 0) ?? ctx.bot.menuButtons.get(0) ?? { type: 'commands' });
};
