/**
 * Channel digests (issue "Groups, inline mode, digests"): scheduled on DIGEST_CRON, one photo post
 * per period whatever runs (duplicate jobs, a crash between the steps), nothing when nothing
 * happened.
 */
import { Queue } from 'bullmq';
import { proposeResolution } from '../../domain/services/resolution';
import { redisOptions } from '../../infra/redis';
import { bullPrefix } from '../../jobs/queues';
import { DIGEST_QUEUE, periodKeyOf, runDigestNow, type DigestJob } from '../../workers/digests';
import { accountOf, eventually, fund, market, REDIS_URL, restingOrder, startEnv, WAIT_MS, type Env } from './harness';

const CRON = '0 9 * * *';
let env: Env;
let job: DigestJob;

beforeAll(async () => {
  env = await startEnv('digest', { digest: { cron: CRON, lang: 'ru' } });
  job = { channelId: env.channelId!, cron: CRON, lang: 'ru' };
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

const run = () => runDigestNow(REDIS_URL, env.prefix, job, WAIT_MS);
const photos = () => env.sim.messages(env.channelId!).filter((m) => m.fromBot && m.photoFileId);

test('DIGEST_CRON is registered as a job scheduler in Moscow time', async () => {
  const queue = new Queue(DIGEST_QUEUE, { connection: redisOptions(REDIS_URL), prefix: bullPrefix(env.prefix) });
  try {
    const scheduler = await queue.getJobScheduler('channel-digest');
    expect(scheduler).toEqual(expect.objectContaining({ pattern: CRON, tz: 'Europe/Moscow' }));
    expect(scheduler!.template?.data).toEqual(job);
  } finally {
    await queue.close();
  }
});

test('nothing is posted, or recorded, when nothing happened', async () => {
  expect(await run()).toBe('nothing');
  expect(photos()).toEqual([]);
  expect(await env.ds.query(`SELECT 1 FROM digests`)).toEqual([]);
});

describe('after a day on the exchange', () => {
  let rain: number;
  let btc: number;
  let fresh: number;

  beforeAll(async () => {
    rain = await market(env, 'Will it rain in Moscow tomorrow?', 'weather');
    btc = await market(env, 'Bitcoin above 100k by New Year?', 'crypto');
    fresh = await market(env, 'Will Spartak win on Sunday?', 'sports');
    const maker = await fund(env, env.sim.createUser({ first_name: 'Maker' }), 100_000);
    const trader = await fund(env, env.sim.createUser({ first_name: 'Trader' }), 100_000);
    for (const [id, bid, ask] of [[rain, 40, 62], [btc, 30, 35]] as const) {
      await restingOrder(env, { marketId: id, userId: maker, intent: 'BUY_YES', price: bid, qty: 1000 });
      await restingOrder(env, { marketId: id, userId: maker, intent: 'BUY_NO', price: 100 - ask, qty: 1000 });
      // A first trade at the bid, then one at the ask: the price moves bid → ask within the day.
      await env.queues.submit({ type: 'place', idempotencyKey: `d-${id}-1`, marketId: id, userId: trader, intent: 'BUY_NO', kind: 'market', price: 99, spendKop: 5_000 as never, tif: 'IOC' }, WAIT_MS);
      await env.queues.submit({ type: 'place', idempotencyKey: `d-${id}-2`, marketId: id, userId: trader, intent: 'BUY_YES', kind: 'market', price: 99, spendKop: 5_000 as never, tif: 'IOC' }, WAIT_MS);
    }
    // One market resolved today.
    const closed = await env.queues.submit({ type: 'close', idempotencyKey: `close-${btc}`, marketId: btc }, WAIT_MS);
    expect(closed.ok).toBe(true);
    const r = await proposeResolution(env.ds, { marketId: btc, adminUserId: await accountOf(env, env.admin), outcome: 'NO', early: true }, { quorum: 1, disputeWindowMs: 0 });
    expect(r.ok).toBe(true);
  });

  test('duplicate runs in one period post exactly one photo with moves, new markets, outcomes and volume', async () => {
    const outcomes = await Promise.all([run(), run(), run()]);
    expect(outcomes.sort()).toEqual(['done', 'done', 'posted']);
    expect(await run()).toBe('done');
    const post = await env.sim.waitForBotMessage(env.channelId!, { hasPhoto: true }, WAIT_MS, { since: 0 });
    expect(post.caption).toContain('📊 Правда Маркет');
    expect(post.caption).toContain('📈 Главные движения за 24 ч');
    expect(post.caption).toContain('• Will it rain in Moscow tomorrow? — 40% → 62% (+22 п.п.)');
    expect(post.caption).toContain('🆕 Новые рынки');
    expect(post.caption).toContain('• Will Spartak win on Sunday? — ДА 50%');
    expect(post.caption).not.toContain('Bitcoin above 100k by New Year? — ДА');
    expect(post.caption).toContain('🏁 Итоги');
    expect(post.caption).toContain('• Bitcoin above 100k by New Year? — НЕТ');
    expect(post.caption).toMatch(/💰 Оборот за 24 ч: [\d\u202f]+,\d\d\u00a0₽/);
    const links = (post.replyMarkup as { inline_keyboard: { url?: string }[][] }).inline_keyboard.flat().map((b) => b.url);
    expect(links).toEqual(expect.arrayContaining([rain, fresh, btc].map((id) => `https://t.me/${env.botInfo.username}?start=m${id}`)));
    const [row] = await env.ds.query(`SELECT period_key, status FROM digests WHERE channel_id = $1`, [env.channelId]);
    expect(row).toEqual({ period_key: periodKeyOf(CRON, Date.now()), status: 'queued' });
    expect(photos()).toHaveLength(1);
  });

  test('a run after a crash between sending and recording it posts nothing twice', async () => {
    await env.ds.query(`UPDATE digests SET status = 'pending'`);
    expect(await run()).toBe('done');
    await eventually(async () => (await env.ds.query(`SELECT status FROM digests`))[0].status === 'queued', 'the record');
    expect(photos()).toHaveLength(1);
  });

  test('a run after a crash between deciding and sending posts the decided digest', async () => {
    const [row] = await env.ds.query(`SELECT period_key, content FROM digests`);
    // Another channel whose period was decided but never sent.
    const channel = env.sim.createChannel({ title: 'Second digest', creatorId: env.admin.id }).id;
    await env.ds.query(`INSERT INTO digests (channel_id, period_key, content) VALUES ($1, $2, $3)`, [channel, row.period_key, row.content]);
    expect(await runDigestNow(REDIS_URL, env.prefix, { ...job, channelId: channel }, WAIT_MS)).toBe('posted');
    const post = await env.sim.waitForBotMessage(channel, { hasPhoto: true }, WAIT_MS, { since: 0 });
    expect(post.caption).toBe(row.content.caption.replace(/<\/?b>/g, ''));
    expect(env.sim.rateLimits().rejections).toEqual([]);
  });
});
