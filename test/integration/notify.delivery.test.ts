/**
 * The notifications pipeline end to end: real Redis (fresh prefix), real Postgres (fresh database),
 * the local Bot API server. Per-chat budgets are scaled up here (20/s) so ordering tests of 100
 * messages stay short; notify.limits.test.ts checks the real limits.
 */
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { User } from '../../domain/entities';
import { NOTIFICATIONS_QUEUE } from '../../workers/notifications';
import { NotifyKeys } from '../../workers/notifications/keys';
import { moscowHour } from '../../workers/notifications/digest';
import { TICK_SCHEDULER } from '../../workers/notifications/tick';
import { startHarness, type Harness } from '../helpers/notify-testkit';
import { freshDatabase } from '../helpers/db';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let h: Harness;
let queue: Queue;

beforeAll(async () => {
  db = await freshDatabase('notify');
  h = await startHarness({ ds: db.ds, serverLimits: { perChatPerSec: 50 }, workerLimits: { perChatPerSec: 20 } });
  await h.startWorker();
  queue = new Queue(NOTIFICATIONS_QUEUE, { connection: h.redis, prefix: h.prefix });
});

afterAll(async () => {
  await queue?.close();
  await h?.close();
  await db?.drop();
});

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const botTexts = (chatId: number): string[] =>
  h.server.sim.messages(chatId).filter((m) => m.fromBot).map((m) => m.text ?? m.caption ?? '');

/** Jobs that failed for good, by chat. */
async function failedFor(chatId: number): Promise<Array<{ reason: string; attempts: number }>> {
  return (await queue.getFailed()).filter((j) => j.data.chatId === chatId).map((j) => ({ reason: j.failedReason, attempts: j.attemptsMade }));
}

test('keeps per-chat order: 100 messages to one chat arrive in order', async () => {
  const { chatId, userId } = await h.addUser();
  const texts = Array.from({ length: 100 }, (_, i) => `m${i}`);
  // Not awaited one by one: call order alone must fix delivery order.
  await Promise.all(texts.map((text) => h.notifier.notify({ chatId, userId, kind: 'send', text })));
  await waitFor('100 messages', () => botTexts(chatId).length === 100);
  expect(botTexts(chatId)).toEqual(texts);
});

test('dedupeKey: the same event is sent once', async () => {
  const { chatId, userId } = await h.addUser();
  const job = { chatId, userId, kind: 'send' as const, text: 'paid', dedupeKey: `settled-42-${userId}` };
  expect(await h.notifier.notify(job)).toBe('queued');
  expect(await h.notifier.notify(job)).toBe('duplicate');
  await h.notifier.notify({ chatId, userId, kind: 'send', text: 'after' });
  await waitFor('the next message', () => botTexts(chatId).includes('after'));
  expect(await h.notifier.notify(job)).toBe('duplicate');
  expect(botTexts(chatId)).toEqual(['paid', 'after']);
});

test('edits with the same coalesceKey collapse to the latest state', async () => {
  const group = h.addGroup();
  const card = await h.telegram.sendMessage(group, 'v0');
  const outcomes = [];
  for (let i = 1; i <= 10; i++) {
    outcomes.push(await h.notifier.notify({ chatId: group, kind: 'edit_text', messageId: card.message_id, text: `v${i}`, coalesceKey: `card-${card.message_id}` }));
  }
  await waitFor('the latest edit', () => botTexts(group)[0] === 'v10');
  await new Promise((r) => setTimeout(r, 500));
  const edits = h.okCalls('editMessageText').filter((c) => c.chatId === group);
  // The first edit may already be in flight when the others arrive; everything after it collapses.
  expect(edits.length).toBeLessThanOrEqual(2);
  expect(outcomes.filter((o) => o === 'coalesced').length).toBeGreaterThanOrEqual(8);
});

test('"message is not modified" counts as success and the lane moves on', async () => {
  const { chatId, userId } = await h.addUser();
  const sent = await h.telegram.sendMessage(chatId, 'same');
  await h.notifier.notify({ chatId, userId, kind: 'edit_text', messageId: sent.message_id, text: 'same' });
  await h.notifier.notify({ chatId, userId, kind: 'send', text: 'next' });
  await waitFor('the next message', () => botTexts(chatId).includes('next'));
  expect(await failedFor(chatId)).toEqual([]);
});

test('a 400 is not retried and does not hold up the chat', async () => {
  const { chatId, userId } = await h.addUser();
  await h.notifier.notify({ chatId, userId, kind: 'edit_text', messageId: 999_999, text: 'x' });
  await h.notifier.notify({ chatId, userId, kind: 'send', text: 'still delivered' });
  await waitFor('the next message', () => botTexts(chatId).includes('still delivered'));
  await waitFor('the failed job', async () => (await failedFor(chatId)).length === 1);
  expect(await failedFor(chatId)).toEqual([{ reason: expect.stringContaining('message to edit not found'), attempts: 1 }]);
  expect(h.server.sim.apiCalls({ method: 'editMessageText' }).filter((c) => c.chatId === chatId)).toHaveLength(1);
});

