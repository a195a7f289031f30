import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { ensureUserAccounts, post, systemAccountId } from '../domain/ledger/ledger';
import { kop } from '../domain/money';
import { createMarket } from '../domain/services/markets';
import { upsertUser } from '../domain/services/users';
import { dropDatabase, ensureDatabase, openDataSource } from '../infra/db';
import { mulberry32 } from '../infra/prng';
import { cb } from '../messages/callback-data';
import { createBotApiServer, type BotApiServer } from '../tools/botapi/server';
import type { BotInfo, SimMessage, SimUser } from '../tools/botapi/sim-types';
import { freePort } from '../test/helpers/private-redis';
import { dropKeys } from '../test/helpers/redis-keys';
import { startAppProcess, stopAppProcess } from './lib/app-process';

/**
 * `load`: what a user feels (issue 13). The real bot and workers, each its own process
 * (`start.js bot`, `start.js workers`, as deployed), the local Bot API in this process (flood
 * control off: the bench measures the bot, not Telegram's pacing), a fresh database with
 * MARKETS markets (house makers) and USERS funded users who have /started the bot.
 *
 * Open loop: at each offered rate (bets/s) a bet starts every 1/rate s on an idle user, whatever
 * the bot is doing; one in three each of
 * - limit: /start m<id> (the card) → Buy → 100 ₽ → a typed limit price → preview → Confirm;
 * - market: the card → Buy → 100 ₽ → "at market" → preview → Confirm;
 * - quick: the [YES]/[NO] button of the market's inline card in a group, tapped twice (the
 *   second tap confirms).
 * Latency: from the Confirm tap (second quick tap) to the bot's answer (the preview edited into
 * the result; the quick bet's callback answer). Errors: a step without its answer within
 * STEP_TIMEOUT_MS, an answer that is not a placed bet, an arrival with no idle user (the bot is
 * behind), and error lines in the bot's or workers' log. served = answered bets per second of
 * the window. Escalation stops after a rate that clearly fails (p95 over 4× the goal, over 5 %
 * errors, or under 80 % served).
 *
 * After the run: resident memory of the bot and workers processes (VmRSS), the bot's p50 card
 * render time (pravda_card_render_seconds, from its /metrics), and of the repeated card views
 * (every card sent for a market after its first), the share sent by a cached file_id instead of
 * a new upload (as the Bot API server saw the sendPhoto calls).
 * Goal: p95 ≤ 250 ms and 0 errors at 500 bets/s; ours = the highest rate meeting that, ratio =
 * ours / 50. The ladder starts below the issue's 50 bets/s (at 10 and 25), so that a box that
 * cannot meet the goal at 50 still says where it does. Env: BENCH_LOAD_RATES
 * (10,25,50,100,200,500), BENCH_LOAD_SECONDS (15), BENCH_LOAD_USERS (400).
 */
const SERVER = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RATES = (process.env.BENCH_LOAD_RATES ?? '10,25,50,100,200,500').split(',').map(Number).filter((r) => r > 0);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 15);
const USERS = Number(process.env.BENCH_LOAD_USERS ?? 400);
const MARKETS = 20;
const GOAL_P95_MS = 250;
const BASE_RATE = 50;
const STEP_TIMEOUT_MS = 15_000;
/** After a rate's window, how long bets still running may take to finish. */
const DRAIN_MS = 20_000;
const STAKE_KOP = 10_000;
/** Each market's house maker budget: deep enough that 100 ₽ bets barely move the price (the default 1 000 ₽ runs dry at these rates). */
const MAKER_BUDGET_KOP = kop(50_000_000);

type Flow = 'limit' | 'market' | 'quick';

interface RateResult {
  /** Postgres transactions of the database (bot and workers; each autocommit statement is one) per answered bet. */
  dbXactPerBet: number;
  offered: number;
  served: number;
  bets: number;
  ok: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  byFlow: Record<Flow, { n: number; p95: number }>;
  /** Error counts by reason. */
  why: Record<string, number>;
  /** User-felt card open: /start m<id> to the photo, ms. */
  cardOpenP50: number;
}

function pct(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}
const r1 = (x: number) => Math.round(x * 10) / 10;

