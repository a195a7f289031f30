import IORedis from 'ioredis';

/**
 * A Redis connection for BullMQ (which requires `maxRetriesPerRequest: null` on workers'
 * blocking connections) and for our own keys.
 */
export function createRedis(url: string): IORedis {
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}
