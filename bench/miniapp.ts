import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { ensureUserAccounts, post, systemAccountId } from '../domain/ledger/ledger';
import { kop } from '../domain/money';
import { createMarket } from '../domain/services/markets';
import { upsertUser } from '../domain/services/users';
import { dropDatabase, ensureDatabase, openDataSource } from '../infra/db';
import { bullPrefix, Queues } from '../jobs/queues';
import { defaultAppDir, registerMiniApp } from '../web/api';
import { createHttpServer } from '../web/server';
import { MatchingSupervisor } from '../workers/matching';
import { signInitData } from '../tools/webapp/init-data';
import { runLoad, type PlannedRequest } from './lib/http-load';
import { Notifier } from '../workers/notifications/producer';

/**
 * `miniapp` (issue 10): 100 concurrent simulated users, each with valid initData, load market pages
 * and portfolios against the real server (web/server.ts + the Mini App API) and database for
 * BENCH_MINIAPP_SECONDS (30); the baseline is the same load on `/health` of the same server in the
 * same run. Goals: market page p95 ≤ 50 ms, market-page / health throughput ≥ 0.3, the app's
 * gzipped JavaScript ≤ 250 KB. The clients run in a worker thread (bench/lib/http-load.ts), as
 * they would on other machines. The per-user API budget is raised for the run (it would otherwise
 * answer most of a tight loop with 429).
 */
const SERVER = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_MINIAPP_SECONDS ?? 30);
const USERS = 100;
const MARKETS = 10;
const TOKEN = '424242:bench-miniapp-token';

function appJsGzipKb(): number | null {
  try {
    const dir = join(defaultAppDir(), 'assets');
    const total = readdirSync(dir).filter((f) => f.endsWith('.js')).reduce((n, f) => n + gzipSync(readFileSync(join(dir, f))).length, 0);
    return Math.round(total / 102.4) / 10;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const url = `${SERVER}/pravda_bench_miniapp_${randomBytes(3).toString('hex')}`;
  const prefix = `bench-miniapp-${randomBytes(3).toString('hex')}`;
  await ensureDatabase(url);
  const ds = await openDataSource(url, { migrate: true });
  const notifier = new Notifier(REDIS, bullPrefix(prefix));
  const matching = new MatchingSupervisor({ ds, redisUrl: REDIS, prefix, notifier, logger: pino({ level: 'silent' }) });
  const queues = new Queues(ds, REDIS, prefix);
  const http = createHttpServer({ ds, redisUrl: REDIS, prefix }, 0, '127.0.0.1');
  const mini = await registerMiniApp(http.app, { ds, queues, redisUrl: REDIS, prefix, botToken: TOKEN, authMaxAgeMs: 0, requestsPerSecond: 1_000_000 });
  try {
    const markets: number[] = [];
    for (let i = 0; i < MARKETS; i++) {
      const r = await createMarket(ds, { title: `Bench market ${i}`, category: 'other', deadline: new Date(Date.now() + 86_400_000), createdBy: null });
      if (!r.ok) throw new Error(r.code);
      markets.push(r.market.id);
    }
    await matching.start();
    const deposits = await systemAccountId(ds.manager, 'external:telegram:deposits');
    const auth: Record<string, string>[] = [];
    const users: number[] = [];
    for (let i = 0; i < USERS; i++) {
      const { user } = await upsertUser(ds, { id: 800_000 + i, first_name: `b${i}` });
      const acc = await ensureUserAccounts(ds.manager, user.id);
      await ds.transaction((m) => post(m, [{ from: deposits, to: acc.available, amount: kop(10_000_000), kind: 'deposit', refType: 'bench' }]));
      users.push(user.id);
      auth.push({ authorization: `tma ${signInitData(TOKEN, { id: 800_000 + i, first_name: 'b' })}` });
    }
    // Some book and history on every market: resting orders both sides and a few trades.
    let k = 0;
    for (const marketId of markets) {
      for (let j = 0; j < 20; j++) {
        const userId = users[(k++) % USERS]!;
        const buyYes = j % 2 === 0;
        await queues.submit({ type: 'place', idempotencyKey: `bench-mini-${k}`, marketId, userId, intent: buyYes ? 'BUY_YES' : 'BUY_NO', kind: 'limit', tif: 'GTC', price: buyYes ? 40 + (j % 10) : 45 + (j % 10), qty: 10 + j });
      }
    }
    await http.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = http.app.server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    // Each user alternates a market page and its portfolio; the baseline user asks /health as often.
    const healthPlan: PlannedRequest[][] = users.map(() => [{ kind: 'health', path: '/health', headers: {} }]);
    const appPlan: PlannedRequest[][] = users.map((_, u) => [
      { kind: 'market', path: `/api/markets/${markets[u % MARKETS]}?tf=1d`, headers: auth[u]! },
      { kind: 'portfolio', path: '/api/portfolio', headers: auth[u]! },
    ]);
    const health = await runLoad(base, healthPlan, SECONDS);
    const app = await runLoad(base, appPlan, SECONDS);
    const hp = health.out.health!;
    const mp = app.out.market!;
    console.log(JSON.stringify({
      name: 'miniapp', ours: mp.perSec, baseline: hp.perSec, ratio: Math.round((mp.perSec / Math.max(1, hp.perSec)) * 100) / 100, unit: 'req/s',
      marketPage: mp, portfolio: app.out.portfolio, health: hp, errors: app.errors, healthNon200: health.errors, users: USERS, seconds: SECONDS,
      appJsGzipKb: appJsGzipKb(),
      goals: { marketP95Ms: 50, ratio: 0.3, appJsGzipKb: 250 },
    }));
  } finally {
    await mini.close();
    await http.close();
    await matching.close();
    await queues.close();
    await notifier.close();
    await ds.destroy();
    await dropDatabase(url);
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
