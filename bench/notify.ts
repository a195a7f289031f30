/**
 * Notifications throughput against Telegram's limits: 5 000 notifications to 1 000 private chats
 * and 10 groups through the local Bot API (started in-process, limits enforced: 30/s bot-wide, a
 * burst of 3 then 1/s per chat, 20/min per group), two workers sharing Redis, real Postgres.
 *
 * Mix: 4 500 private messages (4–5 per user) and 500 group messages (50 per group). A group may get
 * 20 per minute, so 50 take ≥ 147 s: that share runs alongside the private traffic and ends before
 * it, so the run is bound by the bot-wide budget, which is what the ratio measures.
 *
 * ours = delivered messages / seconds from the first notify() call to the last delivery;
 * baseline = 30 msgs/s, Telegram's bot-wide ceiling, so ratio = ours / 30 (the pacing keeps a
 * jitter margin, 28.6/s at most, so ≈ 0.95 is the best possible). earlySends = requests the server
 * saw while a retry_after of theirs was running; orderKept = every chat got its messages in order.
 * Prints ONE JSON line. Run: tsc, then `node dist/bench/notify.js`. Needs Redis and Postgres.
 */
import { randomBytes } from 'node:crypto';
import { dropDatabase, openDataSource } from '../infra/db';
import { startHarness } from '../test/helpers/notify-testkit';

const PRIVATE_CHATS = 1000;
const GROUPS = 10;
const TOTAL = 5000;
const PER_GROUP = 50;
const BASELINE = 30;

async function main(): Promise<void> {
  const server = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
  const url = `${server}/pravda_bench_notify_${randomBytes(4).toString('hex')}`;
  const ds = await openDataSource(url, { migrate: true });
  const h = await startHarness({ ds });
  try {
    await h.startWorker();
    await h.startWorker();
    const users = await h.addUsers(PRIVATE_CHATS);
    const groups = Array.from({ length: GROUPS }, () => h.addGroup());

    // Round-robin like real traffic: every round touches every chat once, groups first.
    const expected = new Map<number, string[]>();
    const plan: Array<{ chatId: number; userId?: number }> = [];
    const privateTotal = TOTAL - GROUPS * PER_GROUP;
    for (let round = 0; plan.length < TOTAL; round++) {
      if (round < PER_GROUP) for (const chatId of groups) plan.push({ chatId });
      for (let i = 0; i < users.length && round * users.length + i < privateTotal; i++) plan.push(users[i] as { chatId: number; userId: number });
    }

    const start = Date.now();
    for (const p of plan) {
      const texts = expected.get(p.chatId) ?? [];
      const text = `n${texts.length}`;
      texts.push(text);
      expected.set(p.chatId, texts);
      await h.notifier.notify({ ...p, kind: 'send', text });
    }
    while (h.okCalls('sendMessage').length < TOTAL) await new Promise((r) => setTimeout(r, 200));

    const calls = h.okCalls('sendMessage');
    const seconds = ((calls[calls.length - 1]?.at ?? start) - start) / 1000;
    const got = new Map<number, string[]>();
    for (const c of calls) got.set(c.chatId as number, [...(got.get(c.chatId as number) ?? []), String(c.params.text)]);
    const orderKept = [...expected].every(([chatId, texts]) => JSON.stringify(got.get(chatId)) === JSON.stringify(texts));
    const limits = h.server.sim.rateLimits();
    const ours = TOTAL / seconds;
    process.stdout.write(`${JSON.stringify({
      name: 'notify', ours: round2(ours), baseline: BASELINE, ratio: round2(ours / BASELINE), unit: 'msgs/s',
      earlySends: limits.earlyRetries.length, orderKept,
      delivered: calls.length, privateMsgs: privateTotal, groupMsgs: GROUPS * PER_GROUP, seconds: round2(seconds), rejections429: limits.rejections.length,
    })}\n`);
  } finally {
    await h.close();
    await ds.destroy();
    await dropDatabase(url);
  }
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
