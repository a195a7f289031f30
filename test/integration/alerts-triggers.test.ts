/**
 * Price alerts and stop-loss / take-profit triggers against the real database (issue 11): a batch
 * that commits a new price fires exactly the alerts and triggers it should, once — also when the
 * same batch is run again, and when delivery after the commit never happened (a crash).
 */
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { BookCache } from '../../domain/services/book-cache';
import { createAlert, deleteAlert, setAlertPaused } from '../../domain/services/alerts';
import type { MatchingCommand, PlaceOrderCommand } from '../../domain/services/commands';
import { applyCommands } from '../../domain/services/matching';
import { markFiresDelivered, pendingTriggers, undeliveredFires } from '../../domain/services/price-watch';
import { createTrigger, previewTrigger } from '../../domain/services/triggers';
import { toggleWatch } from '../../domain/services/watchlist';
import { alertsOf, watchedMarkets } from '../../domain/read/watchlist';
import { alertMessages, triggerMessages } from '../../messages/alerts';
import pino from 'pino';
import { MatchingSupervisor } from '../../workers/matching';
import { Notifier } from '../../workers/notifications/producer';
import { createRedis } from '../../infra/redis';
import { freshDatabase } from '../helpers/db';
import { openMarket, userWithMoney } from '../helpers/world';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let ds: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => ({ ds, drop } = await freshDatabase('alerts')));
afterAll(async () => drop());

let seq = 0;
function place(p: Omit<PlaceOrderCommand, 'type' | 'idempotencyKey' | 'kind' | 'tif'> & Partial<PlaceOrderCommand>): PlaceOrderCommand {
  return { type: 'place', idempotencyKey: `t-${seq++}`, kind: 'limit', tif: 'GTC', ...p };
}

/** Two movers who trade 100 shares at YES price `p` (a resting YES bid and a NO buyer crossing it, all filled). */
function tradeAt(marketId: number, movers: { a: number; b: number }, p: number): MatchingCommand[] {
  return [
    place({ marketId, userId: movers.a, intent: 'BUY_YES', price: p, qty: 100 }),
    place({ marketId, userId: movers.b, intent: 'BUY_NO', price: 100 - p, qty: 100, tif: 'IOC' }),
  ];
}

async function alertRow(id: number) {
  const [r] = await ds.query(`SELECT armed, fired_count FROM price_alerts WHERE id = $1`, [id]);
  return r;
}

test('a batch fires exactly the alerts its committed price crossed, once; a rerun fires nothing; hysteresis re-arms', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds);
  const movers = { a: await userWithMoney(ds, 20_000, 'a'), b: await userWithMoney(ds, 20_000, 'b') };
  const carol = await userWithMoney(ds, 0, 'carol');
  await applyCommands(ds, cache, market, tradeAt(market, movers, 50));
  const mk = (kind: 'above' | 'below' | 'move', level: number) => createAlert(ds, { userId: carol, marketId: market, kind, level, max: 50 });
  const ids: Record<string, number> = {};
  for (const [name, kind, level] of [['up55', 'above', 55], ['up60', 'above', 60], ['down45', 'below', 45], ['move5', 'move', 5], ['paused', 'above', 52]] as const) {
    const r = await mk(kind, level);
    if (!r.ok) throw new Error(r.code);
    ids[name] = r.alertId;
  }
  expect(await setAlertPaused(ds.manager, carol, ids.paused!, true)).toEqual({ ok: true });

  const batch = tradeAt(market, movers, 58);
  const first = await applyCommands(ds, cache, market, batch);
  expect(first.watch.fires.map((f) => f.alertId).sort()).toEqual([ids.up55, ids.move5].sort());
  expect(first.watch.fires.find((f) => f.alertId === ids.move5)).toMatchObject({ price: 58, refPrice: 50, seq: 1 });
  // The very same batch again (a retried job): its orders are known by key, no price moves, nothing fires.
  const again = await applyCommands(ds, cache, market, batch);
  expect(again.watch.fires).toEqual([]);
  expect(await ds.query(`SELECT count(*)::int AS n FROM alert_fires`)).toEqual([{ n: 2 }]);
  expect(await alertRow(ids.up55!)).toEqual({ armed: false, fired_count: 1 });

  // Hovering at or above the level fires no more; back one point below re-arms; up again fires crossing 2.
  expect((await applyCommands(ds, cache, market, tradeAt(market, movers, 56))).watch.fires).toEqual([]);
  expect((await applyCommands(ds, cache, market, tradeAt(market, movers, 55))).watch.fires).toEqual([]);
  expect((await applyCommands(ds, cache, market, tradeAt(market, movers, 54))).watch.fires).toEqual([]);
  expect(await alertRow(ids.up55!)).toEqual({ armed: true, fired_count: 1 });
  const gap = await applyCommands(ds, cache, market, tradeAt(market, movers, 70));
  // A gap from 54 to 70 fires both "above" alerts (55 again, 60 for the first time) and the move.
  expect(gap.watch.fires.map((f) => [f.alertId, f.seq]).sort()).toEqual([[ids.up55, 2], [ids.up60, 1], [ids.move5, 2]].sort());
  expect((await applyCommands(ds, cache, market, tradeAt(market, movers, 40))).watch.fires.map((f) => f.alertId)).toEqual([ids.down45]);

  // Resumed while the price is past its level, the paused alert waits to re-arm (no instant fire).
  await applyCommands(ds, cache, market, tradeAt(market, movers, 53));
  expect(await setAlertPaused(ds.manager, carol, ids.paused!, false)).toEqual({ ok: true });
  expect(await alertRow(ids.paused!)).toEqual({ armed: false, fired_count: 0 });
  expect(await deleteAlert(ds.manager, carol, ids.paused!)).toEqual({ ok: true });
  expect(await deleteAlert(ds.manager, carol, ids.paused!)).toMatchObject({ ok: false, code: 'alert_not_found' });
  expect((await alertsOf(ds.manager, carol)).map((a) => a.id)).not.toContain(ids.paused);
});

