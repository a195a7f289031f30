import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Browser, Route } from 'playwright-core';
import type { DataSource } from 'typeorm';
import { bullPrefix, Queues } from '../../jobs/queues';
import { registerMiniApp } from '../../web/api';
import { launchChromium, openFromTelegram } from '../../tools/webapp/telegram-page';
import { MatchingSupervisor } from '../../workers/matching';
import { Notifier } from '../../workers/notifications/producer';
import { freshDatabase } from '../helpers/db';
import { openMarket, userWithMoney } from '../helpers/world';

/**
 * The Mini App's Confirm places exactly the order its preview on screen showed (web/app/src/
 * market.tsx): a tap on another amount takes the old preview (and its Confirm) away at once, a
 * late answer to an earlier tap is never shown, and the order sent carries the preview's own worst
 * price.
 */
const ROOT = join(__dirname, '..', '..');
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = '777002:miniapp-confirm-token';

let ds: DataSource;
let drop: () => Promise<void>;
let app: FastifyInstance;
let queues: Queues;
let matching: MatchingSupervisor;
let notifier: Notifier;
let closeApi: () => Promise<void>;
let browser: Browser;
let base = '';

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'app', 'index.html'))) execFileSync('npm', ['run', 'build:app', '--silent'], { cwd: ROOT, stdio: 'ignore' });
  ({ ds, drop } = await freshDatabase('miniconfirm'));
  const prefix = `miniconfirm-${randomBytes(4).toString('hex')}`;
  notifier = new Notifier(REDIS, bullPrefix(prefix));
  matching = new MatchingSupervisor({ ds, redisUrl: REDIS, prefix, notifier, logger: pino({ level: 'silent' }) });
  await matching.start();
  queues = new Queues(ds, REDIS, prefix);
  app = Fastify();
  ({ close: closeApi } = await registerMiniApp(app, { ds, queues, redisUrl: REDIS, prefix, botToken: TOKEN, authMaxAgeMs: 86_400_000 }));
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await closeApi?.();
  await queues?.close();
  await matching?.close();
  await notifier?.close();
  await drop?.();
});

test('tapping another amount while its preview is slow: the old Confirm is gone; Confirm then places the shown amount at the shown worst price', async () => {
  const marketId = await openMarket(ds, 'Will the preview hold?');
  const bobId = await userWithMoney(ds, 5000, 'bob');
  const aliceId = await userWithMoney(ds, 2000, 'alice');
  const r = await queues.submit({ type: 'place', idempotencyKey: 'bob-rest-race', marketId, userId: bobId, intent: 'BUY_NO', kind: 'limit', tif: 'GTC', price: 45, qty: 5000 });
  expect(r.ok).toBe(true);
  const [{ telegram_id: tg }] = await ds.query('SELECT telegram_id FROM users WHERE id = $1', [aliceId]);

  const page = await openFromTelegram(browser, { url: `${base}/app/#/market/${marketId}`, botToken: TOKEN, user: { id: Number(tg), first_name: 'Alice', language_code: 'en' }, scheme: 'light' });
  // The second preview is slow to come back (a slow network): hold it.
  let previews = 0;
  const held: Route[] = [];
  await page.route('**/api/orders/preview', (route) => (++previews === 1 ? route.continue() : void held.push(route)));
  const placed: unknown[] = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && req.url().endsWith('/api/orders')) placed.push(req.postDataJSON());
  });

  await page.waitForSelector('[data-testid=buy-yes]');
  await page.click('[data-testid=buy-yes]');
  await page.waitForSelector('[data-testid=preview]');
  expect(await page.textContent('[data-testid=confirm]')).toContain('99,65'); // the default 100 ₽ preset

  await page.click('[data-testid=amount-100000]');
  for (let i = 0; i < 50 && held.length === 0; i++) await new Promise((res) => setTimeout(res, 20));
  expect(held.length).toBe(1);
  // The 100 ₽ preview and its Confirm are gone while the 1 000 ₽ one is on its way.
  expect(await page.locator('[data-testid=preview]').count()).toBe(0);
  expect(await page.locator('[data-testid=confirm]').count()).toBe(0);

  await held[0]!.continue();
  await page.waitForSelector('[data-testid=preview]');
  const shown = await page.textContent('[data-testid=confirm]');
  expect(shown).toContain('999,80');
  await page.click('[data-testid=confirm]');
  await page.waitForSelector('[data-testid=note]');

  // One order, of the shown amount, with the preview's worst price (best 55 + the 5-point guard).
  expect(placed).toEqual([expect.objectContaining({ marketId, intent: 'BUY_YES', kind: 'market', amountKop: 100_000, price: 60 })]);
  const orders: { cost_kop: string; fee_kop: string }[] = await ds.query(`SELECT cost_kop, fee_kop FROM orders WHERE user_id = $1`, [aliceId]);
  expect(orders.map((o) => Number(o.cost_kop) + Number(o.fee_kop))).toEqual([99_980]);
  await page.context().close();
});
