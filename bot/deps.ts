/**
 * What the bot needs from the rest of the system. The queues are a narrow port (only the calls
 * the bot makes), so the bot does not depend on how workers are wired and tests may pass a fake.
 */
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { CommandResult, MatchingCommand } from '../domain/services/commands';
import type { Config } from '../infra/config';
import type { TelegramPolicy } from '../infra/telegram-policy';
import type { ResolutionNews } from '../jobs/queues';

/** The calls into jobs/queues.ts the bot makes. */
export interface BotQueues {
  /**
   * Records a command in the command log (durable before anyone is answered), signals its market
   * and waits up to `waitMs` for the worker's result; `{ ok: false, code: 'order_queued' }` when the
   * worker did not answer in time (the command still applies, exactly once); `unavailable` when the
   * database did not answer for OUTAGE_RETRY_MS (not recorded). `opts.onDelayed` is called once
   * when no result came within DELAYED_NOTICE_MS (2.5 s; e.g. recording retried through an outage).
   */
  submit(cmd: MatchingCommand, waitMs?: number, opts?: { onDelayed?: () => void }): Promise<CommandResult>;
  /**
   * After an `order_queued`: the command's result is to be told in `replyChatId` when it applies
   * (once, by the matching worker). Returns null when so marked, or the result if it applied meanwhile.
   */
  markLate(key: string, replyChatId: number): Promise<CommandResult | null>;
  /**
   * Starts (once per market) the settlement job of a resolved market; its progress is shown in
   * `adminChatId`, the Telegram chat of the admin who resolved it.
   */
  enqueueSettlement(marketId: number, adminChatId?: number): Promise<unknown>;
  /** Queues the notices of a resolution step (proposal, dispute, upheld) for holders and admins. */
  announceResolution(news: ResolutionNews): Promise<unknown>;
}

export interface BotDeps {
  ds: DataSource;
  queues: BotQueues;
  config: Config;
  /** Redis for sessions, update idempotency keys and the card image cache (keys under `config.queuePrefix`). */
  redisUrl: string;
  logger: Logger;
  /** Bot API retry policy + circuit breaker (infra/telegram-policy.ts); default: one per bot. */
  telegramPolicy?: TelegramPolicy;
  /** The clock of seasons and streaks (/league, /profile); tests move it to simulate a season's end. Default: now. */
  clock?: () => Date;
}
