import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { bullPrefix, Queues } from '../../jobs/queues';
import { registerMiniApp } from '../../web/api';
import { MatchingSupervisor } from '../../workers/matching';
import { Notifier } from '../../workers/notifications/producer';
import { freshDatabase } from '../helpers/db';
import { signInitData } from '../helpers/init-data';
import { openMarket, userWithMoney } from '../helpers/world';

/**
 * Money paths of the Mini App API (web/api/index.ts) at their edges: sizes past the largest order,
 * a retried place after its order changed the state, the preview's worst price kept by Confirm,
 * and the market's state said before its book is asked.
 */
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = '777001:miniapp-edges-token';

let ds: DataSource;
let drop: () => Promise<void>;
let app: FastifyInstance;
let queues: Queues;
let matching: MatchingSupervisor;
let notifier: Notifier;
let closeApi: () => Promise<void>;
let base = '';

async function tgIdOf(userId: number): Promise<number> {
  const [r] = await ds.query('SELECT telegram_id FROM users WHERE id = $1', [userId]);
  return Number(r.telegram_id);
}

async function call(method: 'GET' | 'POST', url: string, tgId: number, payload?: unknown) {
  const res = await fetch(base + url, {
    method,
    headers: { authorization: `tma ${signInitData(TOKEN, { id: tgId, first_name: 'T', language_code: 'en' })}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: payload !== undefined ? JSON.stringify(payload) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** A user (telegram id) with `rub` deposited. */
async function user(rub: number, name: string): Promise<{ id: number; tg: number }> {
  const id = await userWithMoney(ds, rub, name);
  return { id, tg: await tgIdOf(id) };
}

/** A resting BUY_NO limit at `noPrice` (an ask at 100 − noPrice in the YES book), through the API. */
async function restAsk(tg: number, marketId: number, noPrice: number, amountKop: number) {
  const r = await call('POST', '/api/orders', tg, { marketId, intent: 'BUY_NO', kind: 'limit', price: noPrice, amountKop, key: `rest-${randomBytes(6).toString('hex')}` });
  expect(r.status).toBe(200);
  expect(r.body.outcome.resting).toBeGreaterThan(0);
}

beforeAll(async () => {
  ({ ds, drop } = await freshDatabase('miniedges'));
  const prefix = `miniedges-${randomBytes(4).toString('hex')}`;
  const logger = pino({ level: 'silent' });
  notifier = new Notifier(REDIS, bullPrefix(prefix));
  matching = new MatchingSupervisor({ ds, redisUrl: REDIS, prefix, notifier, logger });
  await matching.start();
  queues = new Queues(ds, REDIS, prefix);
  app = Fastify();
  ({ close: closeApi } = await registerMiniApp(app, { ds, queues, redisUrl: REDIS, prefix, botToken: TOKEN, authMaxAgeMs: 86_400_000, requestsPerSecond: 10_000 }));
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await closeApi();
  await queues.close();
  await matching.close();
  await notifier.close();
  await drop();
});

test('huge amounts (integers, but not safe kop after the fee maths) get notional_too_large, not a 500', async () => {
  const marketId = await openMarket(ds, 'Huge amounts?');
  const alice = await user(1000, 'alice-huge');
  const cases = [
    { marketId, intent: 'BUY_YES', kind: 'limit', price: 50, amountKop: 1_000_000_000_000 }, // 10 bn ₽, a safe integer
    { marketId, intent: 'BUY_YES', kind: 'limit', price: 50, amountKop: 1e17 }, // an integer, not a safe one
    { marketId, intent: 'BUY_YES', kind: 'market', price: 60, amountKop: 1e20 },
  ];
  const seen: unknown[] = [];
  for (const payload of cases) {
    for (const url of ['/api/orders/preview', '/api/orders']) {
      const r = await call('POST', url, alice.tg, url === '/api/orders' ? { ...payload, key: `huge-${randomBytes(4).toString('hex')}` } : payload);
      seen.push([url, payload.kind, r.status, r.body.error ?? r.body]);
    }
  }
  expect(seen).toEqual([
    ['/api/orders/preview', 'limit', 422, 'notional_too_large'],
    ['/api/orders', 'limit', 422, 'notional_too_large'],
    ['/api/orders/preview', 'limit', 422, 'notional_too_large'],
    ['/api/orders', 'limit', 422, 'notional_too_large'],
    ['/api/orders/preview', 'market', 422, 'notional_too_large'],
    ['/api/orders', 'market', 422, 'notional_too_large'],
  ]);
});

test('a retried place (same key) after the order executed answers its outcome, not insufficient_funds', async () => {
  const marketId = await openMarket(ds, 'Retry after the money is spent?');
  const bob = await user(1000, 'bob-retry');
  const alice = await user(100, 'alice-retry');
  await restAsk(bob.tg, marketId, 40, 40_000);
  const order = { marketId, intent: 'BUY_YES', kind: 'market', amountKop: 10_000, key: 'alice-retry-0001' };
  const first = await call('POST', '/api/orders', alice.tg, order);
  expect(first.status).toBe(200);
  expect(first.body.outcome.filled).toBeGreaterThan(0);
  // The response was lost (or the user tapped Confirm again): the app sends the same body and key.
  const retry = await call('POST', '/api/orders', alice.tg, order);
  const [{ n }] = await ds.query(`SELECT count(*) n FROM orders WHERE user_id = $1`, [alice.id]);
  expect(Number(n)).toBe(1); // the order did execute, once
  expect([retry.status, retry.body.error, retry.body.message]).toEqual([200, undefined, undefined]);
  expect(retry.body.outcome).toEqual(first.body.outcome);
});

test('a retried place after the market closed does not say "Nothing was changed" about an executed order', async () => {
  const marketId = await openMarket(ds, 'Retry after the close?');
  const bob = await user(1000, 'bob-close');
  const alice = await user(1000, 'alice-close');
  await restAsk(bob.tg, marketId, 40, 40_000);
  const order = { marketId, intent: 'BUY_YES', kind: 'market', amountKop: 10_000, key: 'alice-close-0001' };
  const first = await call('POST', '/api/orders', alice.tg, order);
  expect(first.status).toBe(200);
  await ds.query(`UPDATE markets SET deadline = now() - interval '1 second' WHERE id = $1`, [marketId]);
  const retry = await call('POST', '/api/orders', alice.tg, order);
  expect([retry.status, retry.body.error, retry.body.message]).toEqual([200, undefined, undefined]);
  expect(retry.body.outcome).toEqual(first.body.outcome);
});

test('what the app confirms after its preview pays at most the preview\'s price (the price moved in between)', async () => {
  const marketId = await openMarket(ds, 'Preview equals execution?');
  const bob = await user(2000, 'bob-move');
  const carol = await user(2000, 'carol-move');
  const alice = await user(1000, 'alice-move');
  await restAsk(bob.tg, marketId, 40, 8_000); // ask 60 × 200 shares
  await restAsk(bob.tg, marketId, 20, 100_000); // ask 80
  // Exactly the app's requests (web/app/src/market.tsx ask() and confirm()).
  const preview = await call('POST', '/api/orders/preview', alice.tg, { marketId, intent: 'BUY_YES', kind: 'market', amountKop: 10_000 });
  expect(preview.status).toBe(200);
  const p = preview.body.preview;
  expect(p.worstPrice).toBe(60);
  // Someone else takes the 60s while Alice reads the preview.
  const take = await call('POST', '/api/orders', carol.tg, { marketId, intent: 'BUY_YES', kind: 'limit', price: 60, amountKop: 12_100, key: 'carol-take-0001' });
  expect(take.body.outcome.filled).toBeGreaterThan(0);
  const page = await call('GET', `/api/markets/${marketId}?tf=1h`, alice.tg);
  expect(page.body.book.asks[0].price).toBe(80);
  // What the app sends on Confirm: the previewed order with the preview's worst price (a market
  // order's guard, best 60 + 5 = 65), so nothing fills above it.
  expect(preview.body.order.price).toBe(65);
  const placed = await call('POST', '/api/orders', alice.tg, { marketId, intent: 'BUY_YES', kind: 'market', amountKop: 10_000, price: preview.body.order.price, key: 'alice-move-0001' });
  // Only asks at 80 are left: refused (before anything is recorded), nothing filled, no money moved.
  expect([placed.status, placed.body.error]).toEqual([422, 'no_liquidity']);
  const [{ n }] = await ds.query(`SELECT count(*) n FROM fills WHERE taker_user_id = $1`, [alice.id]);
  expect(Number(n)).toBe(0);
  expect((await call('GET', '/api/me', alice.tg)).body.balance.available).toBe(100_000);
});

test('a market order (what the app sends) on a closed or unknown market says so, not "no matching orders, place a limit order"', async () => {
  const closed = await openMarket(ds, 'Closed with an empty book?');
  await ds.query(`UPDATE markets SET deadline = now() - interval '1 second' WHERE id = $1`, [closed]);
  const alice = await user(1000, 'alice-closed');
  const seen: unknown[] = [];
  for (const [marketId, intent] of [[closed, 'BUY_YES'], [closed, 'BUY_NO'], [987_654, 'BUY_YES']] as const) {
    const r = await call('POST', '/api/orders/preview', alice.tg, { marketId, intent, kind: 'market', amountKop: 10_000 });
    seen.push([marketId === closed ? 'closed' : 'unknown', intent, r.status, r.body.error]);
  }
  expect(seen).toEqual([
    ['closed', 'BUY_YES', 422, 'market_closed'],
    ['closed', 'BUY_NO', 422, 'market_closed'],
    ['unknown', 'BUY_YES', 404, 'market_not_found'],
  ]);
});
