import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SimClient } from '../tools/botapi/client';
import { runAudit } from '../domain/read/audit';
import { dropDatabase, openDataSource } from '../infra/db';
import { ChatDriver, labelPrefix, playWithdrawal, template, type Person } from './demo-chat';
import { playGrowthDemo } from './demo-growth';
import { playGroupDemo } from './demo-groups';
import { playNewMarketDemo } from './demo-liquidity';
import { playMiniAppDemo } from './demo-miniapp';
import { seedDemo } from './seed';

/**
 * `npm run demo`: a fresh database with the seed plan's five markets, the local Bot API server,
 * the bot and the workers as real processes, and a conversation played through the Bot API:
 * a Russian- and an English-speaking user start the bot, deposit through invoices, trade against
 * each other (YES vs NO at crossing prices), an admin resolves the market, both see their payouts;
 * the admin creates a market with /newmarket and a market buy fills at once against its house
 * maker; in a group, a /predict market (funded by its creator's ante) takes a two-tap quick bet;
 * in the Mini App (headless Chromium) Ivan buys against Alice's resting bid and she hears the fill.
 * Prints the chat log, saves images under demo-output/, ends with one JSON line.
 */
const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'demo-output');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DEMO_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/pravda_demo';
const BOT_USERNAME = 'pravda_market_bot';

const log = (line: string) => process.stdout.write(`${line}\n`);
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts `node dist/<entry>`, sends its stderr to a log file's worth of memory, and resolves on a stdout line matching `ready`. */
function start(entry: string, args: string[], env: Record<string, string>, ready?: RegExp): Promise<string> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', entry), ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let errors = '';
  child.stderr!.on('data', (d) => (errors += d));
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && !stopping) {
      log(`!! ${entry} ${args.join(' ')} exited with ${code ?? signal}\n${errors.slice(-4000)}`);
      process.exitCode = 1;
    }
  });
  if (!ready) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`${entry} did not start: ${errors.slice(-2000)}`)), 30_000);
    rl.on('line', (line) => {
      if (ready.test(line)) {
        clearTimeout(timer);
        resolve(line);
      }
    });
  });
}

let stopping = false;
async function stopAll(): Promise<void> {
  stopping = true;
  await Promise.all(children.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.on('exit', () => resolve());
    c.kill('SIGTERM');
    setTimeout(() => c.kill('SIGKILL'), 8000).unref();
  })));
}

