import type { MiddlewareFn } from 'telegraf';
import { applyTelegramPolicy, type FloodWaitHook, type TelegramPolicy } from '../../infra/telegram-policy';
import type { BotContext } from '../context';

/**
 * Puts the update's Bot API calls (replies, answers, edits) under the process's one retry policy and
 * circuit breaker (infra/telegram-policy.ts): a 429 is repeated after `retry_after` seconds, a 5xx
 * with capped exponential backoff, and during an outage calls fail at once instead of piling up.
 * Telegraf gives every update its own `Telegram` instance, so the policy is installed on it here.
 * A 429 about a chat is shared with the notifications pipeline (`onFloodWait`).
 */
export function floodWait(policy: TelegramPolicy, onFloodWait?: FloodWaitHook): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    applyTelegramPolicy(ctx.telegram, policy, onFloodWait);
    return next();
  };
}
