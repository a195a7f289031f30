import IORedis, { type RedisOptions } from 'ioredis';

/**
 * ioredis options for a URL, with `maxRetriesPerRequest: null` as BullMQ requires for workers'
 * blocking connections. Passing options (not an instance) lets BullMQ own and close its connections.
 */
export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
}

/** A Redis connection for our own keys and for queues (non-blocking use). */
export function createRedis(url: string): IORedis {
  return new IORedis(redisOptions(url));
}
