/**
 * What every feature of the bot gets: the deps plus the bot's own Redis connection and its key
 * naming. Built once by createBot.
 */
import { createClient } from 'redis';
import { createTelegramPolicy, type TelegramPolicy } from '../infra/telegram-policy';
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
}

/**
 * Builds the runtime. The Redis client is NOT connected here: @telegraf/session's Redis store
 * calls `connect()` on the client it is given (and fails on one already connecting), so the
 * session middleware connects it; commands issued meanwhile wait in node-redis's queue.
 */
export function createRuntime(deps: BotDeps): BotRuntime {
  const redis = createClient({ url: deps.redisUrl });
  redis.on('error', (err: unknown) => deps.logger.error({ err }, 'bot redis error'));
  const prefix = `${deps.config.queuePrefix}:bot`;
  return { ...deps, redis, key: (...parts) => [prefix, ...parts].join(':'), telegramPolicy: deps.telegramPolicy ?? createTelegramPolicy() };
}

/**
 * Claims `key` once for `ttlSec` seconds (SET NX EX). True for the first caller; false for every
 * other caller until the key expires. Used for "this happened at most once" at the edge.
 */
export async function claimOnce(rt: BotRuntime, key: string, ttlSec: number): Promise<boolean> {
  return (await rt.redis.set(key, '1', { NX: true, EX: ttlSec })) === 'OK';
}
