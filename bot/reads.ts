/**
 * Reads shared by the steps of one update (BotContext.once): a handler's steps each ask for the
 * market they show, and one read serves them all. Only for rows the handler does not change.
 */
import type { Market } from '../domain/entities';
import { getMarket } from '../domain/read/markets';
import type { BotContext } from './context';
import type { BotRuntime } from './runtime';

/** Market `id` as read once in this update (null when it does not exist). */
export function marketOf(rt: BotRuntime, ctx: BotContext, id: number): Promise<Market | null> {
  return ctx.once(`market:${id}`, () => getMarket(rt.ds.manager, id));
}
