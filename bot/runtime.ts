/**
 * What every feature of the bot gets: the deps plus the bot's own Redis connection and its key
 * naming. Built once by createBot.
 */
import { createClient } from 'redis';
import { createTelegramPolicy, type FloodWaitHook, type TelegramPolicy } from '../infra/telegram-policy';
import { chatNotBeforeKey, RAISE_NOT_BEFORE } from '../jobs/flood-marks';
import { bullPrefix } from '../jobs/queues';
import type { BotDeps } from './deps';

/** A node-redis v4 client (the type @telegraf/session's Redis store takes). */
export type BotRedis = ReturnType<typeof createClient>;

export interface BotRuntime extends BotDeps {
  redis: BotRedis;
  /**
   * A Redis key of the bot: `<queuePrefix>:bot:<parts joined by ':'>`. The prefix keeps test runs
   * and deployments that share a Redis apart, and `{…}`-free keys are fine for Redis Cluster
   * because no bot command touches two keys at once.
   */
  key(...parts: (string | number)[]): string;
  /** The process's Bot API retry policy and circuit breaker (infra/telegram-policy.ts). */
  telegramPolicy: TelegramPolicy;
  /** A reply got 429: the notifications pipeline holds that chat too until retry_after has passed (jobs/flood-marks.ts). */
  onFloodWait: FloodWaitHook;
}

/** Added to a shared flood wait, ms, like the pipeline's own jitter margin (workers/notifications/types.ts). */
const FLOOD_MARGIN_MS = 50;

/**
 * Builds the runtime. The Redis client is NOT connected here: @telegraf/session's Redis store
 * calls `connect()` on the client it is given (and fails on one already connecting), so the
 * session middleware connects it; commands issued meanwhile wait in node-redis's queue.
 */
export function createRuntime(deps: BotDeps): BotRuntime {
  const redis = createClient({ url: deps.redisUrl });
  redis.on('error', (err: unknown) => deps.logger.error({ err }, 'bot redis error'));
  const prefix = `${deps.config.queuePrefix}:bot`;
  const bull = bullPrefix(deps.config.queuePrefix);
  const onFloodWait: FloodWaitHook = (chatId, retryAfterSec) => {
    const ms = Math.ceil(retryAfterSec * 1000) + FLOOD_MARGIN_MS;
    redis.eval(RAISE_NOT_BEFORE, { keys: [chatNotBeforeKey(bull, chatId)], arguments: [String(ms)] })
      .catch((err: unknown) => deps.logger.warn({ err, chatId }, 'could not share a flood wait'));
  };
  return {
    ...deps, redis, key: (...parts) => [prefix, ...parts].join(':'), telegramPolicy: deps.telegramPolicy ?? createTelegramPolicy(), onFloodWait,
  };
}

/**
 * Claims `key` once for `ttlSec` seconds (SET NX EX). True for the first caller; false for every
 * other caller until the key expires. Used for "this happened at most once" at the edge.
 */
export async function claimOnce(rt: BotRuntime, key: string, ttlSec: number): Promise<boolean> {
  return (await rt.redis.set(key, '1', { NX: true, EX: ttlSec })) === 'OK';
}
