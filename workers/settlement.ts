import { Worker, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Language } from '../domain/entities';
import { payoutsOf, SETTLE_BATCH, settleMarket, SettlementInvariantError } from '../domain/services/settlement';
import { t } from '../infra/i18n';
import { redisOptions } from '../infra/redis';
import { payoutsToJobs } from './notices';
import type { WorkerContext } from './context';
import { bullPrefix, SETTLE_QUEUE, type SettleJob } from './queues';

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
    connection: redisOptions(deps.redisUrl), prefix: bullPrefix(deps.prefix), concurrency: 2,
  });
  worker.on('failed', (job, err) => deps.logger.error({ err, marketId: job?.data.marketId }, 'settlement failed'));
  return worker;
}

async function adminLanguage(ds: DataSource, chatId: number): Promise<Language> {
  const [u] = await ds.query(`SELECT language FROM users WHERE telegram_id = $1`, [chatId]);
  return (u?.language as Language) ?? 'ru';
}

async function settle(deps: SettlementDeps, job: Job<SettleJob>): Promise<{ positions: number; paidKop: number }> {
  const { marketId, adminChatId } = job.data;
  const [mk] = await deps.ds.query(`SELECT title, outcome, yes_payout FROM markets WHERE id = $1`, [marketId]);
  const lang = adminChatId ? await adminLanguage(deps.ds, adminChatId) : 'ru';
  let messageId: number | undefined;
  let lastEdit = 0;
  const showProgress = async (vars: Record<string, string | number>): Promise<void> => {
    if (!adminChatId) return;
    const text = t(lang, 'settle.progress', { title: mk?.title ?? '', ...vars });
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
  const outcomeText = (l: Language) => t(l, `outcome.${mk.outcome}`, { r: mk.yes_payout });
  for (const n of await payoutsToJobs(deps.ds, marketId, outcomeText, await payoutsOf(deps.ds, marketId))) {
    await deps.notifier.notify(n);
  }
  // The final word goes through the notifications pipeline, which retries Telegram's refusals and
  // remembers what it sent: a crash or a rerun of the job neither loses nor repeats it.
  if (adminChatId) {
    await deps.notifier.notify({
      chatId: adminChatId, kind: 'send', dedupeKey: `settle-done-${marketId}`,
      text: [t(lang, 'settle.done', { title: mk?.title ?? '', positions: result.positions, paid: result.paidKop }),
        ...(result.maker ? [t(lang, 'liquidity.settle_maker', { profit: result.maker.profitKop, returned: result.maker.returnedKop })] : [])].join('\n'),
    });
  }
  return { positions: result.positions, paidKop: result.paidKop };
}
