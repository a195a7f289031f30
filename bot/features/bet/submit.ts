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
import type { CommandResult, PlaceOrderCommand } from '../../../domain/services/commands';
import { DRAFT_ID_LENGTH } from '../../../messages/callback-data';
import { claimOnce, type BotRuntime } from '../../runtime';

/** A claimed bet id is remembered this long, so a late second tap still reads "already placed". */
const CLAIM_TTL_SEC = 24 * 60 * 60;

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

/**
 * Submits bet `betId` once: claims the id in Redis, runs `onClaimed` (e.g. end the scene, answer
 * the button), then sends the place command keyed `bet:<betId>` and waits up to `waitMs` for the
 * worker (`order_queued` when it has not answered; the order still executes).
 */
export async function submitBet(rt: BotRuntime, betId: string, bet: Bet, waitMs: number,
  onClaimed?: () => Promise<unknown>): Promise<BetSubmission> {
  if (!(await claimOnce(rt, rt.key('bet', betId), CLAIM_TTL_SEC))) return { submitted: false };
  await onClaimed?.();
  const result = await rt.queues.submit({ type: 'place', idempotencyKey: betKey(betId), ...bet }, waitMs);
  return { submitted: true, result };
}
