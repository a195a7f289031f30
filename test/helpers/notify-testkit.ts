/**
 * The pipeline against the local Bot API (tools/botapi/) with real Redis and Postgres: what the
 * integration tests (test/integration/notify*.test.ts) and the benchmark (bench/notify.ts) share.
 * Not used in production.
 */
import { randomBytes } from 'node:crypto';
import type IORedis from 'ioredis';
import pino from 'pino';
import { Telegram } from 'telegraf';
import type { DataSource } from 'typeorm';
import { createBotApiServer, type BotApiServer } from '../../tools/botapi/server';
import type { ApiCallRecord, LimitsConfig } from '../../tools/botapi/sim-types';
import { User, type Language, type NotifyMode } from '../../domain/entities';
import { createRedis } from '../../infra/redis';
import { Notifier } from '../../workers/notifications/producer';
import type { NotifyLimits } from '../../workers/notifications/types';
import { startNotificationsWorker, type NotificationsWorker, type NotificationsWorkerOptions } from '../../workers/notifications/worker';

/** Test/bench digest header: a marker, not product text (the product passes locale strings). */
export const TEST_SUMMARY_HEADER = (lang: Language): string => `<b>digest:${lang}</b>`;

/** A private chat of a user who started the bot and has a users row. */
export interface TestUser {
  userId: number;
  chatId: number;
}

/** Server, bot, client, Redis prefix and database of one test file or bench run. */
export interface Harness {
  server: BotApiServer;
  telegram: Telegram;
  redis: IORedis;
  prefix: string;
  notifier: Notifier;
  /** A worker process stand-in (its own Redis connection); several may run at once. */
  startWorker(opts?: Partial<Pick<NotificationsWorkerOptions, 'limits' | 'concurrency'>>): Promise<NotificationsWorker>;
  addUser(opts?: { notifyMode?: NotifyMode; language?: Language }): Promise<TestUser>;
  /** Many users at once (one INSERT). */
  addUsers(n: number): Promise<TestUser[]>;
  /** A supergroup with the bot as a member; returns its (negative) chat id. */
  addGroup(): number;
  /** Successful Bot API calls (of `method` when given), oldest first. */
  okCalls(method?: string): ApiCallRecord[];
  /** Stop workers, producer and server; delete every Redis key of the prefix. */
  close(): Promise<void>;
}

/**
 * Start the server (Telegram's limits enforced unless `serverLimits` says otherwise) and a producer.
 * @param ds a migrated database; the harness inserts users but never drops it.
 */
export async function startHarness(opts: { ds: DataSource; serverLimits?: Partial<LimitsConfig>; workerLimits?: Partial<NotifyLimits> }): Promise<Harness> {
  const server = createBotApiServer({ limits: opts.serverLimits ?? {} });
  const url = await server.listen();
  const bot = server.sim.createBot({ username: `notify_${randomBytes(3).toString('hex')}_bot` });
  const creator = server.sim.createUser({ first_name: 'Owner' });
  const telegram = new Telegram(bot.token, { apiRoot: url });
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = createRedis(redisUrl);
  const prefix = `test-notify-${randomBytes(4).toString('hex')}`;
  const notifier = new Notifier(redisUrl, prefix);
  const workers: NotificationsWorker[] = [];
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  const repo = opts.ds.getRepository(User);

  const startUser = (i: number): number => {
    const u = server.sim.createUser({ first_name: `U${i}` });
    server.sim.sendText({ userId: u.id, text: '/start' });
    return u.id;
  };

  return {
    server, telegram, redis, prefix, notifier,
    async startWorker(w = {}) {
      const worker = await startNotificationsWorker({
        connection: redisUrl, prefix, telegram, ds: opts.ds, logger, summaryHeader: TEST_SUMMARY_HEADER,
        ...w, limits: { ...opts.workerLimits, ...w.limits },
      });
      workers.push(worker);
      return worker;
    },
    async addUser(u = {}) {
      const chatId = startUser(0);
      const row = await repo.save(repo.create({ telegramId: chatId, firstName: 'U', notifyMode: u.notifyMode ?? 'instant', language: u.language ?? 'ru' }));
      return { userId: row.id, chatId };
    },
    async addUsers(n) {
      const chatIds = Array.from({ length: n }, (_, i) => startUser(i));
      const res = await repo.insert(chatIds.map((telegramId) => ({ telegramId, firstName: 'U' })));
      return chatIds.map((chatId, i) => ({ chatId, userId: Number((res.identifiers[i] as { id: number }).id) }));
    },
    addGroup() {
      return server.sim.createGroup({ title: 'G', creatorId: creator.id }).id;
    },
    okCalls(method) {
      return server.sim.apiCalls(method ? { method } : {}).filter((c) => c.ok);
    },
    async close() {
      for (const w of workers) await w.close();
      await notifier.close();
      await server.close();
      await deleteKeys(redis, `${prefix}:*`);
      await redis.quit();
    },
  };
}

async function deleteKeys(redis: IORedis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
