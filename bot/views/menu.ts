import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { button, type Keyboard } from '../ui';

/** The main menu: markets, portfolio, balance and deposit, help, language. */
export function mainMenu(ctx: BotContext): Keyboard {
  return [
    [button(ctx.tp('menu.markets'), cb.categories.encode({})), button(ctx.tp('menu.portfolio'), cb.portfolio.encode({}))],
    [button(ctx.tp('menu.balance'), cb.balance.encode({})), button(ctx.tp('menu.help'), cb.help.encode({}))],
    [button(ctx.tp('menu.language'), cb.languages.encode({}))],
  ];
}

/** One row with a single "main menu" button, the way out of every screen. */
export function homeRow(ctx: BotContext): Keyboard[number] {
  return [button(ctx.tp('menu.home'), cb.home.encode({}))];
}
