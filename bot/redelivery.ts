import type { SuccessfulPayment, Update } from 'telegraf/types';

/**
 * An update that must be delivered again: handling it failed in a way that must not be dropped
 * (a successful_payment the database could not record through OUTAGE_RETRY_MS). The error
 * boundary rethrows it; long polling (bot/polling.ts) then does not confirm the update and fetches
 * it again after a pause, and webhook mode answers 500 so Telegram sends it again (Bot API:
 * "in case of an unsuccessful request, we will give up after a reasonable amount of attempts").
 */
export class RedeliveryNeeded extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedeliveryNeeded';
  }
}

/** The successful_payment an update carries, if any: the one kind of update redelivered on failure. */
export function paymentOf(update: Update): SuccessfulPayment | undefined {
  return 'message' in update && 'successful_payment' in update.message ? update.message.successful_payment : undefined;
}
