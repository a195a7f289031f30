import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { ensureUserAccounts, post, systemAccountId } from '../../domain/ledger/ledger';
import { kop } from '../../domain/money';
import { BookCache } from '../../domain/services/book-cache';
import { lateUnnotified, markLate, pruneCommands } from '../../domain/services/command-log';
import type { PlaceOrderCommand } from '../../domain/services/commands';
import { drainMarket, drainMarkets } from '../../domain/services/matching';
import { Queues } from '../../jobs/queues';
import { lateResultMessages } from '../../messages/order-result';
import { LATE_REDELIVER_MS, MatchingSupervisor } from '../../workers/matching';
import { freshDatabase } from '../helpers/db';
import { startHarness, type Harness, type TestUser } from '../helpers/notify-testkit';
import { until } from '../helpers/private-redis';
import { openMarket } from '../helpers/world';

/**
 * Issue 13, late answers: when the bot had to say "queued" (no result in time), the user still
 * gets the result, once, durably. The bot marks the command late (commands.late_at, with the chat);
 * the drain that applies it returns it from markApplied and the supervisor tells the result through
 * the notifications pipeline (real pump, local Bot API) and marks it told. A crash between commit
 * and notice, or between notice and mark, is repeated by the sweep after LATE_REDELIVER_MS, never
 * doubled (dedupe key per command). Retention keeps a result that is still owed.
 */
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent = pino({ level: 'silent' });

let ds: DataSource;
let drop: () => Promise<void>;
let h: Harness;
let user: TestUser;
let marketId: number;

beforeAll(async () => {
  ({ ds, drop } = await freshDatabase('late'));
  h = await startHarness({ ds, serverLimits: { perChatPerSec: 50 }, workerLimits: { perChatPerSec: 20 } });
  await h.startWorker();
  user = await h.addUser({ language: 'ru' });
  const acc = await ensureUserAccounts(ds.manager, user.userId);
  const from = await systemAccountId(ds.manager, 'external:telegram:deposits');
  await ds.transaction((m) => post(m, [{ from, to: acc.available, amount: kop(500_000), kind: 'deposit', refType: 'test' }]));
  marketId = await openMarket(ds, 'Late answers?');
});
afterAll(async () => {
  await h.close(); // closes the pump too
  await drop();
});

function order(key: string): PlaceOrderCommand {
  return { type: 'place', idempotencyKey: key, marketId, userId: user.userId, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 30, qty: 100 };
}

/** The bot's messages in the user's chat that tell a late result. */
function lateNotices(): string[] {
  return h.server.sim.messages(user.chatId).filter((m) => m.text?.includes('Задержанная заявка')).map((m) => m.text!);
}

async function notifiedAt(key: string): Promise<Date | null> {
  const [row] = await ds.query(`SELECT late_notified_at FROM commands WHERE idempotency_key = $1`, [key]);
  return row.late_notified_at as Date | null;
}

test('queued, then the result is told once in the chat; a command applied before it was marked late returns its result instead', async () => {
  const prefix = `late-${randomBytes(4).toString('hex')}`;
  const queues = new Queues(ds, REDIS, prefix);
  // No workers yet: the submit times out as the bot's would.
  const queued = await queues.submit(order('late-1'), 300);
  expect(queued).toEqual({ ok: false, code: 'order_queued', vars: undefined });
  expect(await queues.markLate('late-1', user.chatId)).toBeNull();
  const supervisor = new MatchingSupervisor({ ds, redisUrl: REDIS, prefix, notifier: h.notifier, logger: silent });
  await supervisor.start();
  try {
    await until(async () => lateNotices().length === 1, 'the late result is told', 15_000);
    const [text] = lateNotices();
    expect(text).toContain('«Late answers?»');
    expect(text).toContain('100'); // the resting shares
    await until(async () => (await notifiedAt('late-1')) !== null, 'the notice is marked told', 5_000);

    // Applied before the bot marks it: markLate hands back the result, nobody else will tell it.
    const applied = await queues.submit(order('late-2'), 15_000);
    expect(applied).toMatchObject({ ok: true });
    expect(await queues.markLate('late-2', user.chatId)).toEqual(applied);
    const [row] = await ds.query(`SELECT late_at FROM commands WHERE idempotency_key = 'late-2'`);
    expect(row.late_at).toBeNull();
    // Two sweeps later, still one notice.
    await new Promise((r) => setTimeout(r, 4_500));
    expect(lateNotices()).toHaveLength(1);
  } finally {
    await queues.close();
    await supervisor.close();
  }
});

