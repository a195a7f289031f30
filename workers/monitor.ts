/**
 * The money monitor (issue 15, seed 000 alerts): a BullMQ job scheduler in the workers runs every
 * MONITOR_EVERY, however many worker processes there are, and checks
 * - the ledger audit (domain/services/audit.ts): any violated invariant;
 * - failed jobs of every queue;
 * - a queue whose oldest waiting job is older than ALERT_QUEUE_AGE;
 * - a burst of failed payments (ALERT_FAILED_PAYMENTS within MONITOR_EVERY, recorded by the bot).
 * Each incident is alerted to ALERT_CHAT_ID once (a Redis marker per incident id, kept 30 days),
 * with the details, through the notification pipeline (ordered, paced, retried).
 */
import { createHash } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { runAudit } from '../domain/read/audit';
import type { Config, MonitorSettings } from '../infra/config';
import { t } from '../infra/i18n';
import { monitorMetrics } from '../infra/metrics';
import { incidentKey, paymentFailuresKey } from '../infra/ops-keys';
import { createRedis, redisOptions } from '../infra/redis';
import { queueBacklog, WATCHED_QUEUES } from '../web/business-gauges';
import type { Notifier } from './notifications/producer';
import { bullPrefix } from '../jobs/queues';
import { CRASH_SAFE, keepScheduler } from './resilience';

export const MONITOR_QUEUE = 'monitor';
/** An alerted incident is not alerted again for this long. */
const INCIDENT_TTL_SEC = 30 * 86_400;
/** Telegram's message limit is 4 096 characters; details beyond this are cut (the log has them all). */
const DETAILS_MAX = 3_000;
/** Failed jobs looked at per queue and run. */
const FAILED_SCAN = 50;

/** One thing to tell the admins. `id` identifies the incident (same problem, same id). */
export interface Incident {
  kind: 'audit' | 'failed_job' | 'stale_queue' | 'failed_payments';
  id: string;
  vars: Record<string, string | number>;
  details: unknown;
}

/** The monitor's settings from the config (infra/config.ts). */
export function monitorConfigOf(config: Pick<Config, 'monitor'>): MonitorSettings {
  return config.monitor;
}

export interface MonitorDeps {
  ds: DataSource;
  redisUrl: string;
  prefix: string;
  notifier: Notifier;
  logger: Logger;
  settings: MonitorSettings;
}

const digest = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);

/** Everything wrong right now. Pure reads; alerting is the caller's. */
export async function findIncidents(deps: MonitorDeps, queue: (name: string) => Queue): Promise<Incident[]> {
  const out: Incident[] = [];
  const audit = await runAudit(deps.ds.manager);
  monitorMetrics.audits.inc({ result: audit.ok ? 'ok' : 'violation' });
  for (const [name, r] of Object.entries(audit.invariants)) {
    if (!r.ok) out.push({ kind: 'audit', id: `audit:${name}:${digest(r.violations)}`, vars: { invariant: name, count: r.violations.length }, details: r.violations });
  }
  for (const name of WATCHED_QUEUES) {
    const q = queue(name);
    for (const job of await q.getFailed(0, FAILED_SCAN - 1)) {
      if (!job?.id) continue;
      out.push({
        kind: 'failed_job', id: `failed:${name}:${job.id}:${job.finishedOn ?? 0}`,
        vars: { queue: name, job: job.id, attempts: job.attemptsMade }, details: { reason: job.failedReason, data: job.data },
      });
    }
    const b = await queueBacklog(q);
    if (b.oldestAgeSec * 1000 > deps.settings.queueAgeMs) {
      const [oldest] = await q.getJobs(['wait', 'prioritized'], 0, 0, true);
      out.push({
        kind: 'stale_queue', id: `stale:${name}:${oldest?.id ?? ''}`,
        vars: { queue: name, age: Math.round(b.oldestAgeSec), depth: b.depth }, details: { oldestJob: oldest?.id, name: oldest?.name },
      });
    }
  }
  return out;
}

async function failedPayments(deps: MonitorDeps, redis: ReturnType<typeof createRedis>): Promise<Incident[]> {
  // Two periods, not one: a run that starts late (a busy process, a scheduler put back after Redis
  // lost it) must still see failures recorded just after the previous run; the incident key (named
  // after the burst's first failure) keeps an overlap from alerting twice.
  const windowMs = 2 * deps.settings.everyMs;
  const since = Date.now() - windowMs;
  const ids = await redis.zrangebyscore(paymentFailuresKey(deps.prefix), since, '+inf');
  if (ids.length < deps.settings.failedPayments) return [];
  // One burst, one alert: the incident is named after its first failure.
  return [{ kind: 'failed_payments', id: `payments:${ids[0]}`, vars: { count: ids.length, minutes: Math.max(1, Math.round(windowMs / 60_000)) }, details: ids }];
}

/** The alert text (ru, the project's default language) with the details cut to fit one message. */
export function alertText(incident: Incident): string {
  let details = JSON.stringify(incident.details);
  if (details.length > DETAILS_MAX) details = `${details.slice(0, DETAILS_MAX)}…`;
  return `${t('ru', `ops.alert_${incident.kind}`, incident.vars)}\n\n${details}`;
}

/** Starts the scheduler and its worker. */
export async function startMonitor(deps: MonitorDeps): Promise<{ close(): Promise<void> }> {
  const redis = createRedis(deps.redisUrl);
  const opts = { connection: redisOptions(deps.redisUrl), prefix: bullPrefix(deps.prefix) };
  const queues = new Map<string, Queue>();
  const queue = (name: string): Queue => {
    let q = queues.get(name);
    if (!q) queues.set(name, (q = new Queue(name, { connection: redis, prefix: bullPrefix(deps.prefix) })));
    return q;
  };
  const own = new Queue(MONITOR_QUEUE, opts);
  const scheduler = await keepScheduler(own, 'monitor', { every: deps.settings.everyMs }, { name: 'check', opts: { removeOnComplete: true, removeOnFail: 100 } }, deps.logger);
  const log = deps.logger.child({ component: 'monitor' });
  const worker = new Worker(MONITOR_QUEUE, async (job: Job) => {
    const incidents = [...await findIncidents(deps, queue), ...await failedPayments(deps, redis)]
      // The monitor's own failed runs are reported by the next run, never about themselves in a loop.
      .filter((i) => !(i.kind === 'failed_job' && i.vars.queue === MONITOR_QUEUE && i.vars.job === job.id));
    for (const incident of incidents) {
      const fresh = await redis.set(incidentKey(deps.prefix, incident.id), '1', 'EX', INCIDENT_TTL_SEC, 'NX');
      if (fresh !== 'OK') continue;
      monitorMetrics.alerts.inc({ kind: incident.kind });
      log.error({ incident }, 'incident');
      if (!deps.settings.alertChatId) continue;
      await deps.notifier.notify({ chatId: Number(deps.settings.alertChatId), kind: 'send', text: alertText(incident), dedupeKey: `alert:${incident.id}`.slice(0, 200) });
    }
  }, { ...opts, concurrency: 1, ...CRASH_SAFE });
  worker.on('failed', (_job, err) => log.error({ err }, 'monitor run failed'));
  return {
    close: async () => {
      scheduler.stop();
      await worker.close();
      await own.close();
      await Promise.all([...queues.values()].map((q) => q.close()));
      await redis.quit();
    },
  };
}