test('photos upload from base64, captions and keyboards are edited', async () => {
  const { chatId, userId } = await h.addUser();
  const png = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#3366ff' } }).png().toBuffer();
  const keyboard = { inline_keyboard: [[{ text: 'YES', callback_data: 'y' }]] };
  await h.notifier.notify({ chatId, userId, kind: 'photo', photo: { base64Png: png.toString('base64') }, text: 'chart', replyMarkup: keyboard });
  await waitFor('the photo', () => botTexts(chatId).includes('chart'));
  const photo = h.server.sim.lastBotMessage(chatId);
  const messageId = photo?.messageId as number;
  await h.notifier.notify({ chatId, userId, kind: 'edit_caption', messageId, text: 'chart, resolved', replyMarkup: keyboard });
  await h.notifier.notify({ chatId, userId, kind: 'edit_markup', messageId });
  await waitFor('both edits', () => {
    const m = h.server.sim.lastBotMessage(chatId);
    return m?.caption === 'chart, resolved' && m.replyMarkup === undefined;
  });
  expect(photo?.photoFileId).toBeTruthy();
});

test('403 blocked: marks the user blocked and drops their messages', async () => {
  const { chatId, userId } = await h.addUser();
  h.server.sim.blockBot({ userId: chatId });
  for (const text of ['a', 'b', 'c']) await h.notifier.notify({ chatId, userId, kind: 'send', text });
  const repo = db.ds.getRepository(User);
  await waitFor('blocked_at', async () => (await repo.findOneByOrFail({ id: userId })).blockedAt !== null);
  await h.notifier.notify({ chatId, userId, kind: 'send', text: 'later' });
  await new Promise((r) => setTimeout(r, 1000));
  const calls = h.server.sim.apiCalls({ method: 'sendMessage' }).filter((c) => c.chatId === chatId);
  expect(calls.map((c) => [c.ok, c.errorCode])).toEqual([[false, 403]]);
  expect(await h.redis.exists(`${h.prefix}:notify:lane:${chatId}`)).toBe(0);
});

test('the hourly tick restarts a lane whose pump died with its process', async () => {
  const { chatId, userId } = await h.addUser();
  // What a crash between two pump steps leaves once the pump lease ran out: items, but no pump.
  const keys = new NotifyKeys(h.prefix);
  await h.redis.multi()
    .hset(keys.items(chatId), '1', JSON.stringify({ chatId, userId, kind: 'send', text: 'orphan' }))
    .rpush(keys.lane(chatId), '1')
    .sadd(keys.chats(), chatId)
    .exec();
  await queue.add('digest', {});
  await waitFor('the orphaned message', () => botTexts(chatId).includes('orphan'));
  // The pump releases the lane after Telegram answered the send, a moment after the message shows.
  await waitFor('the lane released', async () => (await h.redis.sismember(keys.chats(), chatId)) === 0, 5_000);
  expect(await h.redis.sismember(keys.chats(), chatId)).toBe(0);
});

describe('batched users', () => {
  const at = (hourMsk: number): number => Date.UTC(2025, 0, 15, hourMsk - 3, 0, 0);

  test('the hourly tick is scheduled', async () => {
    const s = await queue.getJobScheduler(TICK_SCHEDULER);
    expect(s).toMatchObject({ pattern: '0 * * * *', tz: 'Europe/Moscow' });
    expect(moscowHour(new Date(at(9)))).toBe(9);
  });

  test('get one summary: hourly users every hour, daily users at 09:00 Moscow', async () => {
    const hourly = await h.addUser({ notifyMode: 'hourly', language: 'en' });
    const daily = await h.addUser({ notifyMode: 'daily' });
    for (const u of [hourly, daily]) {
      await h.notifier.notify({ chatId: u.chatId, userId: u.userId, kind: 'send', text: 'fill 1', digestLine: 'line 1' });
      // Plain lines are escaped for the HTML summary; HTML lines keep their markup.
      await h.notifier.notify({ chatId: u.chatId, userId: u.userId, kind: 'send', text: 'fill 2', digestLine: 'A < B & C' });
      await h.notifier.notify({ chatId: u.chatId, userId: u.userId, kind: 'send', text: 'fill 3', parseMode: 'HTML', digestLine: '<i>line 3</i>' });
      // No digestLine: always sent at once.
      await h.notifier.notify({ chatId: u.chatId, userId: u.userId, kind: 'send', text: 'resolved now' });
    }
    await waitFor('instant messages', () => botTexts(hourly.chatId).length === 1 && botTexts(daily.chatId).length === 1);
    expect(botTexts(hourly.chatId)).toEqual(['resolved now']);

    await queue.add('digest', {}, { prevMillis: at(10) });
    await waitFor('the hourly summary', () => botTexts(hourly.chatId).length === 2);
    expect(botTexts(hourly.chatId)[1]).toBe('digest:en\nline 1\nA < B & C\nline 3');
    await new Promise((r) => setTimeout(r, 500));
    expect(botTexts(daily.chatId)).toHaveLength(1);

    await queue.add('digest', {}, { prevMillis: at(9) });
    await waitFor('the daily summary', () => botTexts(daily.chatId).length === 2);
    expect(botTexts(daily.chatId)[1]).toBe('digest:ru\nline 1\nA < B & C\nline 3');
    expect(botTexts(hourly.chatId)).toHaveLength(2);
  });
});
