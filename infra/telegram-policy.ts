/**
 * The one retry policy and circuit breaker for Bot API calls (cockatiel).
 *
 * - Retry: 429 waits Telegram's `parameters.retry_after` seconds; 5xx and network errors back off
 *   exponentially (RETRY_BASE_MS doubling, capped at RETRY_CAP_MS). A 429 asking for more than
 *   MAX_RETRY_AFTER_SEC is not waited out: the caller fails and its own recovery applies.
 * - Circuit breaker: after BREAK_AFTER consecutive outage failures (5xx, network) calls fail at once
 *   with cockatiel's BrokenCircuitError for HALF_OPEN_AFTER_MS, then one trial call decides. 4xx
 *   (including 429) are answers, not an outage, and never open it.
 * Bot API error shapes: https://core.telegram.org/bots/api#making-requests
 */
import {
  BrokenCircuitError, ConsecutiveBreaker, DelegateBackoff, circuitBreaker, handleWhen, retry, wrap,
  type CircuitBreakerPolicy, type IPolicy,
} from 'cockatiel';
import { Agent } from 'node:http';
import { TelegramError, type Telegram } from 'telegraf';
import { telegramMetrics } from './metrics';

export const RETRY_BASE_MS = 250;
export const RETRY_CAP_MS = 10_000;
export const MAX_ATTEMPTS = 3;
/** Longer flood waits are not worth holding an update or a worker for. */
export const MAX_RETRY_AFTER_SEC = 10;
export const BREAK_AFTER = 5;
export const HALF_OPEN_AFTER_MS = 10_000;

/**
 * Telegraf keeps connections alive to an https Bot API (its default agent) but drops the agent for
 * an http one (a self-hosted Bot API server, TELEGRAM_API_ROOT=http://…), so every call there
 * would open a new TCP connection; give it a keep-alive agent, one per process (telegraf makes a
 * Telegram instance per update).
 */
function keepConnections(telegram: Telegram): void {
  const options = telegram.options as { apiRoot: string; agent?: unknown };
  if (options.apiRoot.startsWith('http://') && options.agent === undefined) options.agent = (httpAgent ??= new Agent({ keepAlive: true }));
}
let httpAgent: Agent | undefined;

/** True for errors that mean "the Bot API is down or unreachable" (5xx, network), not an answer. */
export function isOutage(err: unknown): boolean {
  if (err instanceof BrokenCircuitError) return false;
  if (err instanceof TelegramError) return err.code >= 500;
  // getUpdates aborted on purpose at shutdown is not an outage.
  return !(err instanceof Error && err.name === 'AbortError');
}

function retryAfterSec(err: unknown): number | undefined {
  return err instanceof TelegramError && err.code === 429 ? (err.parameters?.retry_after ?? 1) : undefined;
}

/** Whether a failed call is worth repeating under the retry policy. */
export function isRetryable(err: unknown): boolean {
  const wait = retryAfterSec(err);
  if (wait !== undefined) return wait <= MAX_RETRY_AFTER_SEC;
  return isOutage(err);
}

/** Delay before attempt `attempt` (1-based) after `err`: retry_after for 429, else capped exponential. */
export function retryDelayMs(err: unknown, attempt: number): number {
  const wait = retryAfterSec(err);
  if (wait !== undefined) return wait * 1000;
  return Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
}

export interface TelegramPolicyOptions {
  /** Retry at all (default true). The notification pump handles 429/5xx itself and passes false. */
  retry?: boolean;
  breakAfter?: number;
  halfOpenAfterMs?: number;
}

/** A breaker (shared by every Telegram instance of a process that uses it) and the composed policy. */
export interface TelegramPolicy {
  breaker: CircuitBreakerPolicy;
  policy: IPolicy;
}

/** Builds the policy. One per process and API root: an outage is a property of the API, not of a call. */
export function createTelegramPolicy(opts: TelegramPolicyOptions = {}): TelegramPolicy {
  const breaker = circuitBreaker(handleWhen(isOutage), {
    halfOpenAfter: opts.halfOpenAfterMs ?? HALF_OPEN_AFTER_MS,
    breaker: new ConsecutiveBreaker(opts.breakAfter ?? BREAK_AFTER),
  });
  if (opts.retry === false) return { breaker, policy: breaker };
  const retrying = retry(handleWhen(isRetryable), {
    maxAttempts: MAX_ATTEMPTS - 1,
    backoff: new DelegateBackoff((ctx) => retryDelayMs('error' in ctx.result ? ctx.result.error : undefined, ctx.attempt)),
  });
  return { breaker, policy: wrap(retrying, breaker) };
}

/** Told of every 429 of a call about one chat (`chat_id`), with Telegram's retry_after in seconds; must not throw. */
export type FloodWaitHook = (chatId: number, retryAfterSec: number) => void;

/** The same breaker without the retries: for callers that handle 429/5xx themselves (the notification pump). */
export function breakerOnly(p: TelegramPolicy): TelegramPolicy {
  return { breaker: p.breaker, policy: p.breaker };
}

/**
 * Routes every `callApi` of `telegram` through `policy` and records its latency and outcome
 * (infra/metrics.ts). Idempotent per instance. Telegraf gives each update its own Telegram
 * instance, so the bot applies this per update (bot/middleware/flood-wait.ts).
 */
export function applyTelegramPolicy(telegram: Telegram, p: TelegramPolicy, onFloodWait?: FloodWaitHook): Telegram {
  const marked = telegram as Telegram & { __policy?: true };
  if (marked.__policy) return telegram;
  marked.__policy = true;
  keepConnections(telegram);
  const call = telegram.callApi.bind(telegram);
  telegram.callApi = (async (...args: Parameters<typeof call>) => {
    return p.policy.execute(async () => {
      const end = telegramMetrics.latency.startTimer({ method: String(args[0]) });
      try {
        const r = await call(...args);
        end({ outcome: 'ok' });
        return r;
      } catch (err) {
        const code = err instanceof TelegramError ? String(err.code) : 'network';
        end({ outcome: code });
        if (code === '429' || code === '403') telegramMetrics.errors.inc({ code });
        const chatId = Number((args[1] as { chat_id?: unknown } | undefined)?.chat_id);
        const wait = retryAfterSec(err);
        if (onFloodWait && wait !== undefined && Number.isSafeInteger(chatId) && chatId !== 0) onFloodWait(chatId, wait);
        throw err;
      }
    });
  }) as typeof telegram.callApi;
  return telegram;
}
