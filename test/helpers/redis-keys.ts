import { createClient } from 'redis';

/** Deletes every Redis key of a run with this prefix (bot keys and BullMQ's `{prefix}` keys). */
export async function dropKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  for (const pattern of [`${prefix}:*`, `{${prefix}}:*`]) {
    for await (const key of redis.scanIterator({ MATCH: pattern, COUNT: 500 })) await redis.del(key);
  }
  await redis.quit();
}
