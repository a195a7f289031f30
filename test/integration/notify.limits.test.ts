/**
 * Telegram's limits, checked from the local Bot API's call log (which also enforces them and
 * answers 429 with retry_after). Two workers play two worker processes: they share nothing but Redis.
 */
import type { ApiCallRecord } from '../../tools/botapi/sim-types';
import { startHarness, type Harness } from '../helpers/notify-testkit';
import { freshDatabase } from '../helpers/db';

let db: Awaited<ReturnType<typeof freshDatabase>>;

beforeAll(async () => {
  db = await freshDatabase('notifylim');
});

afterAll(async () => {
  await db?.drop();
});

async function waitFor(what: string, cond: () => boolean, timeoutMs = 45_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The most calls that arrived within any `windowMs` (sliding, as Telegram counts). */
function maxInWindow(calls: ApiCallRecord[], windowMs: number): number {
  const at = calls.map((c) => c.at).sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while ((at[i] as number) - (at[j] as number) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** Smallest gap between consecutive calls (ms). */
function minGap(calls: ApiCallRecord[]): number {
  const at = calls.map((c) => c.at).sort((a, b) => a - b);
  return Math.min(...at.slice(1).map((t, i) => t - (at[i] as number)));
}

const byChat = (calls: ApiCallRecord[], chatId: number): ApiCallRecord[] => calls.filter((c) => c.chatId === chatId);
const textOf = (c: ApiCallRecord): string => String(c.params.text);

describe("Telegram's limits with two worker processes", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ ds: db.ds });
    await h.startWorker();
    await h.startWorker();
  });

  afterAll(async () => {
    await h?.close();
  });

  test('≤ 30/s overall, ≤ 1/s per chat, ≤ 20/min per group, order kept', async () => {
    const users = await h.addUsers(40);
    const groups = [h.addGroup(), h.addGroup()];
    const perUser = 5;
    const perGroup = 6;
    const jobs: Array<Promise<unknown>> = [];
    for (let i = 0; i < perUser; i++) {
      for (const u of users) jobs.push(h.notifier.notify({ chatId: u.chatId, userId: u.userId, kind: 'send', text: `u${i}` }));
      if (i === 0) for (let g = 0; g < perGroup; g++) for (const chatId of groups) jobs.push(h.notifier.notify({ chatId, kind: 'send', text: `u${g}` }));
    }
    await Promise.all(jobs);
    const total = users.length * perUser + groups.length * perGroup;
    await waitFor(`${total} messages`, () => h.okCalls('sendMessage').length === total);

    const calls = h.okCalls('sendMessage');
    expect(h.server.sim.rateLimits().rejections).toEqual([]);
    expect(maxInWindow(calls, 1000)).toBeLessThanOrEqual(30);
    for (const u of users) {
      const mine = byChat(calls, u.chatId);
      expect(mine.map(textOf)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
      expect(minGap(mine)).toBeGreaterThanOrEqual(1000);
    }
    for (const g of groups) {
      const mine = byChat(calls, g);
      expect(mine.map(textOf)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5']);
      // One every ≥ 3 s can never put 21 into a minute.
      expect(minGap(mine)).toBeGreaterThanOrEqual(3000);
    }
  });

  test('after a 429 nothing is sent to that chat before retry_after expired', async () => {
    const [u] = await h.addUsers(1);
    const { chatId, userId } = u as { chatId: number; userId: number };
    // Direct replies outside the pipeline spend the chat's budget (the simulator allows a burst of 3).
    for (const text of ['r1', 'r2', 'r3']) await h.telegram.sendMessage(chatId, text);
    for (const text of ['n1', 'n2', 'n3']) await h.notifier.notify({ chatId, userId, kind: 'send', text });
    await waitFor('the notifications', () => byChat(h.okCalls('sendMessage'), chatId).length === 6);

    const report = h.server.sim.rateLimits();
    const mine = report.rejections.filter((r) => r.chatId === chatId);
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(report.earlyRetries).toEqual([]);
    const calls = h.server.sim.apiCalls().filter((c) => c.chatId === chatId);
    for (const r of mine) expect(calls.filter((c) => c.at > r.at && c.at < r.until)).toEqual([]);
    expect(byChat(h.okCalls('sendMessage'), chatId).map(textOf)).toEqual(['r1', 'r2', 'r3', 'n1', 'n2', 'n3']);
  });
});

test('global 429s are waited out: a server stricter than the worker gets no early retry', async () => {
  // The server allows 5/s bot-wide while the worker believes 30/s: the worker must learn from 429s.
  const h = await startHarness({ ds: db.ds, serverLimits: { globalPerSec: 5 } });
  try {
    await h.startWorker();
    await h.startWorker();
    const users = await h.addUsers(30);
    await Promise.all(users.map((u) => h.notifier.notify({ chatId: u.chatId, userId: u.userId, kind: 'send', text: 'hi' })));
    await waitFor('30 messages', () => h.okCalls('sendMessage').length === 30);
    const report = h.server.sim.rateLimits();
    expect(report.rejections.length).toBeGreaterThan(0);
    expect(report.earlyRetries).toEqual([]);
  } finally {
    await h.close();
  }
});