test('a crash between commit and delivery: the fires stay undelivered, are delivered once, and dedupe on repeat', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds);
  const movers = { a: await userWithMoney(ds, 20_000, 'a'), b: await userWithMoney(ds, 20_000, 'b') };
  const dan = await userWithMoney(ds, 0, 'dan');
  await applyCommands(ds, cache, market, tradeAt(market, movers, 30));
  const r = await createAlert(ds, { userId: dan, marketId: market, kind: 'above', level: 35, max: 50 });
  expect(r.ok).toBe(true);
  await markFiresDelivered(ds.manager, (await undeliveredFires(ds.manager)).map((f) => f.fireId));
  // The batch commits, then "the process dies": nothing is delivered.
  await applyCommands(ds, cache, market, tradeAt(market, movers, 36));
  const pending = await undeliveredFires(ds.manager);
  expect(pending).toEqual([expect.objectContaining({ userId: dan, marketId: market, kind: 'above', level: 35, price: 36, seq: 1 })]);
  const tag = randomBytes(4).toString('hex');
  const notifier = new Notifier(REDIS_URL, `{it-alerts-${tag}}`);
  try {
    const jobs = await alertMessages(ds.manager, pending);
    expect(jobs).toEqual([expect.objectContaining({ topic: 'alerts', kind: 'send', dedupeKey: `alert-${pending[0]!.alertId}-1` })]);
    expect(jobs[0]!.text).toContain('36');
    expect(jobs[0]!.replyMarkup?.inline_keyboard[0]?.[0]).toMatchObject({ callback_data: `mk:${market}` });
    expect(await notifier.notify(jobs[0]!)).toBe('queued');
    // The sweep after a restart finds it again before marking: the pipeline drops the repeat.
    expect(await notifier.notify((await alertMessages(ds.manager, await undeliveredFires(ds.manager)))[0]!)).toBe('duplicate');
    await markFiresDelivered(ds.manager, pending.map((f) => f.fireId));
    expect(await undeliveredFires(ds.manager)).toEqual([]);
  } finally {
    await notifier.close();
    await dropKeys(`{it-alerts-${tag}}`);
  }
});

test('ALERTS_PER_USER: the 51st alert is refused, nothing is written', async () => {
  const market = await openMarket(ds);
  const eve = await userWithMoney(ds, 0, 'eve');
  for (let i = 0; i < 50; i++) expect((await createAlert(ds, { userId: eve, marketId: market, kind: 'move', level: 1 + (i % 99), max: 50 })).ok).toBe(true);
  expect(await createAlert(ds, { userId: eve, marketId: market, kind: 'above', level: 90, max: 50 })).toEqual({ ok: false, code: 'alert_limit', vars: { max: 50 } });
  expect(await ds.query(`SELECT count(*)::int AS n FROM price_alerts WHERE user_id = $1`, [eve])).toEqual([{ n: 50 }]);
  expect(await createAlert(ds, { userId: eve, marketId: market, kind: 'above', level: 100, max: 51 })).toMatchObject({ ok: false, code: 'alert_level_invalid' });
});

