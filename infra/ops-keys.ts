/** Redis keys shared by the bot, the workers and the HTTP server for operations (QUEUE_PREFIX first). */

/** The workers' heartbeat (infra/heartbeat.ts). */
export function heartbeatKey(prefix: string): string {
  return `${prefix}:workers:heartbeat`;
}

/** Sorted set of failed payments (member: charge or query id, score: ms), read by the money monitor. */
export function paymentFailuresKey(prefix: string): string {
  return `${prefix}:monitor:payment-failures`;
}

/** Marker of an incident already alerted (workers/monitor.ts). */
export function incidentKey(prefix: string, id: string): string {
  return `${prefix}:monitor:incident:${id}`;
}

/** Set of markets changed in card-redraw window `window` (workers/cards.ts), drained by that window's job. */
export function cardsChangedKey(prefix: string, window: number): string {
  return `${prefix}:cards:changed:${window}`;
}
