import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { redisOptions } from '../infra/redis';
import { bullPrefix, RESOLUTION_NEWS_QUEUE, type ResolutionNews } from '../jobs/queues';
import { resolutionNewsMessages } from '../messages/resolution-news';
import type { Notifier } from './notifications/producer';

export interface ResolutionNewsDeps {
  ds: DataSource;
  redisUrl: string;
  prefix: string;
  notifier: Notifier;
  logger: Logger;
}

/**
 * Fans resolution news out through the notifications pipeline (DESIGN §5: it respects Telegram's
 * limits and per-chat order). The messages and their dedupe keys come from the message layer
 * (messages/resolution-news.ts), so a retried job reaches each person once.
 */
export function startResolutionNewsWorker(deps: ResolutionNewsDeps): Worker {
  const worker = new Worker<ResolutionNews>(RESOLUTION_NEWS_QUEUE, (job) => deliver(deps, job), {
    connection: redisOptions(deps.redisUrl), prefix: bullPrefix(deps.prefix), concurrency: 2,
  });
  worker.on('failed', (job, err) => deps.logger.error({ err, news: job?.data }, 'resolution news failed'));
  return worker;
}

async function deliver(deps: ResolutionNewsDeps, job: Job<ResolutionNews>): Promise<number> {
  const jobs = await resolutionNewsMessages(deps.ds.manager, job.data);
  for (const j of jobs) await deps.notifier.notify(j);
  return jobs.length;
}