/** A `start.js <role>` process; resolves once it logged "started". Error lines (level ≥ 50) are collected. */
function startProcess(role: 'bot' | 'workers', env: Record<string, string>, errors: string[]): Promise<ChildProcess> {
  // BENCH_LOAD_PROFILE_DIR: CPU profiles of both processes (written when they exit), for finding hot spots.
  const nodeArgs = process.env.BENCH_LOAD_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_LOAD_PROFILE_DIR] : [];
  if (role === 'bot' && process.env.BENCH_BOT_NODE_ARGS) nodeArgs.push(...process.env.BENCH_BOT_NODE_ARGS.split(' '));
  // MALLOC_ARENA_MAX as the Docker image sets it.
  return startAppProcess(role, { MALLOC_ARENA_MAX: '2', ...env }, {
    nodeArgs,
    onLine: (line) => {
      try {
        const e = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        if ((e.level ?? 0) >= 50) errors.push(`${role}: ${e.msg ?? ''} ${e.err?.message ?? ''}`);
      } catch {
        if (line.trim()) errors.push(`${role}: ${line.slice(0, 200)}`);
      }
    },
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** p50 of a Prometheus histogram from its cumulative buckets (linear inside the bucket, as histogram_quantile). */
function histogramP50(metrics: string, name: string): { p50Ms: number; count: number } {
  const buckets: { le: number; n: number }[] = [];
  for (const m of metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))) {
    buckets.push({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), n: Number(m[2]) });
  }
  const count = buckets.length ? buckets[buckets.length - 1]!.n : 0;
  if (count === 0) return { p50Ms: 0, count };
  const rank = count / 2;
  let prevLe = 0;
  let prevN = 0;
  for (const b of buckets) {
    if (b.n >= rank) {
      const le = b.le === Infinity ? prevLe : b.le;
      const at = prevLe + (le - prevLe) * ((rank - prevN) / Math.max(1, b.n - prevN));
      return { p50Ms: r1(at * 1000), count };
    }
    prevLe = b.le;
    prevN = b.n;
  }
  return { p50Ms: 0, count };
}

