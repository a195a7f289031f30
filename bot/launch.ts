/**
 * Starting and stopping the bot: long polling by default (against `TELEGRAM_API_ROOT`), a webhook
 * when `WEBHOOK_URL` is set (DESIGN §6), the command menus for both languages, graceful stop.
 */
import { createHash } from 'node:crypto';
import type { BotCommand, Update } from 'telegraf/types';
import { createHttpServer, type HttpServer } from '../web/server';
import { LANGUAGES, t, type Language } from '../infra/i18n';
import { createBot, type PravdaBot } from './index';
import type { BotDeps } from './deps';
import { UpdateRunner, type UpdateType } from './polling';
import { RedeliveryNeeded } from './redelivery';

/** Commands in the client's "/" menu, in this order. */
const USER_COMMANDS = ['start', 'markets', 'portfolio', 'watchlist', 'alerts', 'balance', 'deposit', 'withdraw', 'top', 'league', 'invite', 'profile', 'settings', 'dispute', 'language', 'help', 'cancel'] as const;
const ADMIN_COMMANDS = ['newmarket', 'liquidity', 'resolve', 'clarify', 'pause', 'unpause', 'history', 'withdrawals'] as const;
/** Commands in the "/" menu of group chats, with their description keys (group commands are the group features'). */
const GROUP_COMMANDS: readonly (readonly [string, string])[] = [
  ['predict', 'group.command_predict'], ['top', 'top.command_group'], ['resolve', 'group.command_resolve'], ['dispute', 'gtrust.command_dispute'], ['help', 'group.command_help'],
];
/** Descriptions of private commands whose texts live with their feature; the rest are `commands.<name>`. */
const DESCRIPTION_KEY: Readonly<Record<string, string>> = {
  top: 'top.command', settings: 'settings.command', withdraw: 'withdraw.command', withdrawals: 'withdraw.command_admin',
  liquidity: 'liquidity.command', invite: 'invite.command', profile: 'profile.command', league: 'league.command',
};
/** Only what the handlers take: no edited messages or channel posts. */
const ALLOWED_UPDATES: readonly UpdateType[] = [
  'message', 'callback_query', 'pre_checkout_query', 'inline_query', 'chosen_inline_result', 'my_chat_member',
];
/** Port of the webhook server when HTTP_PORT is not set. */
const DEFAULT_WEBHOOK_PORT = 8443;

export interface RunningBot {
  bot: PravdaBot;
  /** Stops receiving updates, waits for the ones in flight, closes Redis. Safe to call twice. */
  stop(reason?: string): Promise<void>;
}

export interface LaunchOptions {
  /** Stop on SIGTERM/SIGINT (default true; tests that stop the bot themselves pass false). */
  handleSignals?: boolean;
  /**
   * The process's HTTP server (web/server.ts), not yet listening: in webhook mode the webhook route
   * joins `/health` and `/metrics` on it (issue 15: one port). Without one, webhook mode makes its own
   * on HTTP_PORT (default 8443) and closes it on stop.
   */
  http?: HttpServer;
}

function commandsFor(lang: Language, names: readonly string[]): BotCommand[] {
  return names.map((command) => ({ command, description: t(lang, DESCRIPTION_KEY[command] ?? `commands.${command}`) }));
}

/**
 * Sets the "/" menu once at startup (Bot API setMyCommands): per language, with ru also the
 * default for every other client language, and admin commands only in admins' private chats.
 * Failures are logged, not fatal: the menu is a convenience.
 */
async function setCommands(bot: PravdaBot, deps: BotDeps): Promise<void> {
  const tg = bot.telegram;
  const calls: Promise<unknown>[] = [tg.setMyCommands(commandsFor('ru', USER_COMMANDS))];
  for (const lang of LANGUAGES) calls.push(tg.setMyCommands(commandsFor(lang, USER_COMMANDS), { language_code: lang }));
  for (const lang of [undefined, ...LANGUAGES]) {
    const group = GROUP_COMMANDS.map(([command, key]) => ({ command, description: t(lang ?? 'ru', key) }));
    calls.push(tg.setMyCommands(group, { scope: { type: 'all_group_chats' }, ...(lang ? { language_code: lang } : {}) }));
  }
  for (const adminId of deps.config.adminIds) {
    // A chat-scoped menu needs a chat the bot knows; an admin who never wrote to the bot has none yet.
    calls.push(tg.setMyCommands(commandsFor('ru', [...USER_COMMANDS, ...ADMIN_COMMANDS]), { scope: { type: 'chat', chat_id: adminId } }));
  }
  const app = deps.config.miniApp.url;
  // The chat menu button opens the Mini App (Bot API setChatMenuButton, default for all private chats).
  if (app) calls.push(tg.setChatMenuButton({ menuButton: { type: 'web_app', text: t('ru', 'miniapp.menu_button'), web_app: { url: app } } }));
  const results = await Promise.allSettled(calls);
  for (const r of results) if (r.status === 'rejected') deps.logger.warn({ err: r.reason }, 'setMyCommands / setChatMenuButton failed');
}

