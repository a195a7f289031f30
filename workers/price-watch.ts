/**
 * After-commit side of price alerts and stop-loss / take-profit triggers (issue 11): the matching
 * worker hands over what a committed batch fired (domain/services/price-watch.ts). Alerts and
 * finished triggers are notified (topics 'alerts' / 'triggers') and marked delivered. Trigger sells
 * are ordinary `place` commands keyed `trigger:<id>`, recorded in the command log by the batch
 * transaction that fired them (issue 13), so they apply in a following batch, exactly once, through
 * the same path as every order.
 *
 * A crash between the commit and this step loses nothing: `redeliverPending` (run with the
 * supervisor's sweep) picks up undelivered fires and fired triggers whose sell is not applied yet
 * (recorded again: a no-op for a known key); dedupe keys make a repeat harmless.
 */
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { PlaceOrderCommand } from '../domain/services/commands';
import {
  markFiresDelivered, markTriggersNotified, pendingTriggers, undeliveredFires, type WatchOutcome,
} from '../domain/services/price-watch';
import { alertMessages, triggerMessages } from '../messages/alerts';
import type { Notifier } from './notifications/producer';

export interface WatchDeps {
  ds: DataSource;
  notifier: Notifier;
  logger: Logger;
}

/** Records trigger sells in the command log (idempotent by key) and signals their markets. */
export type RecordSells = (sells: readonly PlaceOrderCommand[]) => Promise<void>;

/** Delivers one batch's outcome; never throws (the trade is committed, and a sweep repeats what failed). */
export async function deliverWatch(deps: WatchDeps, watch: WatchOutcome, recordSells: RecordSells): Promise<void> {
  if (watch.fires.length === 0 && watch.sells.length === 0 && watch.done.length === 0) return;
  try {
    if (watch.sells.length > 0) await recordSells(watch.sells);
    for (const j of await alertMessages(deps.ds.manager, watch.fires)) await deps.notifier.notify(j);
    await markFiresDelivered(deps.ds.manager, watch.fires.map((f) => f.fireId));
    for (const j of await triggerMessages(deps.ds.manager, watch.done)) await deps.notifier.notify(j);
    await markTriggersNotified(deps.ds.manager, watch.done.map((d) => d.triggerId));
  } catch (err) {
    deps.logger.error({ err }, 'could not deliver alerts / triggers');
  }
}

/** Repeats what a crash may have left undone: undelivered fires, unapplied sells, untold triggers. */
export async function redeliverPending(deps: WatchDeps, recordSells: RecordSells): Promise<void> {
  const fires = await undeliveredFires(deps.ds.manager);
  const { sells, done } = await pendingTriggers(deps.ds.manager);
  await deliverWatch(deps, { fires, sells, done }, recordSells);
}
