/**
 * `/liquidity <market id> <₽>` (admins): adds to a market's house maker budget from
 * `house:liquidity` (domain/services/liquidity.ts addLiquidity, which re-derives b and requotes
 * under the market lock). The Telegram update id is the idempotency key, so a redelivered
 * command adds nothing twice; bad input gets the usage or the domain's reason and changes nothing.
 */
import { Composer } from 'telegraf';
import { parseRubToKop } from '../../domain/money';
import { addLiquidity } from '../../domain/services/liquidity';
import { getMarket } from '../../domain/read/markets';
import { asAdmin } from '../admin';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';
import { failureText, show } from '../ui';
import { parseMarketArgs } from './resolution';

async function liquidity(rt: BotRuntime, ctx: BotContext, payload: string): Promise<void> {
  const args = parseMarketArgs(payload);
  const amountKop = args ? parseRubToKop(args.rest) : null;
  if (!args || amountKop === null) return show(ctx, ctx.t('liquidity.usage'));
  const r = await addLiquidity(rt.ds, { marketId: args.marketId, amountKop, idempotencyKey: `tg-update:${ctx.update.update_id}` });
  if (!r.ok) return show(ctx, failureText(ctx, r));
  const market = await getMarket(rt.ds.manager, args.marketId);
  await show(ctx, ctx.t('liquidity.added', { id: args.marketId, title: market?.title ?? '', budget: r.budgetKop, amount: amountKop }));
}

/** /liquidity for admins; everyone else is refused. */
export function liquidityFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('liquidity', (ctx) => asAdmin(rt, ctx, () => liquidity(rt, ctx, ctx.payload)));
  return c;
}