async function main(): Promise<void> {
  await rm(OUT, { recursive: true, force: true });
  log('== Pravda Market demo ==');
  await dropDatabase(DATABASE_URL);
  const ds = await openDataSource(DATABASE_URL, { migrate: true });
  const marketIds = await seedDemo(ds);
  log(`database ${new URL(DATABASE_URL).pathname.slice(1)}: migrated, ${marketIds.length} markets seeded with price history and a house market maker`);

  const token = `7000000001:${randomBytes(12).toString('hex')}`;
  const port = await freePort();
  const line = await start('tools/botapi/main.js', [], {
    BOTAPI_PORT: String(port), BOT_TOKEN: token, BOT_USERNAME, BOT_NAME: 'Pravda Market',
  }, /"botapi":"listening"/);
  const apiRoot = (JSON.parse(line) as { url: string }).url;
  log(`local Telegram Bot API server: ${apiRoot}`);
  const sim = new SimClient(apiRoot);
  const appPort = await freePort();
  const ivanU = await sim.createUser({ first_name: 'Иван', username: 'ivan', language_code: 'ru' });
  const aliceU = await sim.createUser({ first_name: 'Alice', username: 'alice', language_code: 'en' });
  const olgaU = await sim.createUser({ first_name: 'Ольга', username: 'olga_admin', language_code: 'ru' });
  const ivan: Person = { id: ivanU.id, name: 'Иван', slug: 'ivan', lang: 'ru' };
  const alice: Person = { id: aliceU.id, name: 'Alice', slug: 'alice', lang: 'en' };
  const olga: Person = { id: olgaU.id, name: 'Ольга (admin)', slug: 'olga', lang: 'ru' };

  const env = {
    BOT_TOKEN: token, TELEGRAM_API_ROOT: apiRoot, DATABASE_URL, REDIS_URL,
    QUEUE_PREFIX: `demo-${randomBytes(4).toString('hex')}`, ADMIN_IDS: String(olga.id),
    PAYMENT_PROVIDER_TOKEN: 'demo-provider:TEST',
    // The app's public https URL (BotFather's Mini App URL); here its HTTPS proxy is the bot's own port.
    MINIAPP_URL: 'https://pravda.example/app/',
  };
  await Promise.all([start('bin/start.js', ['workers'], env), start('bin/start.js', ['bot'], { ...env, HTTP_PORT: String(appPort) })]);
  await waitForHttp(`http://127.0.0.1:${appPort}/app/`);
  log('bot and workers started as separate processes (long polling against the local Bot API);');
  log(`the bot also serves /health, /metrics and the Mini App on port ${appPort}\n`);
  const chat = new ChatDriver(sim, apiRoot, token, OUT, log);
  const btc = marketIds[0]!;

  // 1. Onboarding, each in their own language.
  await chat.say(ivan, '/start');
  await chat.expect(ivan, { hasKeyboard: true });
  await chat.say(alice, '/start');
  await chat.expect(alice, { hasKeyboard: true });

  // 2. Deposits through Telegram Payments invoices.
  await chat.tap(ivan, { exact: template('ru', 'menu.balance') });
  await chat.expect(ivan, { buttonText: template('ru', 'balance.deposit') });
  await chat.tap(ivan, { exact: template('ru', 'balance.deposit') });
  // The first deposit asks to accept the terms (responsible use).
  await chat.expect(ivan, { buttonText: template('ru', 'responsible.terms_accept') });
  await chat.tap(ivan, { exact: template('ru', 'responsible.terms_accept') });
  await chat.expect(ivan, { textIncludes: labelPrefix('ru', 'deposit.ask_amount').replace(/<\/?b>/g, '').trim().slice(0, 10) });
  await chat.say(ivan, '1000');
  await chat.expect(ivan, { hasInvoice: true });
  await chat.pay(ivan);
  await chat.expect(ivan, { textIncludes: labelPrefix('ru', 'deposit.credited').slice(2).trim() });

  await chat.say(alice, '/deposit');
  await chat.expect(alice, { buttonText: template('en', 'responsible.terms_accept') });
  await chat.tap(alice, { exact: template('en', 'responsible.terms_accept') });
  await chat.expect(alice, { buttonText: template('en', 'order.cancel') });
  await chat.say(alice, '500');
  await chat.expect(alice, { hasInvoice: true });
  await chat.pay(alice);
  await chat.expect(alice, { textIncludes: labelPrefix('en', 'deposit.credited').slice(2).trim() });

  // 3. Ivan opens the markets, picks Bitcoin and bids for YES at 65% with a limit order.
  await chat.say(ivan, '/markets');
  await chat.expect(ivan, { hasKeyboard: true });
  await chat.tap(ivan, { prefix: template('ru', 'category.crypto') });
  await chat.expect(ivan, { textIncludes: template('ru', 'category.crypto') });
  await chat.tap(ivan, { prefix: '65%' });
  const card = await chat.expect(ivan, { hasPhoto: true });
  await chat.tap(ivan, { prefix: labelPrefix('ru', 'card.buy_yes') }, card.messageId);
  await chat.expect(ivan, { hasKeyboard: true });
  await chat.say(ivan, '500');
  await chat.expect(ivan, { textIncludes: labelPrefix('ru', 'order.size_amount').replace(/<\/?b>/g, '') });
  await chat.say(ivan, '65');
  await chat.expect(ivan, { textIncludes: labelPrefix('ru', 'order.preview_title').replace(/<\/?b>/g, '') });
  await chat.tap(ivan, { exact: template('ru', 'order.confirm') });
  await chat.expect(ivan, { textIncludes: '65' , edited: true });

  // 4. Alice opens the same market from a deep link and buys NO at 35%: it crosses Ivan's bid.
  await chat.say(alice, `/start m${btc}`);
  const aliceCard = await chat.expect(alice, { hasPhoto: true });
  await chat.tap(alice, { prefix: labelPrefix('en', 'card.buy_no') }, aliceCard.messageId);
  await chat.expect(alice, { hasKeyboard: true });
  await chat.say(alice, '300');
  await chat.expect(alice, { textIncludes: labelPrefix('en', 'order.size_amount').replace(/<\/?b>/g, '') });
  await chat.say(alice, '35');
  await chat.expect(alice, { textIncludes: labelPrefix('en', 'order.preview_title').replace(/<\/?b>/g, '') });
  await chat.tap(alice, { exact: template('en', 'order.confirm') });
  await chat.expect(alice, { textIncludes: '35', edited: true });
  // Ivan's resting bid was filled: he hears about it through the notifications pipeline.
  await chat.expect(ivan, { textIncludes: '✅' }, 0);

  await chat.say(ivan, '/portfolio');
  await chat.expect(ivan, { textIncludes: labelPrefix('ru', 'portfolio.title').replace(/<\/?b>/g, '').trim() });
  await chat.say(alice, '/portfolio');
  await chat.expect(alice, { textIncludes: labelPrefix('en', 'portfolio.title').replace(/<\/?b>/g, '').trim() });

  // 5. The admin resolves Bitcoin early as YES; settlement pays every holder.
  await chat.say(olga, '/start');
  await chat.expect(olga, { hasKeyboard: true });
  await resolveAsAdmin(chat, olga, btc, ds);
  await chat.expect(ivan, { textIncludes: '🏁' }, 0);
  await chat.expect(alice, { textIncludes: '🏁' }, 0);
  await chat.say(ivan, '/balance');
  await chat.expect(ivan, { textIncludes: labelPrefix('ru', 'balance.text').replace(/<\/?b>/g, '').trim() });
  await chat.say(alice, '/balance');
  await chat.expect(alice, { textIncludes: labelPrefix('en', 'balance.text').replace(/<\/?b>/g, '').trim() });

  // 5b. The winner takes money out: a request, the admin's approval, marked paid (the audit below checks the ledger).
  await playWithdrawal(chat, ivan, olga, 100);
  const [wd] = await ds.query(`SELECT status FROM withdrawals ORDER BY id DESC LIMIT 1`, []);
  if (wd?.status !== 'paid') throw new Error(`withdrawal not paid: ${wd?.status}`);

  // 6. Liquidity (issue 8): the admin creates a market with /newmarket (1 000 ₽ of house liquidity,
  // opening at 50 %); Ivan's Buy YES · Market 100 ₽ fills at once against its house maker.
  log('\n== A new market with house liquidity ==');
  const fresh = await playNewMarketDemo(chat, olga, ivan);
  const [freshFill] = await ds.query(`SELECT count(*) n FROM fills WHERE market_id = $1`, [fresh]);
  if (Number(freshFill.n) < 1) throw new Error(`the market buy on market ${fresh} did not fill`);

  // 6b. Growth (issue 12): Ivan invites Пётр, who deposits and trades on the new market; both get the reward; /league.
  log('\n== An invitation, accepted and rewarded; the league ==');
  await playGrowthDemo(chat, sim, ivan, fresh);
  const [rewards] = await ds.query(`SELECT count(*) n FROM postings WHERE kind = 'referral_reward'`, []);
  if (Number(rewards.n) !== 2) throw new Error(`referral rewards posted: ${rewards.n}, expected 2`);

  // 7. Groups and channels: Ivan's /predict in a group (his ante funds the maker), Alice's quick bet, a channel digest.
  const group = await playGroupDemo({
    sim, botUsername: BOT_USERNAME, log, marketId: marketIds[1]!,
    users: { ru: { id: ivan.id, name: ivan.name }, en: { id: alice.id, name: alice.name } },
    saveImage: async (name, png) => {
      const file = join(OUT, `${String(++chat.images).padStart(2, '0')}-${name}`);
      await writeFile(file, png);
      log(`    (saved ${file})`);
    },
    redisUrl: REDIS_URL, queuePrefix: env.QUEUE_PREFIX, apiRoot, botToken: token,
  });
  log(`\ngroup part: ${group.trades} quick bet(s) on the group's /predict card, ${group.digests} digest(s) posted`);

  // 8. The Mini App (issue 10): Alice rests a YES bid in the chat, Ivan buys NO in the app, Alice hears the fill.
  log('\n== The Mini App ==');
  const appFills = await playMiniAppDemo({
    chat, sim, ds, log, outDir: OUT, marketId: marketIds[3]!, maker: alice,
    taker: { ...ivan, telegram: { id: ivan.id, first_name: 'Иван', language_code: 'ru' } },
    localOrigin: `http://127.0.0.1:${appPort}`, botToken: token,
  });
  if (appFills < 1) throw new Error('the Mini App order did not fill');

  const report = await runAudit(ds.manager);
  const [users] = await ds.query(`SELECT count(*) n FROM users WHERE NOT is_maker`);
  const [trades] = await ds.query(`SELECT count(*) n FROM fills`);
  const [settled] = await ds.query(`SELECT count(*) n FROM markets WHERE status = 'settled'`);
  await ds.destroy();
  log(`\nimages saved under ${OUT} (${chat.images})`);
  log(`audit: ${JSON.stringify(Object.fromEntries(Object.entries(report.invariants).map(([k, v]) => [k, v.ok])))}`);
  await stopAll();
  const summary = {
    demo: process.exitCode ? 'failed' : 'ok',
    users: Number(users.n), trades: Number(trades.n), settledMarkets: Number(settled.n), ledgerBalanced: report.ok,
  };
  if (!report.ok || summary.trades < 1 || summary.settledMarkets < 1 || group.trades < 1 || group.digests < 1) summary.demo = 'failed';
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exit(summary.demo === 'ok' ? 0 : 1);
}

