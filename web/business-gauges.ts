/**
 * Gauges computed at scrape time from shared state, so every process reports the same figures:
 * queue depth and oldest waiting job per queue, settlement progress, active users.
 */
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { activeUsers, settlementProgress } from '../domain/read/ops';
import { registry } from '../infra/metrics';
import { CARDS_QUEUE } from '../workers/cards';
import { DIGEST_QUEUE } from '../workers/digests';
import { NOTIFICATIONS_QUEUE } from '../workers/notifications/keys';
import { MAINTENANCE_QUEUE, MATCHING_QUEUE, RESOLUTION_NEWS_QUEUE, SETTLE_QUEUE } from '../jobs/queues';

/** Every queue of a deployment (one matching queue for all markets since issue 13). */
export const WATCHED_QUEUES = [MATCHING_QUEUE, SETTLE_QUEUE, MAINTENANCE_QUEUE, RESOLUTION_NEWS_QUEUE, NOTIFICATIONS_QUEUE, CARDS_QUEUE, DIGEST_QUEUE, 'monitor'];

/** Jobs waiting (incl. prioritized) and the age in seconds of the oldest of them (0 when none). */
export async function queueBacklog(q: Queue): Promise<{ depth: number; oldestAgeSec: number }> {
  const counts = await q.getJobCounts('wait', 'prioritized', 'active', 'delayed');
  const depth = (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0);
  const [oldest] = await q.getJobs(['wait', 'prioritized'], 0, 0, true);
  return { depth, oldestAgeSec: oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0 };
}

interface Source {
  ds: DataSource;
  queue: (name: string) => Queue;
}
let source: Source | undefined;

/** One queue scan serves both queue gauges of a scrape (prom-client collects metrics concurrently). */
let scan: { at: number; result: Promise<Map<string, { depth: number; oldestAgeSec: number }>> } | undefined;
function scanQueues(s: Source): Promise<Map<string, { depth: number; oldestAgeSec: number }>> {
  if (scan && Date.now() - scan.at < 1000) return scan.result;
  const result = (async () => {
    const out = new Map<string, { depth: number; oldestAgeSec: number }>();
    // Redis or the database down: the queue gauges are left out, /metrics still answers (and /health says why).
    try {
      for (const name of WATCHED_QUEUES) out.set(name, await queueBacklog(s.queue(name)));
    } catch {
      out.clear();
    }
    return out;
  })();
  scan = { at: Date.now(), result };
  return result;
}

new Gauge({
  name: 'pravda_queue_depth', help: 'Jobs waiting, active or delayed per queue', labelNames: ['queue'] as const, registers: [registry],
  async collect() {
    if (!source) return;
    this.reset();
    for (const [queue, b] of await scanQueues(source)) this.set({ queue }, b.depth);
  },
});
new Gauge({
  name: 'pravda_queue_oldest_job_age_seconds', help: 'Age of the oldest waiting job per queue', labelNames: ['queue'] as const, registers: [registry],
  async collect() {
    if (!source) return;
    this.reset();
    for (const [queue, b] of await scanQueues(source)) this.set({ queue }, b.oldestAgeSec);
  },
});
new Gauge({
  name: 'pravda_settlement_positions', help: 'Positions of markets being settled, by state (settled/pending); markets: resolved markets not yet settled',
  labelNames: ['state'] as const, registers: [registry],
  async collect() {
    if (!source) return;
    const p = await settlementProgress(source.ds).catch(() => undefined);
    if (!p) return;
    this.set({ state: 'settled' }, p.positionsSettled);
    this.set({ state: 'pending' }, p.positionsPending);
    this.set({ state: 'markets' }, p.marketsSettling);
  },
});
new Gauge({
  name: 'pravda_active_users', help: 'Users who placed an order in the window', labelNames: ['window'] as const, registers: [registry],
  async collect() {
    if (!source) return;
    const n = await activeUsers(source.ds, 24).catch(() => undefined);
    if (n !== undefined) this.set({ window: '24h' }, n);
  },
});

/** Points the gauges at this process's database and queues (the latest HTTP server wins). */
export function registerBusinessGauges(ds: DataSource, queue: (name: string) => Queue): void {
  source = { ds, queue };
}
