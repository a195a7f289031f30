/**
 * The Telegram bot (grammY project template, STYLE §7): `createBot` installs the middleware, the
 * scenes' stage, one composer per feature (bot/features/), and the `unhandled` handler last.
 *
 * Middleware order matters:
 * 0. update context: request id (update_id) for logs and jobs, handling-time histogram;
 * 1. flood wait: the Bot API retry policy and circuit breaker (infra/telegram-policy.ts), before the
 *    boundary, so apologies retry too;
 * 2. error boundary: everything below may throw; the user hears "nothing was changed";
 * 3. redelivered updates dropped (SET NX per update_id / callback query id), then the per-user
 *    rate limit (middleware/rate-limit.ts: after the guard, so a redelivery never counts twice);
 * 4. groups and inline mode: their own features (features/shared.ts), which end the chain for them;
 * 5. user: account upsert, language; non-private chats stop here;
 * 6. Redis session, scenes (a command typed inside a scene leaves it first);
 * 7. features, unhandled.
 */
import { Scenes, Telegraf } from 'telegraf';
import { BotContext, type BotSceneSession } from './context';
import type { BotDeps } from './deps';
import { adminFeature } from './features/admin';
import { tradeFeature } from './features/bet/confirm';
import { orderScene } from './features/bet/order-scene';
import { depositFeature } from './features/deposit';
import { liquidityFeature } from './features/liquidity';
import { marketsFeature } from './features/markets';
import { portfolioFeature } from './features/portfolio';
import { resolutionFeature } from './features/resolution';
import { startFeature } from './features/start';
import { unhandledFeature } from './features/unhandled';
import { errorBoundary } from './middleware/error-boundary';
import { floodWait } from './middleware/flood-wait';
import { dropRedeliveredUpdates } from './middleware/idempotency';
import { rateLimit } from './middleware/rate-limit';
import { updateContext } from './middleware/update-context';
import { applyTelegramPolicy } from '../infra/telegram-policy';
import { redisSession } from './middleware/session';
import { loadUser } from './middleware/user';
import { createRuntime, type BotRuntime } from './runtime';
import { depositScene } from './scenes/deposit';
import { newMarketScene } from './scenes/new-market';
import { reachabilityFeature } from './features/reachability';
import { settingsFeature } from './features/settings';
import { sharedChatsFeature } from './features/shared';
import { topFeature } from './features/top';
import { inviteFeature } from './features/invite';
import { profileFeature } from './features/profile';
import { leagueFeature } from './features/league';
import { responsibleUseFeature } from './features/responsible-use';
import { withdrawFeature } from './features/withdraw';
import { endAdminTyping, withdrawalsAdminFeature } from './features/withdrawals-admin';
import { RedeliveryNeeded } from './redelivery';
import { withdrawScene } from './scenes/withdraw';
import { alertsFeature } from './features/alerts';
import { triggersFeature } from './features/triggers';
import { watchlistFeature } from './features/watchlist';

export { BotContext } from './context';
export type { BotDeps, BotQueues } from './deps';

/** A draft left alone for an hour is stale (prices moved); the scene then simply ends. */
const SCENE_TTL_SEC = 60 * 60;

/** The bot plus `close()`, which releases its Redis connection (call after `stop`). */
export type PravdaBot = Telegraf<BotContext> & { close(): Promise<void> };

function createStage(rt: BotRuntime): Scenes.Stage<BotContext, BotSceneSession> {
  const stage = new Scenes.Stage<BotContext, BotSceneSession>([orderScene(rt), depositScene(rt), newMarketScene(), withdrawScene(rt)], { ttl: SCENE_TTL_SEC });
  // Commands always work: /start, /help, /cancel typed in the middle of a bet end the bet first.
  stage.use(async (ctx, next) => {
    const text = ctx.message && 'text' in ctx.message ? ctx.message.text : undefined;
    if (text?.startsWith('/') && ctx.scene.current) await ctx.scene.leave();
    await next();
  });
  return stage;
}

/**
 * Builds the bot. Nothing talks to Telegram until it is launched (bot/launch.ts); Redis connects
 * in the background.
 */
export function createBot(deps: BotDeps): PravdaBot {
  const rt = createRuntime(deps);
  const bot = new Telegraf<BotContext>(deps.config.botToken, {
    contextType: BotContext,
    // webhookReply off: a reply folded into the webhook response returns no Message, and the card
    // cache needs the file_id of every photo sent.
    telegram: { apiRoot: deps.config.apiRoot, webhookReply: false },
  });
  applyTelegramPolicy(bot.telegram, rt.telegramPolicy, rt.onFloodWait);
  bot.use(updateContext());
  bot.use(floodWait(rt.telegramPolicy, rt.onFloodWait));
  bot.use(errorBoundary(rt));
  bot.use(dropRedeliveredUpdates(rt));
  bot.use(rateLimit(rt));
  bot.use(sharedChatsFeature(rt));
  bot.use(loadUser(rt));
  bot.use(redisSession(rt));
  bot.use(endAdminTyping(rt));
  bot.use(createStage(rt));
  bot.use(startFeature(rt), marketsFeature(rt), tradeFeature(rt), portfolioFeature(rt), depositFeature(rt), adminFeature(rt));
  bot.use(resolutionFeature(rt), liquidityFeature(rt));
  bot.use(settingsFeature(rt), topFeature(rt), reachabilityFeature(rt), inviteFeature(rt), profileFeature(rt), leagueFeature(rt));
  bot.use(withdrawFeature(rt), withdrawalsAdminFeature(rt), responsibleUseFeature(rt));
  bot.use(watchlistFeature(rt), alertsFeature(rt), triggersFeature(rt));
  bot.use(unhandledFeature());
  // Last resort: the boundary catches handler errors; this only sees a failure of the boundary itself.
  bot.catch((err, ctx) => {
    // The runner or the webhook must see it: the update is to be delivered again (bot/redelivery.ts).
    if (err instanceof RedeliveryNeeded) throw err;
    deps.logger.error({ err, updateId: ctx.update.update_id }, 'unhandled bot error');
  });
  return Object.assign(bot, {
    close: async () => {
      if (rt.redis.isOpen) await rt.redis.quit();
    },
  });
}
