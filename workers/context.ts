import type { Logger } from 'pino';
import type { Telegram } from 'telegraf';
import type { DataSource } from 'typeorm';
import type { Notifier } from './notifications/producer';

/** What every worker of a process shares: the database, Redis and queue prefix, the outbound pipeline. */
export interface WorkerContext {
  ds: DataSource;
  redisUrl: string;
  prefix: string;
  notifier: Notifier;
  /** Direct Bot API calls (the bot's username; the admin's own progress message). */
  telegram: Telegram;
  logger: Logger;
}