test('a crash after commit (no notice) and a crash after the notice (not marked) are both told exactly once by the sweep', async () => {
  const prefix = `late-c-${randomBytes(4).toString('hex')}`;
  const queues = new Queues(ds, REDIS, prefix);
  const before = lateNotices().length;
  try {
    await queues.enqueue(order('late-crash-1'));
    await queues.enqueue(order('late-crash-2'));
    expect(await markLate(ds, 'late-crash-1', user.chatId)).toBeNull();
    expect(await markLate(ds, 'late-crash-2', user.chatId)).toBeNull();
    // What a workers process killed right after its commit leaves: both applied, late, untold.
    const out = await drainMarket(ds, new BookCache(), marketId, { max: 500 });
    expect(out?.late.map((l) => l.replyChatId)).toEqual([user.chatId, user.chatId]);
    expect(await lateUnnotified(ds, 0, 10)).toHaveLength(2);
    // And one killed after it handed the second notice to the pipeline but before marking it told.
    const second = (await lateUnnotified(ds, 0, 10)).filter((l) => out!.late[1]!.seq === l.seq);
    for (const job of await lateResultMessages(ds.manager, second)) await h.notifier.notify(job);
    await until(async () => lateNotices().length === before + 1, 'the second notice is delivered', 10_000);

    const supervisor = new MatchingSupervisor({ ds, redisUrl: REDIS, prefix, notifier: h.notifier, logger: silent });
    await supervisor.start();
    try {
      await until(async () => (await notifiedAt('late-crash-1')) !== null && (await notifiedAt('late-crash-2')) !== null,
        'the sweep redelivers both', LATE_REDELIVER_MS + 10_000);
      await until(async () => lateNotices().length >= before + 2, 'the first notice is delivered', 10_000);
      await new Promise((r) => setTimeout(r, 1_500));
      // One per command: the first sent by the sweep, the second's repeat dropped by its dedupe key.
      expect(lateNotices()).toHaveLength(before + 2);
    } finally {
      await supervisor.close();
    }
  } finally {
    await queues.close();
  }
}, 60_000);

test('retention keeps an applied late command whose result is not told yet, deletes it once told', async () => {
  await ds.query(
    `INSERT INTO commands (market_id, idempotency_key, payload, applied_at, result, late_at, reply_chat_id, late_notified_at) VALUES
       ($1, 'owed', '{}', now() - interval '3 days', '{"ok":true}', now() - interval '3 days', $2, NULL),
       ($1, 'told', '{}', now() - interval '3 days', '{"ok":true}', now() - interval '3 days', $2, now() - interval '3 days')`,
    [marketId, user.chatId]);
  await pruneCommands(ds, new Date(Date.now() - 86_400_000), 1_000);
  const left: { k: string }[] = await ds.query(`SELECT idempotency_key AS k FROM commands WHERE idempotency_key IN ('owed', 'told')`);
  expect(left).toEqual([{ k: 'owed' }]);
  await ds.query(`UPDATE commands SET late_notified_at = now() - interval '2 days' WHERE idempotency_key = 'owed'`);
  await pruneCommands(ds, new Date(Date.now() - 86_400_000), 1_000);
  expect(await ds.query(`SELECT 1 FROM commands WHERE idempotency_key = 'owed'`)).toEqual([]);
});

test('one drain transaction of several markets returns each market its own late commands', async () => {
  const other = await openMarket(ds, 'Late answers, too?');
  const prefix = `late-${randomBytes(4).toString('hex')}`;
  const queues = new Queues(ds, REDIS, prefix);
  try {
    // No workers: both time out as the bot's would, and both are marked late.
    expect(await queues.submit(order('late-group-1'), 200)).toMatchObject({ code: 'order_queued' });
    expect(await queues.submit({ ...order('late-group-2'), marketId: other }, 200)).toMatchObject({ code: 'order_queued' });
    expect(await queues.markLate('late-group-1', user.chatId)).toBeNull();
    expect(await queues.markLate('late-group-2', user.chatId)).toBeNull();
    const outs = await drainMarkets(ds, new BookCache(), marketId, { max: 500, maxMarkets: 64, alongBelow: 50, claim: (c, most) => c.slice(0, most) });
    const byMarket = new Map(outs.map((o) => [o.marketId, o]));
    expect([...byMarket.keys()].sort()).toEqual([marketId, other].sort());
    for (const [id, key] of [[marketId, 'late-group-1'], [other, 'late-group-2']] as const) {
      const o = byMarket.get(id)!;
      const mine = o.cmds.find((p) => p.cmd.idempotencyKey === key)!;
      expect(o.late).toEqual([{ seq: mine.seq, replyChatId: user.chatId }]);
    }
  } finally {
    await queues.close();
  }
});
