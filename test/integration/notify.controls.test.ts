/**
 * issue 11: the user's notification controls in the pipeline — real Redis (fresh prefix), real
 * Postgres (fresh database), the local Bot API server. Jobs are the real fill and payout notices
 * (messages/notices.ts), so this also checks they carry their topics.
 */
import { Queue } from 'bullmq';
import { DateTime } from 'luxon';
import type { Notice } from '../../domain/services/market-batch';
import { kop } from '../../domain/money';
import { noticeMessages, payoutMessages } from '../../messages/notices';
import { NOTIFICATIONS_QUEUE } from '../../workers/notifications';
import { startHarness, type Harness, type TestUser } from '../helpers/notify-testkit';
import { freshDatabase } from '../helpers/db';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let h: Harness;
let queue: Queue;

beforeAll(async () => {
  db = await freshDatabase('notifyctl');
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

const botMessages = (chatId: number) => h.server.sim.messages(chatId).filter((m) => m.fromBot);
const botTexts = (chatId: number): string[] => botMessages(chatId).map((m) => m.text ?? '');

let orderId = 0;
/** The real notice of a fill of user `u`'s resting order (one job). */
async function fillJob(u: TestUser, shares: number) {
  const n: Notice = { userId: u.userId, marketId: 1, orderId: ++orderId, kind: 'fill', intent: 'BUY_YES', shares, price: 40, amountKop: kop(40 * shares) };
  const [job] = await noticeMessages(db.ds.manager, [n]);
  if (!job) throw new Error('no fill notice');
  return job;
}

async function setPrefs(u: TestUser, p: { off?: string[]; silent?: string[]; quiet?: [number, number] | null }): Promise<void> {
  await db.ds.query(`UPDATE users SET notify_off = $2, notify_silent = $3, quiet_from = $4, quiet_to = $5 WHERE id = $1`,
    [u.userId, p.off ?? [], p.silent ?? [], p.quiet?.[0] ?? null, p.quiet?.[1] ?? null]);
}

/** A service message (no topic) as a marker: once it arrived, everything queued before it was decided. */
async function marker(u: TestUser, text: string): Promise<void> {
  await h.notifier.notify({ chatId: u.chatId, userId: u.userId, kind: 'send', text });
  await waitFor(text, () => botTexts(u.chatId).includes(text));
}

test('notices carry their topics: a fill is "fills", a payout "outcomes"', async () => {
  const u = await h.addUser();
  expect((await fillJob(u, 3)).topic).toBe('fills');
  const [payout] = await payoutMessages(db.ds.manager, 1, [{ userId: u.userId, outcome: 'YES', shares: 3, payoutKop: kop(300) }]);
  expect(payout?.topic).toBe('outcomes');
});

test('a fill that earned a maker rebate says so, summed over the fills of the order in one batch; none said when it rounds to 0', async () => {
  const u = await h.addUser();
  const id = ++orderId;
  const part = (shares: number, rebate: number): Notice => ({
    userId: u.userId, marketId: 1, orderId: id, kind: 'fill', intent: 'BUY_YES', shares, price: 65, amountKop: kop(65 * shares), rebateKop: kop(rebate),
  });
  const [job] = await noticeMessages(db.ds.manager, [part(400, 2), part(368, 2)]);
  expect(job?.text).toMatch(/768 .* 65%, (сумма|amount) 499,20\u00a0₽, (ребейт мейкера|maker rebate) 0,04\u00a0₽\.$/);
  const [small] = await noticeMessages(db.ds.manager, [{ ...part(10, 0), orderId: ++orderId }]);
  expect(small?.text).toMatch(/(сумма|amount) 6,50\u00a0₽\.$/);
});

test("a fill notice is not sent when 'fills' is off; the same notice is sent when it is on", async () => {
  const u = await h.addUser();
  await setPrefs(u, { off: ['fills'] });
  const off = await fillJob(u, 5);
  await h.notifier.notify(off);
  await marker(u, 'after the switched-off fill');
  expect(botTexts(u.chatId)).toEqual(['after the switched-off fill']);

  await setPrefs(u, {});
  const on = await fillJob(u, 6);
  await h.notifier.notify(on);
  await waitFor('the fill', () => botTexts(u.chatId).length === 2);
  expect(botTexts(u.chatId)[1]).toBe(on.text);
  expect(botMessages(u.chatId)[1]?.silent).toBeUndefined();
});

test("a fill notice is sent with disable_notification when 'fills' is silent; other messages still sound", async () => {
  const u = await h.addUser();
  await setPrefs(u, { silent: ['fills'] });
  const job = await fillJob(u, 7);
  await h.notifier.notify(job);
  await marker(u, 'a service message');
  const [fill, service] = botMessages(u.chatId);
  expect(fill?.text).toBe(job.text);
  expect(fill?.silent).toBe(true);
  expect(service?.silent).toBeUndefined();
  const call = h.okCalls('sendMessage').find((c) => c.chatId === u.chatId && c.params.text === job.text);
  expect(call?.params.disable_notification).toBe(true);
});

describe('quiet hours', () => {
  // Quiet from the current Moscow hour for two hours: the messages below are pumped inside them
  // whatever minute the test starts at; the tick at their end hour is planned explicitly.
  const now = DateTime.now().setZone('Europe/Moscow');
  const quiet: [number, number] = [now.hour, (now.hour + 2) % 24];
  const insideMs = now.startOf('hour').plus({ minutes: 59 }).toMillis();
  const endMs = now.startOf('hour').plus({ hours: 2 }).toMillis();

  test('hold topic messages, send service messages, then deliver ONE summary when they end', async () => {
    const u = await h.addUser({ language: 'en' });
    await setPrefs(u, { quiet });
    const a = await fillJob(u, 1);
    const b = await fillJob(u, 2);
    await h.notifier.notify(a);
    await h.notifier.notify(b);
    await marker(u, 'withdrawal approved');
    expect(botTexts(u.chatId)).toEqual(['withdrawal approved']);

    await queue.add('digest', {}, { prevMillis: insideMs });
    await new Promise((r) => setTimeout(r, 700));
    expect(botTexts(u.chatId)).toHaveLength(1);

    await queue.add('digest', {}, { prevMillis: endMs });
    await waitFor('the summary', () => botTexts(u.chatId).length === 2);
    expect(botTexts(u.chatId)[1]).toBe(`digest:en\n${a.text}\n${b.text}`);
    expect(botMessages(u.chatId)[1]?.silent).toBeUndefined();
    await queue.add('digest', {}, { prevMillis: endMs + 3_600_000 });
    await new Promise((r) => setTimeout(r, 700));
    expect(botTexts(u.chatId)).toHaveLength(2);
  });

  test('a summary of silent topics only is itself silent; a switched-off topic is not held at all', async () => {
    const u = await h.addUser();
    await setPrefs(u, { quiet, silent: ['fills'], off: ['outcomes'] });
    const a = await fillJob(u, 3);
    await h.notifier.notify(a);
    const [payout] = await payoutMessages(db.ds.manager, 1, [{ userId: u.userId, outcome: 'NO', shares: 3, payoutKop: kop(300) }]);
    await h.notifier.notify(payout!);
    await marker(u, 'marker');
    await queue.add('digest', {}, { prevMillis: endMs });
    await waitFor('the summary', () => botTexts(u.chatId).length === 2);
    expect(botTexts(u.chatId)[1]).toBe(`digest:ru\n${a.text}`);
    expect(botMessages(u.chatId)[1]?.silent).toBe(true);
  });
});
