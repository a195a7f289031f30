/**
 * The workers' heartbeat: the workers process writes the time into one Redis key every
 * HEARTBEAT_EVERY_MS with a TTL of HEARTBEAT_TTL_MS; `/health` of any process reads it, so a dead
 * or wedged workers process turns every health check red within HEARTBEAT_TTL_MS.
 */
import type IORedis from 'ioredis';
import { heartbeatKey } from './ops-keys';

export const HEARTBEAT_EVERY_MS = 2_000;
export const HEARTBEAT_TTL_MS = 10_000;


/** Starts beating; the returned function stops it and deletes the key. Write errors are reported, not thrown. */
export function startHeartbeat(redis: IORedis, prefix: string, onError: (err: unknown) => void): () => Promise<void> {
  const beat = () => redis.set(heartbeatKey(prefix), String(Date.now()), 'PX', HEARTBEAT_TTL_MS).catch(onError);
  void beat();
  const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
  return async () => {
    clearInterval(timer);
    await redis.del(heartbeatKey(prefix)).catch(onError);
  };
}
