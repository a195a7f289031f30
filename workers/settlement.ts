import { Worker, type Job } from 'bullmq';
import { marketResult } from '../domain/read/titles';
import { payoutsOf, SETTLE_BATCH, settleMarket, SettlementInvariantError } from '../domain/services/settlement';
import { DEFAULT_LANGUAGE } from '../infra/i18n';
import { redisOptions } from '../infra/redis';
import { adminLanguage, payoutMessages, settlementReport } from '../messages/notices';
import { achievementMessages } from '../messages/achievements';
import { awardAchievements } from '../domain/services/achievements';
import { resolvedNewsMessages } from '../messages/resolution-news';
import type { WorkerContext } from './context';
import { bullPrefix, SETTLE_QUEUE, type SettleJob } from '../jobs/queues';
import { CRASH_SAFE } from './resilience';

export interface SettlementDeps extends WorkerContext {
  batchSize?: number;
}

/** Admin progress edits at most this often (Telegram: ~1 message/s per chat, edits included). */
const PROGRESS_EVERY_MS = 2000;

/**
 * Settles resolved markets, one job per market (job id `settle-<market>`). The job is safe to run
 * twice, in parallel, or again after a crash (settlement.ts); holders are told their payout once
 * (deduped notifications), and the admin who resolved it watches one progress message (edited in
 * place, best effort) and gets one final message through the notifications pipeline.
 */
export function startSettlementWorker(deps: SettlementDeps): Worker {
  const worker = new Worker<SettleJob>(SETTLE_QUEUE, (job) => settle(deps, job), {
    connection: redisOptions(deps.redisUrl), prefix: bullPrefix(deps.prefix), concurrency: 2, ...CRASH_SAFE,
  });
  worker.on('failed', (job, err) => deps.logger.error({ err, marketId: job?.data.marketId }, 'settlement failed'));
  return worker;
}

async function settle(deps: SettlementDeps, job: Job<SettleJob>): Promise<{ positions: number; paidKop: number }> {
  const { marketId, adminChatId } = job.data;
  const title = (await marketResult(deps.ds.manager, marketId))?.title ?? '';
  const lang = adminChatId ? await adminLanguage(deps.ds.manager, adminChatId) : DEFAULT_LANGUAGE;
  // Per-chat order (issue 15): the outcome before the payout. The resolution-news worker queues the
  // same messages (same dedupe keys) and may not have run yet; whichever queues first wins, and
  // each holder's lane then has "resolved" ahead of the payout queued below. Holders are read
  // before settling, while their positions still show them.
  for (const n of await resolvedNewsMessages(deps.ds.manager, marketId)) await deps.notifier.notify(n);
  let messageId: number | undefined;
  let lastEdit = 0;
  const showProgress = async (vars: { paid: number; total: number }): Promise<void> => {
    if (!adminChatId) return;
    const text = settlementReport.progress(lang, title, vars);
    try {
      if (messageId === undefined) messageId = (await deps.telegram.sendMessage(adminChatId, text)).message_id;
      else await deps.telegram.editMessageText(adminChatId, messageId, undefined, text);
    } catch (err) {
      // Progress is a courtesy; Telegram refusing an edit ("not modified", 429) must not stop paying.
      deps.logger.warn({ err, marketId }, 'settlement progress message failed');
    }
  };
  const result = await settleMarket(deps.ds, marketId, {
    batchSize: deps.batchSize,
    onProgress: async ({ total, paid }) => {
      await job.updateProgress({ total, paid });
      // Only markets that take several batches get a progress message; small ones just get "done".
      if (total > (deps.batchSize ?? SETTLE_BATCH) && Date.now() - lastEdit >= PROGRESS_EVERY_MS) {
        lastEdit = Date.now();
        await showProgress({ paid, total });
      }
    },
  }).catch((err) => {
    if (err instanceof SettlementInvariantError) deps.logger.fatal({ err, marketId }, 'settlement invariant broken');
    throw err;
  });
  if (result.status !== 'settled') return { positions: 0, paidKop: 0 };
  const payouts = await payoutsOf(deps.ds, marketId);
  for (const n of await payoutMessages(deps.ds.manager, marketId, payouts)) {
    await deps.notifier.notify(n);
  }
  // Issue 12: a right call may be a first win or the tenth (awarded once, announced after the payout).
  try {
    const awards = await awardAchievements(deps.ds, payouts.map((p) => p.userId), { only: ['first_win', 'ten_correct'] });
    for (const n of await achievementMessages(deps.ds.manager, awards)) await deps.notifier.notify(n);
  } catch (err) {
    deps.logger.error({ err, marketId }, 'achievements after settlement failed');
  }
  // The final word goes through the notifications pipeline, which retries Telegram's refusals and
  // remembers what it sent: a crash or a rerun of the job neither loses nor repeats it.
  if (adminChatId) {
    await deps.notifier.notify({
      chatId: adminChatId, kind: 'send', dedupeKey: `settle-done-${marketId}`,
      text: settlementReport.done(lang, title, result),
    });
  }
  return { positions: result.positions, paidKop: result.paidKop };
}
