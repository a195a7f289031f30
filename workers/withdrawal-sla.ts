/**
 * Withdrawal SLA (issue 9): a BullMQ job scheduler (one tick per period however many worker
 * processes run it) finds requests open longer than WITHDRAW_SLA, reminds every admin and tells
 * the user, with an apology, once per request (flagOverdue claims it; dedupe keys make a retried
 * tick send nothing twice).
 */
import { Queue, Worker } from 'bullmq';
import { overdueWithdrawals, recipientsOf } from '../domain/read/withdrawals';
import { flagOverdue } from '../domain/services/withdrawals';
import { DEFAULT_LANGUAGE, t } from '../infra/i18n';
import { redisOptions } from '../infra/redis';
import type { WorkerContext } from './context';
import { bullPrefix } from '../jobs/queues';
import { CRASH_SAFE, keepScheduler } from './resilience';

export const WITHDRAWAL_SLA_QUEUE = 'withdrawal-sla';

/** What the SLA job needs: the SLA (ms), the admins' chats, and how often to look (ms). */
export interface WithdrawalSlaSchedule {
  slaMs: number;
  adminChatIds: readonly number[];
  tickMs?: number;
}

/** Ticks at most once a minute, more often for short SLAs (tests). */
function tickOf(s: WithdrawalSlaSchedule): number {
  return s.tickMs ?? Math.max(1000, Math.min(60_000, Math.floor(s.slaMs / 4)));
}

export async function startWithdrawalSla(ctx: Omit<WorkerContext, 'telegram'>, schedule: WithdrawalSlaSchedule): Promise<{ close(): Promise<void> }> {
  const opts = { connection: redisOptions(ctx.redisUrl), prefix: bullPrefix(ctx.prefix) };
  const queue = new Queue(WITHDRAWAL_SLA_QUEUE, opts);
  const scheduler = await keepScheduler(queue, 'tick', { every: tickOf(schedule) }, { name: 'tick', opts: { removeOnComplete: true, removeOnFail: 100 } }, ctx.logger);
  const worker = new Worker(WITHDRAWAL_SLA_QUEUE, async () => {
    const overdue = await overdueWithdrawals(ctx.ds.manager, schedule.slaMs, new Date());
    if (overdue.length === 0) return;
    const known = new Map((await recipientsOf(ctx.ds.manager, schedule.adminChatIds)).map((r) => [r.telegramId, r.language]));
    const hours = Math.max(1, Math.round(schedule.slaMs / 3_600_000));
    for (const w of overdue) {
      if (!(await flagOverdue(ctx.ds.manager, w.id))) continue;
      const vars = { id: w.id, amount: w.amountKop, hours };
      await ctx.notifier.notify({
        chatId: w.telegramId, userId: w.userId, kind: 'send', text: t(w.language, 'withdraw.user_overdue', vars), dedupeKey: `wd-sla-user-${w.id}`,
      });
      for (const chatId of schedule.adminChatIds) {
        await ctx.notifier.notify({
          chatId, kind: 'send', text: t(known.get(chatId) ?? DEFAULT_LANGUAGE, 'withdraw.admin_overdue', vars), dedupeKey: `wd-sla-admin-${w.id}-${chatId}`,
        });
      }
    }
  }, { ...opts, ...CRASH_SAFE });
  worker.on('failed', (_job, err) => ctx.logger.error({ err }, 'withdrawal SLA tick failed'));
  return {
    close: async () => {
      scheduler.stop();
      await worker.close();
      await queue.close();
    },
  };
}
