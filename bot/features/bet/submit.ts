/**
 * The one way a bet reaches the matching worker, from every path (the order scene's Confirm, the
 * quick bet on group and inline cards).
 *
 * One idempotency-key scheme (STYLE §4, DESIGN §3 inv. 6): the bet's id is born at the tap that
 * shows the user the bet (the scene's preview, the quick bet's first tap), is saved with it
 * (scene session / Redis offer) and is carried by the confirming tap. The order's key is
 * `bet:<betId>`. Two confirming taps carry the same id: the first claims it in Redis and submits,
 * the second is told "already placed"; and should a submission repeat anyway, the orders table's
 * unique key makes the worker apply it once.
 */
import { randomBytes } from 'node:crypto';
import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import type { CommandResult, MatchingCommand, PlaceOrderCommand } from '../../../domain/services/commands';
import { fail } from '../../../domain/services/result';
import { DRAFT_ID_LENGTH } from '../../../messages/callback-data';
import { claimOnce, type BotRuntime } from '../../runtime';

/** A claimed bet id is remembered this long, so a late second tap still reads "already placed". */
const CLAIM_TTL_SEC = 24 * 60 * 60;

/**
 * Marking a command late is retried through a database outage for about as long as recording is
 * (OUTAGE_RETRY_MS, 30 s: 250 ms doubling to 2 s, 16 attempts), so "we'll tell you" is said only
 * once the promise is durable.
 */
const markLateRetry = retry(handleAll, { maxAttempts: 16, backoff: new ExponentialBackoff({ initialDelay: 250, maxDelay: 2_000 }) });

/** A bet as the bot has collected it: a place command without its key. */
export type Bet = Omit<PlaceOrderCommand, 'type' | 'idempotencyKey'>;

/** What {@link submitBet} did: nothing (the id was already claimed) or the worker's answer. */
export type BetSubmission = { submitted: false } | { submitted: true; result: CommandResult };

/** A fresh bet id (DRAFT_ID_LENGTH hex characters), made when the bet is shown. */
export function newBetId(): string {
  return randomBytes(DRAFT_ID_LENGTH / 2).toString('hex');
}

/** The order idempotency key of bet `betId`. */
export function betKey(betId: string): string {
  return `bet:${betId}`;
}

/** True once bet `betId` has been claimed by a confirming tap (for the answer to a late tap). */
export async function wasSubmitted(rt: BotRuntime, betId: string): Promise<boolean> {
  return (await rt.redis.exists(rt.key('bet', betId))) === 1;
}

/** How a slow command is told to the user (issue 13: "the user hears 'delayed' once and then the result"). */
export interface SlowNotice {
  /** Says "⏳ delayed" (an edit, a callback answer); called at most once, awaited before the result is shown. */
  delayed: () => Promise<unknown>;
  /** The chat the result is owed to when the bot has to answer "queued": the worker tells it there later. */
  replyChatId: number;
}

/**
 * Submits a matching command and waits up to `waitMs` for its result, telling the user once that it
 * is delayed when nothing came within DELAYED_NOTICE_MS (jobs/queues.ts; typically recording being
 * retried through a database outage). The delayed notice is shown before the result is returned,
 * so the two never cross. When the answer is `order_queued`, the command is marked late so the
 * matching worker tells its result in `notice.replyChatId` once it applies; if it applied in the
 * meantime, that result is returned instead; when marking fails through the outage budget,
 * `order_queued_untold` (the order still executes; the user is sent to /portfolio). `unavailable`
 * (the database stayed away) is returned as is: nothing was recorded.
 */
export async function submitWithNotice(rt: BotRuntime, cmd: MatchingCommand, waitMs: number, notice: SlowNotice): Promise<CommandResult> {
  let told: Promise<unknown> | undefined;
  const result = await rt.queues.submit(cmd, waitMs, {
    onDelayed: () => {
      told = notice.delayed().catch((err: unknown) => rt.logger.warn({ err }, 'could not say a command is delayed'));
    },
  });
  await told;
  if (result.ok || result.code !== 'order_queued') return result;
  try {
    return (await markLateRetry.execute(() => rt.queues.markLate(cmd.idempotencyKey, notice.replyChatId))) ?? result;
  } catch (err) {
    // The database stayed away: the command still applies, but no one is set to tell its result,
    // so the user must not be promised it (order_queued_untold: "check /portfolio").
    rt.logger.warn({ err, key: cmd.idempotencyKey }, 'could not mark a command late');
    return fail('order_queued_untold');
  }
}

/**
 * Submits bet `betId` once: claims the id in Redis, runs `onClaimed` (e.g. end the scene, answer
 * the button), then sends the place command keyed `bet:<betId>` through {@link submitWithNotice}
 * and waits up to `waitMs` for the worker (`order_queued` when it has not answered: the order still
 * executes and its result is told later in `notice.replyChatId`).
 */
export async function submitBet(rt: BotRuntime, betId: string, bet: Bet, waitMs: number, notice: SlowNotice,
  onClaimed?: () => Promise<unknown>): Promise<BetSubmission> {
  if (!(await claimOnce(rt, rt.key('bet', betId), CLAIM_TTL_SEC))) return { submitted: false };
  await onClaimed?.();
  const result = await submitWithNotice(rt, { type: 'place', idempotencyKey: betKey(betId), ...bet }, waitMs, notice);
  return { submitted: true, result };
}
