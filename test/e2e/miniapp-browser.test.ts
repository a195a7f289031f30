import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { registerMiniApp } from '../../web/api';
import { chartDrawn, launchChromium, openFromTelegram } from '../../tools/webapp/telegram-page';
import { buttons, fund, market, press, REDIS_URL, restingOrder, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

/**
 * Issue 10: the Mini App in Debian's Chromium (playwright-core), against the real API, database,
 * matching workers, bot and local Bot API. A test page provides `window.Telegram.WebApp` with
 * initData signed for the bot; screenshots go to demo-output/.
 */
const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, 'demo-output');
let env: Env;
let http: FastifyInstance;
let closeApi: () => Promise<void>;
let base: string;
let browser: Browser;
let rain: number;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'app', 'index.html'))) execFileSync('npm', ['run', 'build:app', '--silent'], { cwd: ROOT, stdio: 'ignore' });
  env = await startEnv('mini', { env: { MINIAPP_URL: 'https://pravda.example/app/' } });
  rain = await market(env, 'Will it rain in Moscow tomorrow?', 'weather');
  const maker = env.sim.createUser({ first_name: 'Maker' });
  const makerId = await fund(env, maker, 10_000);
  // YES offered at 55 × 200, then at 60 × 500; YES bid at 40.
  await restingOrder(env, { marketId: rain, userId: makerId, intent: 'BUY_NO', price: 45, qty: 200 });
  await restingOrder(env, { marketId: rain, userId: makerId, intent: 'BUY_NO', price: 40, qty: 500 });
  await restingOrder(env, { marketId: rain, userId: makerId, intent: 'BUY_YES', price: 40, qty: 50 });
  http = Fastify();
  ({ close: closeApi } = await registerMiniApp(http, {
    ds: env.ds, queues: env.queues, redisUrl: REDIS_URL, prefix: env.prefix, botToken: env.botInfo.token, authMaxAgeMs: 86_400_000,
  }));
  base = await http.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await http?.close();
  await closeApi?.();
  await env?.close();
});

/** A page opened "from Telegram" by `tg` (tools/webapp/telegram-page.ts). */
function openApp(tg: { id: number; first_name: string; language_code?: string }, scheme: 'dark' | 'light', hash = ''): Promise<Page> {
  return openFromTelegram(browser, { url: `${base}/app/${hash}`, botToken: env.botInfo.token, user: tg, scheme });
}

test('issue 10: with MINIAPP_URL the bot sets the menu button to open the app', () => {
  const calls = env.sim.apiCalls({ method: 'setChatMenuButton' });
  expect(calls).toEqual([expect.objectContaining({ ok: true })]);
  expect(calls[0]!.params.menu_button).toMatchObject({ type: 'web_app', web_app: { url: 'https://pravda.example/app/' } });
});

test('issue 10: without initData the app says to open it from Telegram', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.route('https://telegram.org/**', (r) => r.fulfill({ contentType: 'text/javascript', body: '' }));
  await page.goto(`${base}/app/`);
  await page.waitForSelector('[data-testid=outside]');
  expect(await page.textContent('[data-testid=outside]')).toMatch(/Telegram/);
  await ctx.close();
});

