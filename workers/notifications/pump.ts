/**
 * The processor of a pump job: deliver the head of one chat's lane within the budgets, then hand
 * over to the next generation. Outcomes per head:
 * - the user's switches (issue 11, domain/services/notification-rules.ts `decide`): a topic switched
 *   off → dropped; quiet hours (a topic message) or a batched user (a message with a summary line)
 *   → its line filed (as HTML) for the next summary, next head in the same job; a silent topic →
 *   sent with `disable_notification`;
 * - sent, or 400 "message is not modified" → done;
 * - 429 → the job waits out retry_after in the delayed set (no attempt spent), head stays;
 * - 403 → user marked blocked, the chat's pending messages dropped;
 * - other 400 → head dropped, job fails with UnrecoverableError (no retry);
 * - network / 5xx → BullMQ retries the job (same head) with backoff; the last attempt drops it.
 */
import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Telegram } from 'telegraf';
import { decide, type Decision } from '../../domain/services/notification-rules';
import { escapeHtml } from '../../infra/i18n';
import { telegramMetrics } from '../../infra/metrics';
import { withRequestId } from '../../infra/request-context';
import { classify, deliver, type Failure } from './delivery';
import type { LaneStore } from './lanes';
import type { Pacer } from './pacer';
import { addPump, type PumpData } from './pumpJobs';
import { notificationJobSchema, type NotificationJob } from './types';
import type { Recipient, Recipients } from './users';

/** Everything a pump needs. */
export interface PumpContext {
  lanes: LaneStore;
  pacer: Pacer;
  recipients: Recipients;
  telegram: Telegram;
  queue: Queue;
  log: Logger;
  /** Abort a Bot API request after this long (ms). */
  sendTimeoutMs: number;
}

/** One head being delivered. */
interface Head {
  job: Job<PumpData>;
  token: string;
  id: string;
  msg: NotificationJob;
  user: Recipient | null;
}

/** Process pump job `job` (locked with `token`). @throws DelayedError / RateLimitError / UnrecoverableError, see above. */
export async function runPump(ctx: PumpContext, job: Job<PumpData>, token: string): Promise<void> {
  const { chatId, gen } = job.data;
  for (;;) {
    const claim = await ctx.lanes.claim(chatId, gen);
    if (claim.state !== 'item') return;
    const parsed = notificationJobSchema.safeParse(parseJson(claim.payload));
    if (!parsed.success) {
      // Only our producer writes lanes, so this is a bug or a version mismatch: skip, never block the chat.
      ctx.log.error({ chatId, issues: parsed.error.issues }, 'dropping malformed notification');
      if ((await ctx.lanes.advance(chatId, gen, claim.id, { handoff: false })).state !== 'more') return;
      continue;
    }
    const msg = parsed.data;
    const user = chatId > 0 ? await ctx.recipients.find(chatId, msg.userId) : null;
    if (user?.blocked) {
      await dropChat(ctx, chatId, gen, user.id, 'user has blocked the bot');
      return;
    }
    const line = summaryLine(msg);
    const decision: Decision = user
      ? decide(user.prefs, user.notifyMode, { topic: msg.topic, summarizable: line !== undefined }, new Date())
      : { action: 'send', silent: false };
    // `decide` holds only for a known user and a message with a line; dropped messages file nothing.
    if (decision.action !== 'send') {
      const digest = decision.action === 'hold' && user && line !== undefined ? { userId: user.id, line, loud: !decision.silent } : undefined;
      const next = await ctx.lanes.advance(chatId, gen, claim.id, { handoff: false, digest });
      if (next.state !== 'more') return;
      continue;
    }
    const out = decision.silent ? { ...msg, silent: true } : msg;
    return withRequestId(msg.reqId, () => sendHead(ctx, { job, token, id: claim.id, msg: out, user }));
  }
}

/**
 * The line a held message leaves in the summary (HTML): its digestLine, else, for a message with a
 * topic, its text or caption; undefined when it cannot be summed up (it is then sent).
 */
