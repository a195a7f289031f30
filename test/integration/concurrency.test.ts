import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createBotApiServer } from '../../tools/botapi/server';
import { runAudit } from '../../domain/read/audit';
import type { MatchingCommand } from '../../domain/services/commands';
import { Queues } from '../../jobs/queues';
import { freshDatabase } from '../helpers/db';
import { startNode, type Child } from '../helpers/processes';
import { openMarket, userWithMoney } from '../helpers/world';
import { mulberry32 } from '../../infra/prng';

/**
 * Issue 3 "Concurrency on the real database": two matching worker processes and 16 concurrent
 * clients trade the same markets while a reader sums all balances every 100 ms.
 */
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLIENTS = 16;
const COMMANDS_PER_CLIENT = 20;
const DEPOSIT_RUB = 2000;

let ds: DataSource;
let url: string;
let drop: () => Promise<void>;
let botapi: Awaited<ReturnType<typeof createBotApiServer>>;
let workers: Child[] = [];

beforeAll(async () => {
  ({ ds, url, drop } = await freshDatabase('conc'));
  botapi = createBotApiServer({ limits: false });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await botapi.close();
  await drop();
});

/** Money inside the system (users, escrow, house): constant while nobody deposits. */
async function snapshot(): Promise<{ total: number; minUser: number }> {
  const [r] = await ds.query(`
    WITH bal AS (
      SELECT a.kind, a.may_go_negative,
             COALESCE((SELECT sum(amount) FROM postings WHERE to_account_id = a.id), 0)
           - COALESCE((SELECT sum(amount) FROM postings WHERE from_account_id = a.id), 0) AS b
        FROM accounts a)
    SELECT COALESCE(sum(b) FILTER (WHERE kind NOT IN ('deposits', 'withdrawals')), 0) AS total,
           COALESCE(min(b) FILTER (WHERE NOT may_go_negative), 0) AS min_user
      FROM bal`);
  return { total: Number(r.total), minUser: Number(r.min_user) };
}

test('two worker processes, 16 clients: the total never changes, nothing negative, no fill twice', async () => {
  const apiRoot = await botapi.listen();
  const { token } = botapi.sim.createBot({ username: 'conc_bot', first_name: 'Conc' });
  const markets = [await openMarket(ds, 'Concurrency market one?'), await openMarket(ds, 'Concurrency market two?')];
  const users: number[] = [];
  for (let i = 0; i < CLIENTS; i++) users.push(await userWithMoney(ds, DEPOSIT_RUB, `c${i}`));
  const prefix = `conc-${randomBytes(4).toString('hex')}`;
  const env = { DATABASE_URL: url, REDIS_URL: REDIS, QUEUE_PREFIX: prefix, BOT_TOKEN: token, TELEGRAM_API_ROOT: apiRoot };
  workers = [startNode('bin/start.js', ['workers'], env), startNode('bin/start.js', ['workers'], env)];

  const expected = (await snapshot()).total;
  expect(expected).toBe(CLIENTS * DEPOSIT_RUB * 100);
  const seen: { total: number; minUser: number }[] = [];
  let reading = true;
  const reader = (async () => {
    while (reading) {
      seen.push(await snapshot());
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const queues = new Queues(ds, REDIS, prefix);
  const results: string[] = [];
  let n = 0;
  const intents = ['BUY_YES', 'BUY_NO', 'SELL_YES', 'SELL_NO'] as const;
  await Promise.all(users.map(async (userId, c) => {
    const rnd = mulberry32(c + 1);
    const pick = (n: number) => Math.floor(rnd() * n);
    for (let i = 0; i < COMMANDS_PER_CLIENT; i++) {
      const marketId = markets[pick(2)]!;
      const k = n++;
      const cmd: MatchingCommand = i % 7 === 6
        ? { type: 'cancel_all', idempotencyKey: `conc-${k}`, marketId, userId }
        : {
            type: 'place', idempotencyKey: `conc-${k}`, marketId, userId, intent: intents[pick(4)]!,
            kind: 'limit', tif: pick(5) === 0 ? 'IOC' : 'GTC', price: 40 + pick(21), qty: 25 + pick(40),
          };
      const r = await queues.submit(cmd, 60_000);
      results.push(r.ok ? 'ok' : r.code);
    }
  }));
  reading = false;
  await reader;
  await queues.close();

  expect(results).toHaveLength(CLIENTS * COMMANDS_PER_CLIENT);
  expect(results).not.toContain('order_queued');
  expect(results.filter((r) => r === 'ok').length).toBeGreaterThan(CLIENTS * COMMANDS_PER_CLIENT / 3);
  expect(seen.length).toBeGreaterThan(5);
  expect(seen.filter((s) => s.total !== expected)).toEqual([]);
  expect(seen.filter((s) => s.minUser < 0)).toEqual([]);
  const [fills] = await ds.query(`SELECT count(*) AS n, count(DISTINCT (maker_order_id, taker_order_id)) AS d FROM fills`);
  expect(Number(fills.n)).toBeGreaterThan(0);
  expect(Number(fills.d)).toBe(Number(fills.n));
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
}, 180_000);
