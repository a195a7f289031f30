import { launchBot } from '../bot/launch';
import { loadConfig } from '../infra/config';
import { referralPolicyOf } from '../domain/services/referral-rules';
import { parsePrizes } from '../domain/services/league-rules';
import { openDataSource } from '../infra/db';
import { logger } from '../infra/logger';
import { registerMiniApp } from '../web/api';
import { createHttpServer, type HttpServer } from '../web/server';
import { startWorkers } from '../workers';
import { digestScheduleOf } from '../workers/digests';
import { monitorConfigOf } from '../workers/monitor';
import { Queues } from '../jobs/queues';

/**
 * `npm start` (bot + workers), `npm run start:bot`, `npm run start:workers`. Migrations run first
 * (idempotent), so a fresh database just works. SIGTERM/SIGINT close everything in order.
 */
async function main(): Promise<void> {
  const role = (process.argv[2] ?? 'all') as 'all' | 'bot' | 'workers';
  const config = loadConfig();
  if (!config.botToken) throw new Error('BOT_TOKEN is required');
  const ds = await openDataSource(config.databaseUrl, { migrate: true });
  const stops: (() => Promise<unknown>)[] = [];
  // One HTTP server per process: /health, /metrics and, in webhook mode, the webhook (issue 15).
  const webhook = Boolean(config.webhookUrl) && role !== 'workers';
  let http: HttpServer | undefined;
  if (config.httpPort || webhook) {
    http = createHttpServer({ ds, redisUrl: config.redisUrl, prefix: config.queuePrefix }, config.httpPort || 8443);
  }
  if (role === 'all' || role === 'workers') {
    const workers = await startWorkers({
      ds, redisUrl: config.redisUrl, prefix: config.queuePrefix, botToken: config.botToken, apiRoot: config.apiRoot, logger,
      digest: digestScheduleOf(config), monitor: monitorConfigOf(config),
      withdrawalSla: { slaMs: config.withdrawals.slaMs, adminChatIds: [...config.adminIds] },
      referral: referralPolicyOf(config.referral),
      league: { prizes: parsePrizes(config.leaguePrizes) ?? new Map() },
      commandsRetentionMs: config.commandsRetentionMs,
      outageRetryMs: config.outageRetryMs,
      ...(config.matchingBatchMax ? { matchingBatchMax: config.matchingBatchMax } : {}),
    });
    stops.push(() => workers.close());
  }
  if (role === 'all' || role === 'bot') {
    const queues = new Queues(ds, config.redisUrl, config.queuePrefix, {
      outageRetryMs: config.outageRetryMs,
      onOutage: (state, err) => (state === 'down' ? logger.error({ err }, 'command log: database away, commands wait') : logger.info('command log: outage flush ended')),
    });
    const bot = await launchBot({ ds, queues, config, redisUrl: config.redisUrl, logger }, http ? { http } : {});
    // The Mini App (/app, /api) lives on the bot's HTTP server: it submits through the same queues.
    const miniApp = http ? await registerMiniApp(http.app, {
      ds, queues, redisUrl: config.redisUrl, prefix: config.queuePrefix, botToken: config.botToken, authMaxAgeMs: config.miniApp.authMaxAgeMs,
    }) : undefined;
    stops.unshift(async () => {
      await bot.stop();
      await miniApp?.close();
      await queues.close();
    });
  }
  if (http) {
    const server = http;
    await server.listen();
    stops.unshift(() => server.close());
  }
  logger.info({ role }, 'started');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    for (const s of stops) await s().catch((err) => logger.error({ err }, 'stop failed'));
    await ds.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  logger.fatal({ err }, 'start failed');
  process.exit(1);
});