/** Resolves when `url` answers 200 (the bot's HTTP server is listening). */
async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

/** /resolve → pick the market → YES → confirm resolving early; waits until the market is settled. */
async function resolveAsAdmin(chat: ChatDriver, admin: Person, marketId: number, ds: { query: (q: string, p: unknown[]) => Promise<{ status: string }[]> }): Promise<void> {
  await chat.say(admin, '/resolve');
  await chat.expect(admin, { hasKeyboard: true });
  await chat.tap(admin, { prefix: `${labelPrefix('ru', 'resolution.pick_open')}${marketId} ` });
  await chat.expect(admin, { hasKeyboard: true });
  await chat.tap(admin, { exact: template('ru', 'outcome.YES') });
  await chat.expect(admin, { hasKeyboard: true });
  await chat.tap(admin, { prefix: labelPrefix('ru', 'resolution.do_early') });
  // Settlement reports to the admin when every position is paid.
  await chat.expect(admin, { textIncludes: labelPrefix('ru', 'settle.done').trim() }, 0);
  const [m] = await ds.query(`SELECT status FROM markets WHERE id = $1`, [marketId]);
  if (m?.status !== 'settled') throw new Error(`market ${marketId} is ${m?.status}, not settled`);
}

main().catch(async (e) => {
  log(`\n!! demo failed: ${(e as Error).stack}`);
  await stopAll();
  process.stdout.write(`${JSON.stringify({ demo: 'failed', error: (e as Error).message, ledgerBalanced: false })}\n`);
  process.exit(1);
});
