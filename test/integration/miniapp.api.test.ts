import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { bullPrefix, Queues } from '../../jobs/queues';
import { defaultAppDir, registerMiniApp } from '../../web/api';
import { createHttpServer } from '../../web/server';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MatchingSupervisor } from '../../workers/matching';
import { Notifier } from '../../workers/notifications/producer';
import { freshDatabase } from '../helpers/db';
import { signInitData } from '../helpers/init-data';
import { openMarket, userWithMoney } from '../helpers/world';

/** Issue 10: the Mini App API on the real database, Redis and matching worker. */
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = '777000:miniapp-test-token';

let ds: DataSource;
let drop: () => Promise<void>;
let app: FastifyInstance;
let queues: Queues;
let matching: MatchingSupervisor;
let notifier: Notifier;
let closeApi: () => Promise<void>;
let marketId: number;
let aliceTg: number;
let bobTg: number;

async function tgIdOf(userId: number): Promise<number> {
  const [r] = await ds.query('SELECT telegram_id FROM users WHERE id = $1', [userId]);
  return Number(r.telegram_id);
}

let base = '';

/** One HTTP request to the listening server (fastify's inject pulls an ESM-only module jest cannot load). */
async function call(req: { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: unknown }) {
  const res = await fetch(base + req.url, {
    method: req.method,
    headers: { ...(req.payload !== undefined ? { 'content-type': 'application/json' } : {}), ...req.headers },
    body: req.payload !== undefined ? JSON.stringify(req.payload) : undefined,
  });
  const body: any = await res.json();
  return { statusCode: res.status, json: () => body };
}

const auth = (tgId: number, authDate?: number) => ({ authorization: `tma ${signInitData(TOKEN, { id: tgId, first_name: 'T', language_code: 'en' }, authDate)}` });

beforeAll(async () => {
  ({ ds, drop } = await freshDatabase('miniapi'));
  const prefix = `miniapi-${randomBytes(4).toString('hex')}`;
  const logger = pino({ level: 'silent' });
  notifier = new Notifier(REDIS, bullPrefix(prefix));
  matching = new MatchingSupervisor({ ds, redisUrl: REDIS, prefix, notifier, logger });
  marketId = await openMarket(ds, 'Will the Mini App ship?');
  await matching.start();
  queues = new Queues(ds, REDIS, prefix);
  app = Fastify();
  ({ close: closeApi } = await registerMiniApp(app, { ds, queues, redisUrl: REDIS, prefix, botToken: TOKEN, authMaxAgeMs: 86_400_000, requestsPerSecond: 10_000 }));
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  aliceTg = await tgIdOf(await userWithMoney(ds, 1000, 'alice'));
  bobTg = await tgIdOf(await userWithMoney(ds, 1000, 'bob'));
});
afterAll(async () => {
  await app.close();
  await closeApi();
  await queues.close();
  await matching.close();
  await notifier.close();
  await drop();
});

/** Everything an order could change: orders, fills, postings. */
async function footprint(): Promise<string> {
  const [r] = await ds.query(`SELECT (SELECT count(*) FROM orders) o, (SELECT count(*) FROM fills) f, (SELECT count(*) FROM postings) p`);
  return JSON.stringify(r);
}

describe('issue 10: sign-in by initData', () => {
  test('valid initData of a user who started the bot reads their balance', async () => {
    const r = await call({ method: 'GET', url: '/api/me', headers: auth(aliceTg) });
    expect(r.statusCode).toBe(200);
    expect(r.json().balance.available).toBe(100_000);
  });
  test('forged, expired, missing initData and a stranger get 401 with a clear error', async () => {
    const good = auth(aliceTg).authorization;
    const forged = good.replace(encodeURIComponent(`"id":${aliceTg}`), encodeURIComponent(`"id":${bobTg}`));
    expect(forged).not.toBe(good);
    const cases: [Record<string, string>, string][] = [
      [{ authorization: forged }, 'auth_bad_hash'],
      [{ authorization: `tma ${signInitData('1:other-bot', { id: aliceTg, first_name: 'T' })}` }, 'auth_bad_hash'],
      [auth(aliceTg, Math.floor(Date.now() / 1000) - 86_400 - 60), 'auth_expired'],
      [{}, 'auth_missing'],
      [{ authorization: good.replace(/&hash=[0-9a-f]+/, '') }, 'auth_missing'],
      [auth(9_999_999), 'auth_not_started'],
    ];
    for (const [headers, error] of cases) {
      const r = await call({ method: 'GET', url: '/api/portfolio', headers });
      expect([r.statusCode, r.json().error]).toEqual([401, error]);
      expect(r.json().message.length).toBeGreaterThan(10);
    }
  });
});