test('watchlist: toggle on and off, 24 h change from the first point', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds, 'Watched?');
  const movers = { a: await userWithMoney(ds, 20_000, 'a'), b: await userWithMoney(ds, 20_000, 'b') };
  const fay = await userWithMoney(ds, 0, 'fay');
  expect(await toggleWatch(ds.manager, fay, market)).toEqual({ ok: true, watched: true });
  await applyCommands(ds, cache, market, tradeAt(market, movers, 40));
  await applyCommands(ds, cache, market, tradeAt(market, movers, 47));
  expect(await watchedMarkets(ds.manager, fay)).toEqual([{ marketId: market, title: 'Watched?', status: 'open', yesPrice: 47, change24h: 7 }]);
  expect(await toggleWatch(ds.manager, fay, market)).toEqual({ ok: true, watched: false });
  expect(await watchedMarkets(ds.manager, fay)).toEqual([]);
  expect(await toggleWatch(ds.manager, fay, 999_999)).toMatchObject({ ok: false, code: 'market_not_found' });
});

test('stop-loss: a gap through the level sells the position once through the matching path; NO take-profit; close cancels', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds);
  const movers = { a: await userWithMoney(ds, 20_000, 'a'), b: await userWithMoney(ds, 20_000, 'b') };
  const holder = await userWithMoney(ds, 1000, 'holder');
  const noHolder = await userWithMoney(ds, 1000, 'noholder');
  const bidder = await userWithMoney(ds, 1000, 'bidder');
  // holder buys 100 YES and noHolder 80 NO at 60 (a mint), which sets the price to 60.
  await applyCommands(ds, cache, market, [
    place({ marketId: market, userId: holder, intent: 'BUY_YES', price: 60, qty: 100 }),
    place({ marketId: market, userId: noHolder, intent: 'BUY_NO', price: 40, qty: 100, tif: 'IOC' }),
  ]);
  // A stop above the own price is refused; the preview shows the worst price (level − 10).
  expect(await previewTrigger(ds.manager, { userId: holder, marketId: market, side: 'YES', kind: 'stop', level: 65, shares: null }))
    .toMatchObject({ ok: false, code: 'trigger_level_invalid' });
  expect(await previewTrigger(ds.manager, { userId: holder, marketId: market, side: 'YES', kind: 'stop', level: 50, shares: 101 }))
    .toMatchObject({ ok: false, code: 'trigger_shares_invalid', vars: { max: 100 } });
  expect(await previewTrigger(ds.manager, { userId: bidder, marketId: market, side: 'YES', kind: 'stop', level: 50, shares: null }))
    .toMatchObject({ ok: false, code: 'trigger_no_position' });
  const stop = await createTrigger(ds.manager, { userId: holder, marketId: market, side: 'YES', kind: 'stop', level: 50, shares: null });
  if (!stop.ok) throw new Error(stop.code);
  expect(stop.preview).toMatchObject({ shares: 100, worstPrice: 40, ownPrice: 60 });
  // NO at 40 now; take profit at NO 55 = YES 45 or lower.
  const take = await createTrigger(ds.manager, { userId: noHolder, marketId: market, side: 'NO', kind: 'take', level: 55, shares: 30 });
  if (!take.ok) throw new Error(take.code);

  // Bids the sells will meet, then a gap from 60 straight to 44 (past both levels).
  await applyCommands(ds, cache, market, [place({ marketId: market, userId: bidder, intent: 'BUY_YES', price: 42, qty: 200 })]);
  const moved = await applyCommands(ds, cache, market, tradeAt(market, movers, 44));
  expect(moved.watch.sells).toEqual([
    expect.objectContaining({ idempotencyKey: `trigger:${stop.triggerId}`, userId: holder, intent: 'SELL_YES', kind: 'market', price: 40, qty: 100, tif: 'IOC' }),
    expect.objectContaining({ idempotencyKey: `trigger:${take.triggerId}`, userId: noHolder, intent: 'SELL_NO', kind: 'market', price: 45, qty: 30, tif: 'IOC' }),
  ]);
  // A retried batch fires nothing again; the fired triggers wait for their sells (the crash sweep would queue them again).
  expect((await applyCommands(ds, cache, market, tradeAt(market, movers, 44))).watch.sells).toEqual([]);
  expect((await pendingTriggers(ds.manager)).sells.map((s) => s.idempotencyKey).sort()).toEqual(moved.watch.sells.map((s) => s.idempotencyKey).sort());

  // The sells apply in the next batch (as the worker queues them), twice: once in effect.
  const sold = await applyCommands(ds, cache, market, moved.watch.sells);
  await applyCommands(ds, cache, market, moved.watch.sells);
  expect(sold.watch.done).toEqual([
    expect.objectContaining({ triggerId: stop.triggerId, userId: holder, kind: 'stop', side: 'YES', asked: 100, filled: 100, proceedsKop: 4200 }),
    expect.objectContaining({ triggerId: take.triggerId, userId: noHolder, kind: 'take', side: 'NO', asked: 30 }),
  ]);
  const [pos] = await ds.query(`SELECT shares FROM positions WHERE user_id = $1 AND market_id = $2 AND outcome = 'YES'`, [holder, market]);
  expect(pos.shares).toBe(0);
  expect(await ds.query(`SELECT count(*)::int AS n FROM orders WHERE idempotency_key LIKE 'trigger:%' AND market_id = $1`, [market])).toEqual([{ n: 2 }]);
  const msgs = await triggerMessages(ds.manager, sold.watch.done);
  expect(msgs.map((j) => [j.topic, j.dedupeKey])).toEqual([['triggers', `trigger-${stop.triggerId}`], ['triggers', `trigger-${take.triggerId}`]]);

  // A trigger of a market that closes is cancelled and never sells.
  await applyCommands(ds, cache, market, [place({ marketId: market, userId: holder, intent: 'BUY_YES', price: 50, qty: 10, tif: 'GTC' })]);
  await applyCommands(ds, cache, market, tradeAt(market, movers, 52));
  const late = await createTrigger(ds.manager, { userId: noHolder, marketId: market, side: 'NO', kind: 'stop', level: 40, shares: null });
  if (!late.ok) throw new Error(late.code);
  await applyCommands(ds, cache, market, [{ type: 'close', idempotencyKey: `close-${market}`, marketId: market }]);
  const [t] = await ds.query(`SELECT status, cancel_reason FROM price_triggers WHERE id = $1`, [late.triggerId]);
  expect(t).toEqual({ status: 'cancelled', cancel_reason: 'market_closed' });
});