function summaryLine(msg: NotificationJob): string | undefined {
  const raw = msg.digestLine ?? (msg.topic !== undefined && (msg.kind === 'send' || msg.kind === 'photo') ? msg.text : undefined);
  if (raw === undefined) return undefined;
  return msg.parseMode === 'HTML' ? raw : escapeHtml(raw);
}

async function sendHead(ctx: PumpContext, head: Head): Promise<void> {
  const slot = await ctx.pacer.acquire(head.msg.chatId);
  if (!slot.reserved) return delay(head, slot.retryInMs);
  if (slot.sleepMs > 0) {
    await sleep(slot.sleepMs);
    const holdMs = await ctx.pacer.hold(head.msg.chatId);
    if (holdMs > 0) return delay(head, holdMs);
  }
  try {
    await deliver(ctx.telegram, head.msg, ctx.sendTimeoutMs);
  } catch (err) {
    const failure = classify(err);
    telegramMetrics.notifications.inc({ outcome: failure.kind });
    return onFailure(ctx, head, failure, err);
  }
  telegramMetrics.notifications.inc({ outcome: 'sent' });
  await finish(ctx, head);
}

async function onFailure(ctx: PumpContext, head: Head, failure: Failure, err: unknown): Promise<void> {
  const { chatId } = head.msg;
  const { gen } = head.job.data;
  switch (failure.kind) {
    case 'not_modified':
      return finish(ctx, head);
    case 'rate_limited': {
      // Telegram does not say which limit was hit. Our pacing keeps every private chat under its own
      // budget, so a 429 there means the bot-wide budget is spent (e.g. by direct replies outside
      // this pipeline): pause everyone. A group's 20/min is also spent by the bot's replies in that
      // group, so a group 429 pauses only that group.
      const global = chatId > 0;
      const waitMs = await ctx.pacer.penalize(chatId, failure.retryAfterSec, global);
      ctx.log.warn({ chatId, retryAfterSec: failure.retryAfterSec, global }, 'telegram flood wait');
      if (!global) return delay(head, waitMs);
      // Stop every worker of the queue from fetching until the wait is over; this job goes back to wait.
      await ctx.queue.rateLimit(waitMs);
      throw Worker.RateLimitError();
    }
    case 'forbidden':
      if (chatId > 0) await ctx.recipients.markBlocked(chatId, head.user?.id ?? head.msg.userId);
      return dropChat(ctx, chatId, gen, head.user?.id ?? head.msg.userId, failure.description);
    case 'rejected':
      await finish(ctx, head);
      throw new UnrecoverableError(failure.description);
    case 'transient':
      // attemptsMade counts earlier failures; on the last attempt give the head up so the chat moves on.
      if (head.job.attemptsMade + 1 >= (head.job.opts.attempts ?? 1)) await finish(ctx, head);
      throw err instanceof Error ? err : new Error(failure.description);
  }
}

/** The head is done: remove it and start the next generation when more is pending. */
async function finish(ctx: PumpContext, head: Head): Promise<void> {
  const { chatId, gen } = head.job.data;
  const next = await ctx.lanes.advance(chatId, gen, head.id, { handoff: true });
  if (next.state === 'more') await addPump(ctx.queue, chatId, next.gen, next.delayMs);
}

async function dropChat(ctx: PumpContext, chatId: number, gen: number, userId: number | undefined, reason: string): Promise<void> {
  const dropped = await ctx.lanes.drop(chatId, gen, userId);
  ctx.log.info({ chatId, userId, dropped, reason }, 'chat unreachable, pending notifications dropped');
}

/** Put the job back into the delayed set for `ms` (BullMQ's documented step-job pattern); no attempt is spent. */
async function delay(head: Head, ms: number): Promise<never> {
  await head.job.moveToDelayed(Date.now() + Math.max(1, ms), head.token);
  throw new DelayedError();
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