describe('issue 10: trading through the matching queue', () => {
  test('a limit sell rests; a market buy previews, places once for a retried key, shows in the portfolio', async () => {
    // Bob rests a BUY_NO limit at 40: in the one YES book that is an ask at 60.
    const rest = await call({ method: 'POST', url: '/api/orders', headers: auth(bobTg),
      payload: { marketId, intent: 'BUY_NO', kind: 'limit', price: 40, amountKop: 40_000, key: 'bob-rest-0001' } });
    expect(rest.statusCode).toBe(200);
    expect(rest.json().outcome.resting).toBeGreaterThan(0);

    const market = await call({ method: 'GET', url: `/api/markets/${marketId}?tf=1h`, headers: auth(aliceTg) });
    expect(market.json().book.asks[0]).toMatchObject({ price: 60 });

    const order = { marketId, intent: 'BUY_YES', kind: 'market', amountKop: 10_000 };
    const preview = await call({ method: 'POST', url: '/api/orders/preview', headers: auth(aliceTg), payload: order });
    expect(preview.statusCode).toBe(200);
    const p = preview.json().preview;
    expect(p.shares).toBeGreaterThan(0);

    const before = await footprint();
    const place = () => call({ method: 'POST', url: '/api/orders', headers: auth(aliceTg), payload: { ...order, key: 'alice-tap-0001' } });
    const [a, b] = await Promise.all([place(), place()]);
    const again = await place();
    for (const r of [a, b, again]) expect(r.statusCode).toBe(200);
    expect(a.json().outcome).toEqual(again.json().outcome);
    // The preview equals what the worker did.
    expect(a.json().outcome.filled).toBe(p.shares);
    expect(a.json().outcome.costKop).toBe(p.costKop);
    expect(a.json().outcome.feeKop).toBe(p.feeKop);
    const [{ n }] = await ds.query(`SELECT count(*) n FROM orders WHERE idempotency_key LIKE 'app:%alice-tap-0001'`);
    expect(Number(n)).toBe(1);
    expect(await footprint()).not.toBe(before);

    const pf = await call({ method: 'GET', url: '/api/portfolio', headers: auth(aliceTg) });
    expect(pf.json().positions).toEqual([expect.objectContaining({ marketId, outcome: 'YES', shares: p.shares })]);
    expect(pf.json().history.trades[0]).toMatchObject({ marketId, intent: 'BUY_YES', qty: p.shares, price: 60 });
    const chart = await call({ method: 'GET', url: `/api/markets/${marketId}?tf=1h`, headers: auth(aliceTg) });
    expect(chart.json().candles.at(-1)).toMatchObject({ close: 60 });
    expect(chart.json().trades[0]).toMatchObject({ price: 60, qty: p.shares });
  });

  test('cancel through the queue frees the order; a second cancel with the same key changes nothing', async () => {
    const pf = await call({ method: 'GET', url: '/api/portfolio', headers: auth(bobTg) });
    const open = pf.json().orders[0];
    expect(open).toMatchObject({ marketId, intent: 'BUY_NO' });
    const cancel = () => call({ method: 'POST', url: '/api/orders/cancel', headers: auth(bobTg), payload: { marketId, orderId: open.id, key: 'bob-cancel-01' } });
    const r = await cancel();
    expect(r.statusCode).toBe(200);
    expect(r.json().cancelled).toBe(1);
    const before = await footprint();
    expect((await cancel()).json()).toEqual(r.json());
    expect(await footprint()).toBe(before);
    const after = await call({ method: 'GET', url: '/api/portfolio', headers: auth(bobTg) });
    expect(after.json().orders).toEqual([]);
    // Alice cannot cancel Bob's orders.
    const theirs = await call({ method: 'POST', url: '/api/orders/cancel', headers: auth(aliceTg), payload: { marketId, orderId: open.id, key: 'alice-cancel-1' } });
    expect(theirs.json().error).toBe('order_not_open');
  });

  test('a trade made elsewhere (the bot\'s queue) shows on a market page and portfolio served from memory within 1 s', async () => {
    const page = () => call({ method: 'GET', url: `/api/markets/${marketId}?tf=1d`, headers: auth(aliceTg) });
    const before = (await page()).json();
    expect((await page()).json()).toEqual(before);
    const bobBefore = (await call({ method: 'GET', url: '/api/portfolio', headers: auth(bobTg) })).json();
    const bobId = Number((await ds.query('SELECT id FROM users WHERE telegram_id = $1', [bobTg]))[0].id);
    // Bob, from the chat: a resting YES bid at 33 (nothing crosses it).
    const r = await queues.submit({ type: 'place', idempotencyKey: `bet:${randomBytes(6).toString('hex')}`, marketId, userId: bobId,
      intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 33, qty: 40 });
    expect(JSON.stringify(r)).toContain('"ok":true');
    const t0 = Date.now();
    for (;;) {
      const now = (await page()).json();
      if (now.book.bids.some((l: { price: number }) => l.price === 33)) break;
      expect(Date.now() - t0).toBeLessThan(1_000);
      await new Promise((res) => setTimeout(res, 20));
    }
    const bobAfter = (await call({ method: 'GET', url: '/api/portfolio', headers: auth(bobTg) })).json();
    expect(bobAfter.orders.length).toBe(bobBefore.orders.length + 1);
    expect(bobAfter.balance.reserved).toBe(bobBefore.balance.reserved + 33 * 40);
  });

  test('bad inputs get the bot\'s codes and localized texts, and change nothing', async () => {
    const before = await footprint();
    const base = { marketId, intent: 'BUY_YES', kind: 'limit', amountKop: 10_000 };
    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...base, price: 0 }, 422, 'price_out_of_range'],
      [{ ...base, price: 100 }, 422, 'price_out_of_range'],
      [{ ...base, price: 'sixty' }, 422, 'price_not_number'],
      [{ ...base, price: 50, amountKop: -10_000 }, 422, 'amount_too_small'],
      [{ ...base, price: 50, amountKop: 999 }, 422, 'amount_too_small'],
      [{ ...base, price: 50, amountKop: 'lots' }, 422, 'amount_not_number'],
      [{ ...base, price: 50, amountKop: 50_000_000 }, 422, 'insufficient_funds'],
      [{ ...base, price: 50, marketId: 987_654 }, 404, 'market_not_found'],
      [{ ...base, price: 50, marketId: 'x' }, 422, 'market_not_found'],
      [{ marketId, intent: 'SELL_NO', kind: 'limit', price: 50, shares: -3 }, 422, 'shares_not_number'],
    ];
    for (const [payload, status, error] of cases) {
      for (const url of ['/api/orders/preview', '/api/orders']) {
        const r = await call({ method: 'POST', url, headers: auth(aliceTg), payload: url === '/api/orders' ? { ...payload, key: `bad-${randomBytes(4).toString('hex')}` } : payload });
        expect([url, r.statusCode, r.json().error]).toEqual([url, status, error]);
        expect(r.json().message).not.toMatch(/^errors\./);
      }
    }
    const big = await call({ method: 'POST', url: '/api/orders', headers: auth(aliceTg), payload: { ...base, price: 50, key: 'k'.repeat(10), pad: 'x'.repeat(5000) } });
    expect(big.statusCode).toBe(413);
    expect(await footprint()).toBe(before);
  });
});

