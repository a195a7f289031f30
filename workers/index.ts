import type { Logger } from 'pino';
import { Telegram } from 'telegraf';
import type { DataSource } from 'typeorm';
import type { ReferralPolicy } from '../domain/services/referral-rules';
import type { LeagueSchedule } from './maintenance';
import { startMaintenance } from './maintenance';
import { MatchingSupervisor } from './matching';
import { Notifier } from './notifications/producer';
import { startNotificationsWorker } from './notifications/worker';
import { t } from '../infra/i18n';
import { chatNotBeforeKey, RAISE_NOT_BEFORE } from '../jobs/flood-marks';
import { bullPrefix, Queues } from '../jobs/queues';
import { startResolutionNewsWorker } from './resolution-news';
import { startSettlementWorker } from './settlement';
import { CardRefresher } from './cards';
import type { MonitorSettings } from '../infra/config';
import { startHeartbeat } from '../infra/heartbeat';
import { createRedis } from '../infra/redis';
import { applyTelegramPolicy, breakerOnly, createTelegramPolicy, type TelegramPolicy } from '../infra/telegram-policy';
import { startMonitor } from './monitor';
import { startChannelDigests, type DigestSchedule } from './digests';
import { startWithdrawalSla, type WithdrawalSlaSchedule } from './withdrawal-sla';
import { startWatchDigests } from './watch-digest';

export interface WorkerDeps {
  ds: DataSource;
  redisUrl: string;
  prefix: string;
  botToken: string;
  apiRoot: string;
  logger: Logger;
  /** Channel digests (workers/digests.ts); absent: none are scheduled. */
  digest?: DigestSchedule;
  /** The money monitor (workers/monitor.ts); absent: not run in this process. */
  monitor?: MonitorSettings;
  /** Bot API retry + circuit breaker (infra/telegram-policy.ts); default: one made here. */
  telegramPolicy?: TelegramPolicy;
  /** Withdrawal SLA reminders (workers/withdrawal-sla.ts); absent: none. */
  withdrawalSla?: WithdrawalSlaSchedule;
  /** Referral rewards paid after fills (issue 12, REFERRAL_*); absent: none paid by the workers. */
  referral?: ReferralPolicy;
  /** League season close on the maintenance tick (issue 12); absent: not run in this process. */
  league?: LeagueSchedule;
  /** Retention of applied matching commands, ms (COMMANDS_RETENTION); absent: kept. */
  commandsRetentionMs?: number;
  /** Most commands per matching transaction (MATCHING_BATCH_MAX); absent: BATCH_MAX. */
  matchingBatchMax?: number;
  /** How long the workers' own commands (sweeps, trigger sells) are retried through a database outage, ms (OUTAGE_RETRY_MS). */
  outageRetryMs?: number;
}

/** Every worker of the system in this process: matching, settlement, maintenance, notifications. */
export interface RunningWorkers {
  matching: MatchingSupervisor;
  close(): Promise<void>;
}

/**
 * Starts all workers (DESIGN §5). Safe to run in several processes at once: matching keeps each
 * market's order through the command log's `seq` and the market row lock; settlement is idempotent;
 * the maintenance scheduler ticks once per period whatever the number of processes.
 */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  // One breaker for the process: direct calls retry 429/5xx (shared policy); the notification pump
  // keeps its own 429/403 handling and gets only the breaker, so an outage fails its sends fast.
  const policy = deps.telegramPolicy ?? createTelegramPolicy();
  const beatRedis = createRedis(deps.redisUrl);
  // Direct sends (settlement progress, card edits) share their 429s with the pipeline, like the bot's replies.
  const onFloodWait = (chatId: number, retryAfterSec: number): void => {
    beatRedis.eval(RAISE_NOT_BEFORE, 1, chatNotBeforeKey(bullPrefix(deps.prefix), chatId), String(Math.ceil(retryAfterSec * 1000) + 50))
      .catch((err: unknown) => deps.logger.warn({ err, chatId }, 'could not share a flood wait'));
  };
  const telegram = applyTelegramPolicy(new Telegram(deps.botToken, { apiRoot: deps.apiRoot }), policy, onFloodWait);
  const pumpTelegram = applyTelegramPolicy(new Telegram(deps.botToken, { apiRoot: deps.apiRoot }), breakerOnly(policy));
  const stopHeartbeat = startHeartbeat(beatRedis, deps.prefix, (err) => deps.logger.warn({ err }, 'heartbeat not written'));
  const notifier = new Notifier(deps.redisUrl, bullPrefix(deps.prefix));
  const queues = new Queues(deps.ds, deps.redisUrl, deps.prefix, deps.outageRetryMs ? { outageRetryMs: deps.outageRetryMs } : {});
  const notifications = await startNotificationsWorker({
    connection: deps.redisUrl, prefix: bullPrefix(deps.prefix), telegram: pumpTelegram, ds: deps.ds, logger: deps.logger,
    summaryHeader: (lang) => t(lang, 'notify.summary_header'),
  });
  const cards = new CardRefresher({ ds: deps.ds, redisUrl: deps.redisUrl, prefix: deps.prefix, notifier, telegram, logger: deps.logger });
  await cards.start();
  const matching = new MatchingSupervisor({
    ds: deps.ds, redisUrl: deps.redisUrl, prefix: deps.prefix, notifier, logger: deps.logger, onCommitted: (ids) => cards.marketsChanged(ids),
    ...(deps.referral ? { referral: deps.referral } : {}),
    ...(deps.matchingBatchMax ? { batchMax: deps.matchingBatchMax } : {}),
  });
  await matching.start();
  const news = startResolutionNewsWorker({ ds: deps.ds, redisUrl: deps.redisUrl, prefix: deps.prefix, notifier, logger: deps.logger });
  const settlement = startSettlementWorker({ ds: deps.ds, redisUrl: deps.redisUrl, prefix: deps.prefix, notifier, telegram, logger: deps.logger });
  const digests = await startChannelDigests({
    ds: deps.ds, redisUrl: deps.redisUrl, prefix: deps.prefix, notifier, telegram, logger: deps.logger, schedule: deps.digest,
  });
  const watchDigests = await startWatchDigests({ ds: deps.ds, redisUrl: deps.redisUrl, prefix: deps.prefix, notifier, logger: deps.logger });
  const maintenance = await startMaintenance({
    ds: deps.ds, redisUrl: deps.redisUrl, prefix: deps.prefix, queues, logger: deps.logger,
    ...(deps.league ? { league: { notifier, schedule: deps.league } } : {}),
    ...(deps.commandsRetentionMs ? { commandsRetentionMs: deps.commandsRetentionMs } : {}),
  });
  const sla = deps.withdrawalSla
    ? await startWithdrawalSla({ ds: deps.ds, redisUrl: deps.redisUrl, prefix: deps.prefix, notifier, logger: deps.logger }, deps.withdrawalSla)
    : null;
  const monitor = deps.monitor
    ? await startMonitor({ ds: deps.ds, redisUrl: deps.redisUrl, prefix: deps.prefix, notifier, logger: deps.logger, settings: deps.monitor })
    : undefined;
  return {
    matching,
    close: async () => {
      await stopHeartbeat();
      await beatRedis.quit();
      await monitor?.close();
      await sla?.close();
      await maintenance.close();
      await watchDigests.close();
      await digests.close();
      await settlement.close();
      await news.close();
      await matching.close();
      await cards.close();
      await notifications.close();
      await queues.close();
      await notifier.close();
    },
  };
}
