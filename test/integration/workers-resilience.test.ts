import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { seedResolvedMarket } from '../../bench/lib/positions';
import { redisOptions } from '../../infra/redis';
import { bullPrefix, MAINTENANCE_QUEUE, Queues } from '../../jobs/queues';
import { createBotApiServer } from '../../tools/botapi/server';
import { startWorkers } from '../../workers';
import { freshDatabase } from '../helpers/db';
import { freePort, startRedis, until } from '../helpers/private-redis';
import { startNode } from '../helpers/processes';
import { expectPaidExactlyOnce } from '../helpers/settled';
import { openMarket } from '../helpers/world';

/**
 * Issue 13, "no stall, no permanent failure from a crash": a settlement job whose workers process
 * is SIGKILLed three times completes by itself; a Redis that restarts empty gets the maintenance
 * scheduler back from the running workers, and a market whose deadline passed still closes.
 * Each test owns what it kills (its processes, its private redis-server).
 */
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let ds: DataSource;
let url: string;
let drop: () => Promise<void>;
let botapi: ReturnType<typeof createBotApiServer>;
let apiRoot: string;
let token: string;

beforeAll(async () => {
  ({ ds, url, drop } = await freshDatabase('resil'));
  botapi = createBotApiServer({ limits: false });
  apiRoot = await botapi.listen();
  ({ token } = botapi.sim.createBot({ username: 'resil_bot', first_name: 'Resil' }));
});
afterAll(async () => {
  await botapi.close();
  await drop();
});

test('settlement in a real workers process SIGKILLed three times (after each committed batch) completes by itself', async () => {
  const market = await seedResolvedMarket(ds, 5_000, 100);
  const prefix = `resil-${randomBytes(4).toString('hex')}`;
  const env = { DATABASE_URL: url, REDIS_URL: REDIS, QUEUE_PREFIX: prefix, BOT_TOKEN: token, TELEGRAM_API_ROOT: apiRoot };
  const queues = new Queues(ds, REDIS, prefix);
  try {
    await queues.enqueueSettlement(market.marketId);
    const paid = async () => Number((await ds.query(`SELECT count(*) n FROM positions WHERE market_id = $1 AND settled_at IS NOT NULL`, [market.marketId]))[0].n);
    let last = 0;
    for (let kill = 1; kill <= 3; kill++) {
      // The fault point kills the process right after a batch of positions commits.
      const child = startNode('bin/start.js', ['workers'], { ...env, PRAVDA_FAULTS: 'settle-after-commit', PRAVDA_FAULT_RATE: '1' });
      await child.exited;
      expect([kill, child.proc.signalCode]).toEqual([kill, 'SIGKILL']);
      const now = await paid();
      expect(now).toBeGreaterThan(last);
      last = now;
    }
    // Nobody re-enqueues anything: the stalled job is taken up again by the next process.
    const child = startNode('bin/start.js', ['workers'], env);
    try {
      await until(async () => (await ds.query(`SELECT status FROM markets WHERE id = $1`, [market.marketId]))[0].status === 'settled',
        'the market is settled', 120_000);
    } finally {
      await child.kill();
    }
    await expectPaidExactlyOnce(ds, [market]);
    const failed = await queues.queue('settle').getFailedCount();
    expect(failed).toBe(0);
  } finally {
    await queues.close();
  }
}, 300_000);

test('Redis restarted empty under running workers: the maintenance scheduler comes back and a market past its deadline closes', async () => {
  const port = await freePort();
  const redisUrl = `redis://127.0.0.1:${port}`;
  let redis = await startRedis(port);
  const prefix = `resil-r-${randomBytes(4).toString('hex')}`;
  const workers = await startWorkers({ ds, redisUrl, prefix, botToken: token, apiRoot, logger: pino({ level: 'silent' }) });
  const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: redisOptions(redisUrl), prefix: bullPrefix(prefix) });
  maintenance.on('error', () => undefined); // while the private Redis is down
  try {
    expect(await maintenance.getJobScheduler('tick')).toBeTruthy();
    // A market whose deadline passes while Redis is gone.
    const marketId = await openMarket(ds, 'Will Redis come back?', 48);
    await ds.query(`UPDATE markets SET deadline = now() + interval '3 seconds' WHERE id = $1`, [marketId]);

    redis.kill('SIGKILL');
    await new Promise((r) => redis.once('exit', r));
    await new Promise((r) => setTimeout(r, 3_500));
    redis = await startRedis(port);
    expect(await maintenance.getJobScheduler('tick').catch(() => undefined)).toBeFalsy();

    await until(async () => Boolean(await maintenance.getJobScheduler('tick')), 'the scheduler is back', 20_000);
    await until(async () => (await ds.query(`SELECT status FROM markets WHERE id = $1`, [marketId]))[0].status === 'closed',
      'the market past its deadline is closed', 30_000);
  } finally {
    await workers.close();
    await maintenance.close();
    redis.kill('SIGKILL');
  }
}, 120_000);
