import type { MiddlewareFn } from 'telegraf';
import { updateMetrics } from '../../infra/metrics';
import { withRequestId } from '../../infra/request-context';
import type { BotContext } from '../context';

/**
 * First middleware: the update's `update_id` becomes the request id of everything it causes (log
 * lines, matching jobs, notifications: infra/request-context.ts), and its handling time is observed
 * in `pravda_update_duration_seconds` by update type.
 */
export function updateContext(): MiddlewareFn<BotContext> {
  return (ctx, next) => withRequestId(`u${ctx.update.update_id}`, async () => {
    const end = updateMetrics.duration.startTimer({ type: ctx.updateType });
    try {
      await next();
    } finally {
      end();
    }
  });
}
