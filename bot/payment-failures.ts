import { paymentFailuresKey } from '../infra/ops-keys';
import type { BotRuntime } from './runtime';

/** Kept this long; the money monitor looks at its own window only. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * Records a failed payment (a refused pre-checkout query, a charge that matched no invoice) for the
 * money monitor's burst alert (workers/monitor.ts). `id` makes a redelivered failure count once.
 * Never throws: monitoring must not break a payment answer.
 */
export async function recordPaymentFailure(rt: BotRuntime, id: string): Promise<void> {
  const key = paymentFailuresKey(rt.config.queuePrefix);
  const now = Date.now();
  try {
    await rt.redis.zAdd(key, { score: now, value: id }, { NX: true });
    await rt.redis.zRemRangeByScore(key, 0, now - KEEP_MS);
  } catch (err) {
    rt.logger.warn({ err }, 'could not record a payment failure');
  }
}