test('issue 10: on the process\'s one HTTP server the app is served under /app beside /health and /metrics', async () => {
  if (!existsSync(join(defaultAppDir(), 'index.html'))) execFileSync('npm', ['run', 'build:app', '--silent'], { cwd: join(__dirname, '..', '..'), stdio: 'ignore' });
  const prefix = `miniapi-srv-${randomBytes(4).toString('hex')}`;
  const http = createHttpServer({ ds, redisUrl: REDIS, prefix }, 0, '127.0.0.1');
  const mini = await registerMiniApp(http.app, { ds, queues, redisUrl: REDIS, prefix, botToken: TOKEN, authMaxAgeMs: 86_400_000 });
  try {
    const root = await http.app.listen({ port: 0, host: '127.0.0.1' });
    const page = await fetch(`${root}/app/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect((await fetch(`${root}/api/me`, { headers: auth(aliceTg) })).status).toBe(200);
    expect((await fetch(`${root}/api/me`)).status).toBe(401);
    expect((await fetch(`${root}/metrics`)).status).toBe(200);
    expect([200, 503]).toContain((await fetch(`${root}/health`)).status);
  } finally {
    await mini.close();
    await http.close();
  }
});

test('issue 10: per-user rate limit: the budget passes, one request more is 429, another user is not affected', async () => {
  const prefix = `miniapi-rl-${randomBytes(4).toString('hex')}`;
  const limited = Fastify();
  const mini = await registerMiniApp(limited, { ds, queues, redisUrl: REDIS, prefix, botToken: TOKEN, authMaxAgeMs: 86_400_000, requestsPerSecond: 5 });
  try {
    const root = await limited.listen({ port: 0, host: '127.0.0.1' });
    // At once, so all six fall in one one-second window however slow the machine is.
    const statuses = await Promise.all(Array.from({ length: 6 }, async () => (await fetch(`${root}/api/me`, { headers: auth(aliceTg) })).status));
    expect(statuses.sort()).toEqual([200, 200, 200, 200, 200, 429]);
    const r = await fetch(`${root}/api/me`, { headers: auth(aliceTg) });
    expect(await r.json()).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/.{10}/) });
    expect((await fetch(`${root}/api/me`, { headers: auth(bobTg) })).status).toBe(200);
  } finally {
    await limited.close();
    await mini.close();
  }
});
