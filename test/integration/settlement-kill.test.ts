/**
 * Settlement survives kill -9 at any point and double or parallel delivery (DESIGN §4): real
 * worker processes (dist/scripts/settle-worker.js, built by `npm test`) die by SIGKILL at fault
 * points inside and between their transactions and at random moments from outside, are restarted
 * until done, and every position must be paid exactly once.
 */
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import pino from 'pino';
import { Telegram } from 'telegraf';
import type { DataSource } from 'typeorm';
import { seedResolvedMarket, type SeededMarket } from '../../bench/lib/positions';
import { redisOptions } from '../../infra/redis';
import { Notifier } from '../../workers/notifications/producer';
import { bullPrefix, SETTLE_QUEUE } from '../../jobs/queues';
import { startSettlementWorker } from '../../workers/settlement';
import { freshDatabase } from '../helpers/db';
import { startNode } from '../helpers/processes';
import { expectPaidExactlyOnce } from '../helpers/settled';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const FAULTS = 'settle-after-start,settle-after-post,settle-before-commit,settle-after-commit,settle-before-finish';
/** Each fault point kills with this probability: a process lives a few batches. */
const FAULT_RATE = '0.06';
const KILLS_WANTED = 100;
/** Processes running at once on the same markets. */
const PARALLEL = 3;
const PAYOUTS = [0, 37, 50, 100];

let ds: DataSource;
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => ({ ds, url, drop } = await freshDatabase('settlekill')));
afterAll(async () => drop());

async function seed(markets: number, holders: number): Promise<SeededMarket[]> {
  const out: SeededMarket[] = [];
  for (let i = 0; i < markets; i++) out.push(await seedResolvedMarket(ds, holders, PAYOUTS[i % PAYOUTS.length]!));
  return out;
}

/**
 * Runs worker processes on `markets` until one of them finishes them all, restarting every one
 * that dies; half of the processes are also shot from outside at a random moment.
 * @returns how many processes died by SIGKILL
 */
async function settleWithKills(markets: readonly SeededMarket[], faultRate: string): Promise<number> {
  const ids = markets.map((m) => m.marketId).join(',');
  let kills = 0;
  let done = false;
  const slot = async (): Promise<void> => {
    while (!done) {
      const child = startNode('scripts/settle-worker.js', [ids], {
        DATABASE_URL: url, SETTLE_BATCH_SIZE: '2', PRAVDA_FAULTS: FAULTS, PRAVDA_FAULT_RATE: faultRate,
      });
      const shoot = Math.random() < 0.5 ? setTimeout(() => child.proc.kill('SIGKILL'), 200 + Math.random() * 1500) : undefined;
      const code = await child.exited;
      clearTimeout(shoot);
      if (child.proc.signalCode === 'SIGKILL') kills++;
      else if (code === 0) done = true;
      else throw new Error(`settle worker failed (${code}): ${child.output()}`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, slot));
  return kills;
}

test(`kill -9 at random points, ≥ ${KILLS_WANTED} times: every position is paid exactly once`, async () => {
  let kills = 0;
  const all: SeededMarket[] = [];
  // Rounds of fresh markets until enough processes died mid-settlement; each round is run to the end.
  for (let round = 0; kills < KILLS_WANTED; round++) {
    expect(round).toBeLessThan(20);
    const markets = await seed(12, 6);
    all.push(...markets);
    kills += await settleWithKills(markets, FAULT_RATE);
  }
  expect(kills).toBeGreaterThanOrEqual(KILLS_WANTED);
  await expectPaidExactlyOnce(ds, all);
}, 240_000);

test('the same settlement delivered twice, in parallel, by two BullMQ jobs on two workers: paid exactly once', async () => {
  const markets = await seed(4, 40);
  const prefix = bullPrefix(`settle2-${randomBytes(4).toString('hex')}`);
  const rawPrefix = prefix.slice(1, -1);
  const logger = pino({ level: 'silent' });
  const notifier = new Notifier(REDIS_URL, prefix);
  // No admin chat in the jobs: nothing is sent to Telegram, so the API root is never called.
  const telegram = new Telegram('0:test', { apiRoot: 'http://127.0.0.1:9' });
  const workers = [1, 2].map(() => startSettlementWorker({ ds, redisUrl: REDIS_URL, prefix: rawPrefix, notifier, telegram, logger, batchSize: 3 }));
  const queue = new Queue(SETTLE_QUEUE, { connection: redisOptions(REDIS_URL), prefix });
  const events = new QueueEvents(SETTLE_QUEUE, { connection: redisOptions(REDIS_URL), prefix });
  try {
    await events.waitUntilReady();
    const jobs = await queue.addBulk(markets.flatMap((m) => ['a', 'b'].map((copy) => ({
      name: 'settle', data: { marketId: m.marketId }, opts: { jobId: `settle-${m.marketId}-${copy}` },
    }))));
    const results = await Promise.all(jobs.map((j) => j.waitUntilFinished(events, 60_000)));
    // Both deliveries of a market report the same totals: the second found the work done or shared it.
    for (const i of markets.keys()) expect(results[2 * i]).toEqual(results[2 * i + 1]);
    expect(results[0]).toEqual({ positions: markets[0]!.positions, paidKop: expect.any(Number) });
    await expectPaidExactlyOnce(ds, markets);
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await notifier.close();
  }
});

test('two worker processes settling the same markets at once: paid exactly once', async () => {
  const markets = await seed(4, 40);
  const ids = markets.map((m) => m.marketId).join(',');
  const children = [1, 2].map(() => startNode('scripts/settle-worker.js', [ids], { DATABASE_URL: url, SETTLE_BATCH_SIZE: '3' }));
  const codes = await Promise.all(children.map((c) => c.exited));
  expect({ codes, output: codes.some((c) => c !== 0) ? children.map((c) => c.output()).join('\n') : '' }).toEqual({ codes: [0, 0], output: '' });
  await expectPaidExactlyOnce(ds, markets);
});