const hasData = (m: SimMessage, prefix: string): boolean => {
  const rows = (m.replyMarkup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  return rows.flat().some((b) => b.callback_data?.startsWith(prefix));
};
const dataOf = (m: SimMessage, prefix: string): string | undefined => {
  const rows = (m.replyMarkup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  return rows.flat().find((b) => b.callback_data?.startsWith(prefix))?.callback_data;
};

class BetFailed extends Error {}

interface World {
  ds: DataSource;
  server: BotApiServer;
  bot: BotInfo;
  users: SimUser[];
  markets: number[];
  /** inline_message_id of each market's card in the group. */
  cards: Map<number, string>;
}

/** One user's bet of kind `flow`; resolves with the Confirm → answer time (ms) and the card open time. */
async function bet(w: World, user: SimUser, flow: Flow, marketId: number, side: 'YES' | 'NO', price: number): Promise<{ ms: number; cardMs?: number }> {
  const sim = w.server.sim;
  if (flow === 'quick') {
    const card = w.cards.get(marketId)!;
    const data = `qb:${marketId}:${side === 'YES' ? 'y' : 'n'}`;
    const first = await sim.pressButton({ userId: user.id, inlineMessageId: card, data }).answered(STEP_TIMEOUT_MS);
    if (!first.text?.includes('ещё раз')) throw new BetFailed(`quick_offer: ${first.text?.slice(0, 60)}`);
    const t0 = performance.now();
    const placed = await sim.pressButton({ userId: user.id, inlineMessageId: card, data }).answered(STEP_TIMEOUT_MS);
    const ms = performance.now() - t0;
    if (!placed.text?.startsWith('✅')) throw new BetFailed(`quick_answer: ${placed.text?.slice(0, 60)}`);
    return { ms };
  }
  const wait = (since: number, pred: (m: SimMessage) => boolean) => sim.waitForBotMessage(user.id, pred, STEP_TIMEOUT_MS, { since });
  const c0 = performance.now();
  const opened = sim.sendText({ userId: user.id, text: `/start m${marketId}` });
  const card = await wait(opened.seq, (m) => Boolean(m.photoFileId) && hasData(m, 'bt:'));
  const cardMs = performance.now() - c0;
  const buy = sim.pressButton({ userId: user.id, messageId: card.messageId, data: cb.buy.encode({ marketId, side }) });
  const ask = await wait(buy.seq, (m) => hasData(m, 'ba:'));
  const amount = sim.pressButton({ userId: user.id, messageId: ask.messageId, data: cb.amount.encode({ kop: STAKE_KOP }) });
  const priceStep = await wait(amount.seq, (m) => m.messageId === ask.messageId && hasData(m, 'bb'));
  let preview: SimMessage;
  if (flow === 'market') {
    const data = dataOf(priceStep, 'bm:');
    if (!data) throw new BetFailed('no_market_button');
    const tap = sim.pressButton({ userId: user.id, messageId: ask.messageId, data });
    preview = await wait(tap.seq, (m) => m.messageId === ask.messageId && hasData(m, 'bc:'));
  } else {
    const typed = sim.sendText({ userId: user.id, text: String(price) });
    preview = await wait(typed.seq, (m) => hasData(m, 'bc:'));
  }
  const t0 = performance.now();
  const tap = sim.pressButton({ userId: user.id, messageId: preview.messageId, data: dataOf(preview, 'bc:')! });
  const result = await wait(tap.seq, (m) => m.messageId === preview.messageId && !hasData(m, 'bc:'));
  const ms = performance.now() - t0;
  if (!hasData(result, 'pf')) throw new BetFailed(`result: ${result.text?.slice(0, 60)}`);
  return { ms, cardMs };
}

/** Offers `rate` bets/s for SECONDS on idle users; waits up to DRAIN_MS for the last ones. */
async function runRate(w: World, rate: number, seed: number): Promise<RateResult> {
  const rnd = mulberry32(seed);
  const xact0 = await xacts(w.ds);
  const idle = [...w.users];
  const lat: number[] = [];
  const byFlow: Record<Flow, number[]> = { limit: [], market: [], quick: [] };
  const cardMs: number[] = [];
  const why: Record<string, number> = {};
  const samples: Record<string, string> = {};
  const fail = (reason: string, sample?: string) => {
    why[reason] = (why[reason] ?? 0) + 1;
    if (sample && !samples[reason]) samples[reason] = sample;
  };
  const running = new Set<Promise<void>>();
  const flows: Flow[] = ['limit', 'market', 'quick'];
  const total = Math.round(rate * SECONDS);
  const t0 = performance.now();
  let lastAnswer = t0;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const user = idle.shift();
    if (!user) {
      fail('no_idle_user');
      continue;
    }
    const flow = flows[i % 3]!;
    const marketId = w.markets[Math.floor(rnd() * w.markets.length)]!;
    const side = rnd() < 0.5 ? 'YES' : 'NO';
    const price = 40 + Math.floor(rnd() * 21);
    const p = bet(w, user, flow, marketId, side, price).then((r) => {
      lat.push(r.ms);
      byFlow[flow].push(r.ms);
      if (r.cardMs !== undefined) cardMs.push(r.cardMs);
      lastAnswer = performance.now();
    }, (err: unknown) => {
      const msg = (err as Error).message;
      fail(err instanceof BetFailed ? msg.split(':')[0]! : (err as Error).name === 'SimTimeoutError' ? `timeout_${flow}` : 'other', msg.slice(0, 100));
    }).finally(() => {
      running.delete(p);
      idle.push(user);
    });
    running.add(p);
  }
  const windowEnd = performance.now();
  await Promise.race([Promise.all([...running]), new Promise((r) => setTimeout(r, DRAIN_MS))]);
  if (running.size > 0) why.unfinished = running.size;
  if (Object.keys(samples).length) process.stderr.write(`load ${rate}/s failures: ${JSON.stringify(samples)}\n`);
  // Whatever is still running must end before the next rate, but it counts as failed here.
  await Promise.all([...running]);
  const seconds = (Math.max(windowEnd, lastAnswer) - t0) / 1000;
  lat.sort((a, b) => a - b);
  cardMs.sort((a, b) => a - b);
  const errors = Object.entries(why).filter(([k]) => k !== 'unfinished').reduce((s, [, n]) => s + n, 0);
  const flowStats = Object.fromEntries(flows.map((f) => {
    const v = byFlow[f].sort((a, b) => a - b);
    return [f, { n: v.length, p95: r1(pct(v, 95)) }];
  })) as RateResult['byFlow'];
  const dbXact = (await xacts(w.ds)) - xact0;
  return {
    dbXactPerBet: lat.length ? r1(dbXact / lat.length) : 0,
    offered: rate, served: r1(lat.length / seconds), bets: total, ok: lat.length, errors,
    p50: r1(pct(lat, 50)), p95: r1(pct(lat, 95)), p99: r1(pct(lat, 99)), byFlow: flowStats, why, cardOpenP50: r1(pct(cardMs, 50)),
  };
}

/** Committed and rolled-back transactions of the bench database so far (pg_stat_database, updated with a short delay). */
async function xacts(ds: DataSource): Promise<number> {
  await new Promise((r) => setTimeout(r, 600));
  const [r] = await ds.query(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`);
  return Number(r.n);
}

/** The markets (house makers of MAKER_BUDGET_KOP), all priced 50 to start. */
async function seedMarkets(ds: DataSource): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < MARKETS; i++) {
    const r = await createMarket(ds, { title: `Load market ${i + 1}`, category: 'other', deadline: new Date(Date.now() + 30 * 86_400_000), createdBy: null, liquidityKop: MAKER_BUDGET_KOP });
    if (!r.ok) throw new Error(r.code);
    ids.push(r.market.id);
  }
  return ids;
}

/** Funds each user (by Telegram id) through the ledger, as a deposit does. */
async function fundUsers(ds: DataSource, users: SimUser[]): Promise<void> {
  const deposits = await systemAccountId(ds.manager, 'external:telegram:deposits');
  for (const u of users) {
    const { user } = await upsertUser(ds, { id: u.id, first_name: u.first_name, language_code: u.language_code });
    const acc = await ensureUserAccounts(ds.manager, user.id);
    await ds.transaction((m) => post(m, [{ from: deposits, to: acc.available, amount: kop(100_000_000), kind: 'deposit', refType: 'bench' }]));
  }
}

/** Card sends (sendPhoto) per market, in order: by cached file_id or a new upload. */
function cardViews(server: BotApiServer, bot: BotInfo): { views: number; repeated: number; byFileId: number } {
  const seen = new Set<string>();
  let views = 0;
  let repeated = 0;
  let byFileId = 0;
  for (const c of server.sim.apiCalls({ method: 'sendPhoto', botId: bot.id })) {
    if (!c.ok) continue;
    const market = /Load market \d+/.exec(String(c.params.caption ?? ''))?.[0];
    if (!market) continue;
    views++;
    if (!seen.has(market)) {
      seen.add(market);
      continue;
    }
    repeated++;
    if (typeof c.params.photo === 'string') byFileId++;
  }
  return { views, repeated, byFileId };
}

async function main(): Promise<void> {
  const url = `${SERVER}/pravda_bench_load_${randomBytes(3).toString('hex')}`;
  await ensureDatabase(url);
  const ds = await openDataSource(url, { migrate: true });
  const prefix = `bench-load-${randomBytes(4).toString('hex')}`;
  const server = createBotApiServer({ limits: false, queryTtlMs: 60_000 });
  const apiRoot = await server.listen();
  const bot = server.sim.createBot({ username: 'pravda_load_bot', first_name: 'Pravda Market' });
  const logErrors: string[] = [];
  let botProc: ChildProcess | null = null;
  let workersProc: ChildProcess | null = null;
  try {
    const markets = await seedMarkets(ds);
    const httpPort = await freePort();
    const env = {
      BOT_TOKEN: bot.token, TELEGRAM_API_ROOT: apiRoot, DATABASE_URL: url, REDIS_URL: REDIS, QUEUE_PREFIX: prefix,
      // A bench user bets far more often than a person: the per-user limit would refuse them.
      RATE_LIMIT_POINTS: '100000',
    };
    workersProc = await startProcess('workers', env, logErrors);
    botProc = await startProcess('bot', { ...env, HTTP_PORT: String(httpPort) }, logErrors);

    const sim = server.sim;
    const users = Array.from({ length: USERS }, (_, i) => sim.createUser({ first_name: `L${i}`, language_code: 'ru' }));
    for (let i = 0; i < users.length; i += 50) {
      await Promise.all(users.slice(i, i + 50).map(async (u) => {
        const r = sim.sendText({ userId: u.id, text: '/start' });
        await sim.waitForBotMessage(u.id, (m) => m.replyMarkup !== undefined, STEP_TIMEOUT_MS, { since: r.seq });
      }));
    }
    await fundUsers(ds, users);
    // One inline card per market, posted into a group every user is in (quick bets tap these).
    const group = sim.createGroup({ title: 'Load group', creatorId: users[0]!.id, memberIds: users.slice(1).map((u) => u.id) });
    const cards = new Map<number, string>();
    for (const [i, id] of markets.entries()) {
      const q = sim.inlineQuery({ userId: users[0]!.id, query: `Load market ${i + 1}`, chatId: group.id });
      await sim.waitForInlineAnswer(q.inlineQueryId, STEP_TIMEOUT_MS);
      const posted = await sim.chooseInlineResult({ inlineQueryId: q.inlineQueryId, resultId: `m${id}` });
      cards.set(id, posted.inlineMessageId);
    }
    const rssAtStart = { bot: rssMb(botProc.pid!), workers: rssMb(workersProc.pid!) };
    const w: World = { ds, server, bot, users, markets, cards };
    // Warm-up, not measured: a running bot has its code compiled, fonts loaded and every card drawn once.
    await Promise.all(markets.map((id, i) => bet(w, users[i]!, 'market', id, 'YES', 50).catch(() => undefined)));

    const results: RateResult[] = [];
    for (const [i, rate] of RATES.entries()) {
      const r = await runRate(w, rate, 1000 + i);
      results.push(r);
      process.stderr.write(`load ${rate}/s: ${JSON.stringify(r)}\n`);
      const clearlyFails = r.p95 > 4 * GOAL_P95_MS || r.errors > 0.05 * r.bets || r.served < 0.8 * rate;
      if (clearlyFails) break;
    }

    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const render = histogramP50(metrics, 'pravda_card_render_seconds');
    const gauge = (name: string) => Math.round(Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)`, 'm').exec(metrics)?.[1] ?? 0) / 1048576);
    const memory = { botMb: rssMb(botProc.pid!), workersMb: rssMb(workersProc.pid!) };
    const views = cardViews(server, bot);
    const meets = results.filter((r) => r.p95 <= GOAL_P95_MS && r.errors === 0).map((r) => r.offered);
    const ours = meets.length ? Math.max(...meets) : 0;
    process.stdout.write(JSON.stringify({
      name: 'load', ours, baseline: BASE_RATE, ratio: Math.round((ours / BASE_RATE) * 100) / 100, unit: 'bets/s (p95 ≤ 250 ms, 0 errors)',
      rates: results.map((r) => ({
        offered: r.offered, served: r.served, dbXactPerBet: r.dbXactPerBet, bets: r.bets, ok: r.ok, errors: r.errors, p50: r.p50, p95: r.p95, p99: r.p99,
        cardOpenP50: r.cardOpenP50, byFlow: r.byFlow, ...(Object.keys(r.why).length ? { why: r.why } : {}),
      })),
      logErrors: logErrors.length, ...(logErrors.length ? { firstLogError: logErrors[0]!.slice(0, 200) } : {}),
      botRssMb: memory.botMb, botRssAtStartMb: rssAtStart.bot, workersRssAtStartMb: rssAtStart.workers, botHeapMb: gauge('nodejs_heap_size_used_bytes'), botExternalMb: gauge('nodejs_external_memory_bytes'), workersRssMb: memory.workersMb, memoryGoalMb: { bot: 200, workers: 300 },
      cardRenderP50Ms: render.p50Ms, cardRenders: render.count,
      cardViews: views.views, repeatedCardViews: views.repeated, fileIdShare: views.repeated ? Math.round((views.byFileId / views.repeated) * 1000) / 1000 : 0,
      seconds: SECONDS, users: USERS, markets: MARKETS, offeredRates: RATES, flowMix: 'limit:market:quick 1:1:1', telegramLimits: false,
    }) + '\n');
  } finally {
    await stopAppProcess(botProc);
    await stopAppProcess(workersProc);
    await server.close();
    await ds.destroy();
    await dropDatabase(url);
    await dropKeys(REDIS, prefix);
  }
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
