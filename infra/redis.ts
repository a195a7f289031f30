import IORedis, { type RedisOptions } from 'ioredis';

/**
 * BullMQ connection options for a Redis URL: the URL goes to ioredis as is (BullMQ passes `url` to
 * `new IORedis(url, rest)`), so `rediss://` (TLS), user names, passwords and `/db` are ioredis's to
 * parse. `maxRetriesPerRequest: null` is what BullMQ requires for workers' blocking connections.
 * Options, not an instance, let BullMQ own and close its connections.
 */
export function redisOptions(url: string): RedisOptions & { url: string } {
  return { url, maxRetriesPerRequest: null };
}

/**
 * A Redis connection for our own keys and for queues (non-blocking use), from the URL as is.
 * @param extra more ioredis options (e.g. `lazyConnect`), merged over the defaults.
 */
export function createRedis(url: string, extra: RedisOptions = {}): IORedis {
  return new IORedis(url, { maxRetriesPerRequest: null, ...extra });
}
