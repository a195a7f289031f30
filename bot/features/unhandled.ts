import { Composer } from 'telegraf';
import type { BotContext } from '../context';
import { htmlExtra, notice } from '../ui';
import { mainMenu } from '../views/menu';

/**
 * Last in the chain: whatever no feature or scene took. A button → "this button is outdated"
 * (an old keyboard, another version's data); an unknown command or stray text → a hint and the menu.
 */
export function unhandledFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.on('callback_query', (ctx) => notice(ctx, ctx.tp('errors.button_outdated')));
  c.on('message', async (ctx) => {
    const text = 'text' in ctx.message ? ctx.message.text : '';
    await ctx.reply(ctx.t(text.startsWith('/') ? 'unhandled.command' : 'unhandled.text'), htmlExtra(mainMenu(ctx)));
  });
  return c;
}