test('a trigger whose position is gone is cancelled when reached; fewer shares clamp the sell', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds);
  const movers = { a: await userWithMoney(ds, 20_000, 'a'), b: await userWithMoney(ds, 20_000, 'b') };
  const gus = await userWithMoney(ds, 1000, 'gus');
  const buyer = await userWithMoney(ds, 1000, 'buyer');
  await applyCommands(ds, cache, market, [
    place({ marketId: market, userId: gus, intent: 'BUY_YES', price: 60, qty: 100 }),
    place({ marketId: market, userId: movers.b, intent: 'BUY_NO', price: 40, qty: 100, tif: 'IOC' }),
  ]);
  // Too small to sell when it fires (shares × worst price under the 10 ₽ minimum order): refused now.
  expect(await createTrigger(ds.manager, { userId: gus, marketId: market, side: 'YES', kind: 'stop', level: 45, shares: 20 }))
    .toMatchObject({ ok: false, code: 'notional_too_small' });
  const all = await createTrigger(ds.manager, { userId: gus, marketId: market, side: 'YES', kind: 'stop', level: 45, shares: 90 });
  if (!all.ok) throw new Error(all.code);
  // Gus sells 30 of his 100 by hand: the trigger (90) is clamped to the 70 left.
  await applyCommands(ds, cache, market, [
    place({ marketId: market, userId: buyer, intent: 'BUY_YES', price: 58, qty: 30 }),
    place({ marketId: market, userId: gus, intent: 'SELL_YES', price: 58, qty: 30, tif: 'IOC' }),
  ]);
  const moved = await applyCommands(ds, cache, market, tradeAt(market, movers, 44));
  expect(moved.watch.sells).toEqual([expect.objectContaining({ userId: gus, qty: 70 })]);
  const sold = await applyCommands(ds, cache, market, [place({ marketId: market, userId: buyer, intent: 'BUY_YES', price: 40, qty: 70 }), ...moved.watch.sells]);
  expect(sold.watch.done).toEqual([expect.objectContaining({ userId: gus, asked: 70, filled: 70, proceedsKop: 2800, code: null })]);

  // Hal sets a take-profit, then sells his whole position by hand: when the price gets there, nothing is sold.
  const hal = await userWithMoney(ds, 1000, 'hal');
  await applyCommands(ds, cache, market, [
    place({ marketId: market, userId: hal, intent: 'BUY_YES', price: 60, qty: 50 }),
    place({ marketId: market, userId: movers.b, intent: 'BUY_NO', price: 40, qty: 50, tif: 'IOC' }),
  ]);
  const b = await createTrigger(ds.manager, { userId: hal, marketId: market, side: 'YES', kind: 'take', level: 80, shares: null });
  if (!b.ok) throw new Error(b.code);
  await applyCommands(ds, cache, market, [
    place({ marketId: market, userId: buyer, intent: 'BUY_YES', price: 61, qty: 50 }),
    place({ marketId: market, userId: hal, intent: 'SELL_YES', price: 61, qty: 50, tif: 'IOC' }),
  ]);
  const up = await applyCommands(ds, cache, market, tradeAt(market, movers, 85));
  expect(up.watch.sells).toEqual([]);
  const [t] = await ds.query(`SELECT status, cancel_reason FROM price_triggers WHERE id = $1`, [b.triggerId]);
  expect(t).toEqual({ status: 'cancelled', cancel_reason: 'no_position' });
});

