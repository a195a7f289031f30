import type { Composer } from 'telegraf';
import type { CallbackCodec, DataOf, Fields } from '../messages/callback-data';
import type { BotContext } from './context';
import { notice } from './ui';

/**
 * Registers `handler` for buttons of one codec on `composer`. Data with the codec's prefix that
 * does not decode (an old keyboard layout, forged or foreign data) gets the localized
 * "this button is outdated" answer and changes nothing.
 */
export function onButton<F extends Fields>(
  composer: Composer<BotContext>,
  codec: CallbackCodec<F>,
  handler: (ctx: BotContext, data: DataOf<F>) => Promise<void>,
): void {
  composer.action(codec.trigger, async (ctx) => {
    const data = codec.decode(ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined);
    if (data === undefined) return notice(ctx, ctx.tp('errors.button_outdated'));
    await handler(ctx, data);
  });
}