test('issue 10: browse to a market, chart drawn, buy 100 ₽, see it in the portfolio, see the price move live when another user trades from the bot', async () => {
  const alice = await startedUser(env, 'Alice', 'ru');
  const aliceId = await fund(env, alice, 1000);
  const bob = await startedUser(env, 'Bob', 'ru');
  await fund(env, bob, 1000);

  const page = await openApp(alice, 'dark');
  await page.click(`[data-testid=market-${rain}]`);
  await page.waitForSelector('[data-testid=chart] canvas');
  await page.click('[data-testid=buy-yes]');
  await page.waitForSelector('[data-testid=preview]');
  // 100 ₽ with the 0.10 % fee buys floor(9 990 / 55) = 181 shares at 55.
  expect(await page.textContent('[data-testid=preview]')).toContain('181');
  expect(await page.evaluate('window.Telegram.WebApp.MainButton.visible')).toBe(true);
  await page.click('[data-testid=confirm]');
  await page.waitForSelector('[data-testid=note].ok');
  expect(await page.textContent('[data-testid=note]')).toContain('181');
  const orders = await env.ds.query(`SELECT intent, filled, status, idempotency_key FROM orders WHERE user_id = $1`, [aliceId]);
  expect(orders).toEqual([expect.objectContaining({ intent: 'BUY_YES', filled: 181, status: 'filled' })]);
  expect(orders[0].idempotency_key).toMatch(/^app:\d+:[0-9a-f]{24}$/);
  await page.waitForFunction("document.querySelectorAll('[data-testid=trades] tr').length > 0");
  await expectEventually(() => chartDrawn(page), 'the chart is drawn');
  await page.screenshot({ path: join(SHOTS, 'miniapp-market-ru-dark.png'), fullPage: true });

  await page.click('[data-testid=tab-portfolio]');
  await page.waitForSelector('[data-testid=position]');
  expect(await page.textContent('[data-testid=position]')).toContain('181');
  await page.screenshot({ path: join(SHOTS, 'miniapp-portfolio-ru-dark.png'), fullPage: true });

  // Live: Bob buys 100 ₽ of YES from the bot; 19 shares at 55 are left, the rest fill at 60.
  await page.goBack();
  await page.waitForSelector('[data-testid=yes-price]');
  expect(await page.textContent('[data-testid=yes-price]')).toContain('55');
  env.sim.sendText({ userId: bob.id, text: `/start m${rain}` });
  const card = await waitFor(env, bob, { hasPhoto: true });
  expect(buttons(card)).toContain('📱 Открыть в приложении');
  press(env, bob, buttons(card).find((b) => b.startsWith('✅ Купить ДА'))!);
  const ask = await waitFor(env, bob, { textIncludes: 'Выберите сумму' });
  press(env, bob, '100\u00a0₽');
  await waitFor(env, bob, { messageId: ask.messageId, buttonText: '⚡ По рынку (до 60%)' });
  press(env, bob, '⚡ По рынку (до 60%)');
  await waitFor(env, bob, { messageId: ask.messageId, textIncludes: 'Проверьте заявку' });
  press(env, bob, '✅ Подтвердить', ask.messageId);
  await waitFor(env, bob, { messageId: ask.messageId, textIncludes: 'Куплено' });
  const seenAt = Date.now();
  await page.waitForFunction("document.querySelector('[data-testid=yes-price]')?.textContent?.includes('60')", undefined, { timeout: 1000 });
  expect(Date.now() - seenAt).toBeLessThan(1000);
  await page.context().close();
});

test('issue 10: en, light theme: market page and portfolio', async () => {
  const carol = await startedUser(env, 'Carol', 'en');
  await fund(env, carol, 500);
  const page = await openApp(carol, 'light', `#/market/${rain}`);
  await page.waitForSelector('[data-testid=chart] canvas');
  await page.click('[data-testid=buy-no]');
  await page.waitForSelector('[data-testid=preview]');
  expect(await page.textContent('[data-testid=preview]')).toContain('You get');
  await page.click('[data-testid=confirm]');
  await page.waitForSelector('[data-testid=note].ok');
  await page.screenshot({ path: join(SHOTS, 'miniapp-market-en-light.png'), fullPage: true });
  await page.click('[data-testid=tab-portfolio]');
  await page.waitForSelector('[data-testid=position]');
  expect(await page.textContent('[data-testid=balance]')).toMatch(/^Available /);
  await page.screenshot({ path: join(SHOTS, 'miniapp-portfolio-en-light.png'), fullPage: true });
  await page.context().close();
});

async function expectEventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + WAIT_MS;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}