test('after a crash between commit and delivery, the restarted matching worker queues the stop sell and the alert once', async () => {
  const cache = new BookCache();
  const market = await openMarket(ds, 'Crash?');
  const movers = { a: await userWithMoney(ds, 20_000, 'a'), b: await userWithMoney(ds, 20_000, 'b') };
  const ida = await userWithMoney(ds, 1000, 'ida');
  await applyCommands(ds, cache, market, [
    place({ marketId: market, userId: ida, intent: 'BUY_YES', price: 60, qty: 100 }),
    place({ marketId: market, userId: movers.b, intent: 'BUY_NO', price: 40, qty: 100, tif: 'IOC' }),
  ]);
  const stop = await createTrigger(ds.manager, { userId: ida, marketId: market, side: 'YES', kind: 'stop', level: 50, shares: null });
  if (!stop.ok) throw new Error(stop.code);
  const alert = await createAlert(ds, { userId: ida, marketId: market, kind: 'below', level: 50, max: 50 });
  if (!alert.ok) throw new Error(alert.code);
  await applyCommands(ds, cache, market, [place({ marketId: market, userId: movers.a, intent: 'BUY_YES', price: 45, qty: 200 })]);
  // The batch that moves the price commits; the process dies before anything after the commit.
  const moved = await applyCommands(ds, cache, market, tradeAt(market, movers, 48));
  expect(moved.watch.sells).toHaveLength(1);
  expect(moved.watch.fires).toHaveLength(1);

  const prefix = `it-alerts-${randomBytes(4).toString('hex')}`;
  const notifier = new Notifier(REDIS_URL, `{${prefix}}`);
  const supervisor = new MatchingSupervisor({ ds, redisUrl: REDIS_URL, prefix, notifier, logger: pino({ level: 'silent' }) });
  try {
    await supervisor.start();
    await waitUntil(async () => (await ds.query(`SELECT status FROM price_triggers WHERE id = $1`, [stop.triggerId]))[0].status === 'done');
    await waitUntil(async () => (await undeliveredFires(ds.manager)).length === 0);
    const orders = await ds.query(`SELECT idempotency_key, filled, status FROM orders WHERE user_id = $1 AND intent = 'SELL_YES'`, [ida]);
    expect(orders).toEqual([{ idempotency_key: `trigger:${stop.triggerId}`, filled: 100, status: 'filled' }]);
    // Both notices were queued once: the same keys are duplicates now.
    const [fire] = moved.watch.fires;
    expect(await notifier.notify({ chatId: 1, kind: 'send', text: 'x', dedupeKey: `alert-${fire!.alertId}-${fire!.seq}` })).toBe('duplicate');
    await waitUntil(async () => (await ds.query(`SELECT notified_at FROM price_triggers WHERE id = $1`, [stop.triggerId]))[0].notified_at !== null);
    expect(await notifier.notify({ chatId: 1, kind: 'send', text: 'x', dedupeKey: `trigger-${stop.triggerId}` })).toBe('duplicate');
  } finally {
    await supervisor.close();
    await notifier.close();
    await dropKeys(`{${prefix}}`);
  }
});

/** Removes this run's Redis keys (queues, notification lanes). */
async function dropKeys(prefix: string): Promise<void> {
  const redis = createRedis(REDIS_URL);
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) if ((keys as string[]).length) await redis.del(...(keys as string[]));
  redis.disconnect();
}

async function waitUntil(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