/**
 * The webhook secret: WEBHOOK_SECRET, else one derived from the token, so every bot process behind
 * one URL agrees without configuration. Bot API: 1-256 characters of A-Z a-z 0-9 _ -.
 */
function webhookSecret(deps: BotDeps): string {
  return deps.config.webhookSecret || createHash('sha256').update(`webhook:${deps.config.botToken}`).digest('hex');
}

/**
 * Creates and starts the bot. Resolves once it receives updates (polling started or webhook set);
 * a fatal polling failure after that (revoked token, a second poller) is logged.
 * @throws when getMe / deleteWebhook / setWebhook fail at startup (bad token, unreachable API root)
 */
export async function launchBot(deps: BotDeps, opts: LaunchOptions = {}): Promise<RunningBot> {
  const bot = createBot(deps);
  bot.botInfo = await bot.telegram.getMe();
  await setCommands(bot, deps);
  const allowedUpdates = [...ALLOWED_UPDATES];

  let halt: (reason: string) => Promise<void>;
  if (deps.config.webhookUrl) {
    halt = await startWebhook(bot, deps, allowedUpdates, opts.http);
    deps.logger.info({ url: deps.config.webhookUrl }, 'bot started (webhook)');
  } else {
    const runner = new UpdateRunner(bot, deps.logger, allowedUpdates);
    await runner.start();
    halt = () => runner.stop();
    deps.logger.info({ username: bot.botInfo.username }, 'bot started (long polling)');
  }

  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => void stop(signal);
  const stop = (reason = 'stop'): Promise<void> => {
    stopping ??= (async () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      // Updates in flight finish first; then Redis can go.
      await halt(reason);
      await bot.close();
      deps.logger.info({ reason }, 'bot stopped');
    })();
    return stopping;
  };
  if (opts.handleSignals ?? true) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { bot, stop };
}

/**
 * Webhook mode on the process's one HTTP server: POST <path of WEBHOOK_URL> with Telegram's
 * `X-Telegram-Bot-Api-Secret-Token` header (anything else: 403; an update that must come again,
 * bot/redelivery.ts: 500), then setWebhook. Returns the halt
 * function: waits for the updates in flight and closes the server if it was made here.
 */
async function startWebhook(bot: PravdaBot, deps: BotDeps, allowedUpdates: UpdateType[], given?: HttpServer): Promise<() => Promise<void>> {
  const url = new URL(deps.config.webhookUrl);
  const secret = webhookSecret(deps);
  const http = given ?? createHttpServer(
    { ds: deps.ds, redisUrl: deps.redisUrl, prefix: deps.config.queuePrefix }, deps.config.httpPort || DEFAULT_WEBHOOK_PORT);
  const inFlight = new Set<Promise<void>>();
  let accepting = true;
  http.app.post(url.pathname, async (req, reply) => {
    if (req.headers['x-telegram-bot-api-secret-token'] !== secret) return reply.code(403).send();
    if (!accepting) return reply.code(503).send();
    let again = false;
    const run = bot.handleUpdate(req.body as Update)
      .catch((err: unknown) => {
        again = err instanceof RedeliveryNeeded;
        deps.logger.error({ err, updateId: (req.body as Update)?.update_id }, 'update not handled');
      });
    inFlight.add(run);
    try {
      await run;
    } finally {
      inFlight.delete(run);
    }
    // 500: Telegram delivers the update again (a payment the database could not record yet).
    return reply.code(again ? 500 : 200).send();
  });
  await http.listen();
  await bot.telegram.setWebhook(deps.config.webhookUrl, { secret_token: secret, allowed_updates: allowedUpdates });
  return async () => {
    accepting = false;
    await Promise.all(inFlight);
    if (!given) await http.close();
  };
}
