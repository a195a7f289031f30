/**
 * After-commit side of price alerts and stop-loss / take-profit triggers (issue 11): the matching
 * worker hands over what a committed batch fired (domain/services/price-watch.ts). Alerts and
 * finished triggers are notified (topics 'alerts' / 'triggers') and marked delivered; trigger sells
 * are queued on the market's matching queue as ordinary `place` commands keyed `trigger:<id>`, so
 * they apply in a following batch, exactly once, through the same path as every order.
 *
 * A crash between the commit and this step loses nothing: `redeliverPending` (run with the
 * supervisor's market rescan) picks up undelivered fires and unqueued sells; dedupe keys and job ids
 * make a repeat harmless.
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { PlaceOrderCommand } from '../domain/services/commands';
import {
  markFiresDelivered, markTriggersNotified, pendingTriggers, undeliveredFires, type WatchOutcome,
} from '../domain/services/price-watch';
import { commandJobOptions } from '../jobs/queues';
import { alertMessages, triggerMessages } from '../messages/alerts';
import type { Notifier } from './notifications/producer';

export interface WatchDeps {
  ds: DataSource;
  notifier: Notifier;
  logger: Logger;
}

/** Queues trigger sells on their market's queue (`queueOf` gives it, or null when no worker runs it here). */
async function queueSells(sells: readonly PlaceOrderCommand[], queueOf: (marketId: number) => Queue | null): Promise<void> {
  for (const s of sells) {
    const q = queueOf(s.marketId);
    if (q) await q.add(s.type, { ...s, reqId: s.idempotencyKey }, commandJobOptions(s.idempotencyKey));
  }
}

/** Delivers one batch's outcome; never throws (the trade is committed, and a sweep repeats what failed). */
export async function deliverWatch(deps: WatchDeps, watch: WatchOutcome, queueOf: (marketId: number) => Queue | null): Promise<void> {
  if (watch.fires.length === 0 && watch.sells.length === 0 && watch.done.length === 0) return;
  try {
    await queueSells(watch.sells, queueOf);
    for (const j of await alertMessages(deps.ds.manager, watch.fires)) await deps.notifier.notify(j);
    await markFiresDelivered(deps.ds.manager, watch.fires.map((f) => f.fireId));
    for (const j of await triggerMessages(deps.ds.manager, watch.done)) await deps.notifier.notify(j);
    await markTriggersNotified(deps.ds.manager, watch.done.map((d) => d.triggerId));
  } catch (err) {
    deps.logger.error({ err }, 'could not deliver alerts / triggers');
  }
}

/** Repeats what a crash may have left undone: undelivered fires, unqueued sells, untold triggers. */
export async function redeliverPending(deps: WatchDeps, queueOf: (marketId: number) => Queue | null): Promise<void> {
  const fires = await undeliveredFires(deps.ds.manager);
  const { sells, done } = await pendingTriggers(deps.ds.manager);
  await deliverWatch(deps, { fires, sells, done }, queueOf);
}
