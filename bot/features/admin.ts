import { Composer } from 'telegraf';
import { createMarket } from '../../domain/services/markets';
import { asAdmin } from '../admin';
import { cb } from '../../messages/callback-data';
import type { BotContext } from '../context';
import { onButton } from '../handlers';
import { claimOnce, type BotRuntime } from '../runtime';
import { confirmedMarketDraft, NEW_MARKET_SCENE } from '../scenes/new-market';
import { button, failureText, notice, show } from '../ui';

const CONFIRMED_TTL_SEC = 24 * 60 * 60;

/**
 * Admin command /newmarket (scene + Create, with the house maker's budget and opening price);
 * everyone else is refused. Resolution lives in features/resolution.ts, /liquidity in features/liquidity.ts.
 */
export function adminFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command('newmarket', (ctx) => asAdmin(rt, ctx, async () => {
    await ctx.scene.enter(NEW_MARKET_SCENE);
  }));
  onButton(c, cb.newMarketConfirm, (ctx, { draft }) => asAdmin(rt, ctx, async () => {
    const input = confirmedMarketDraft(ctx, draft);
    if (!input || !(await claimOnce(rt, rt.key('draft', draft), CONFIRMED_TTL_SEC))) {
      return notice(ctx, ctx.tp('errors.button_outdated'));
    }
    await ctx.scene.leave();
    const r = await createMarket(rt.ds, { ...input, createdBy: ctx.user.id });
    if (!r.ok) return show(ctx, failureText(ctx, r));
    await show(ctx, [ctx.t('newmarket.created', { id: r.market.id, title: r.market.title }),
      ctx.t('liquidity.confirm_line', { budget: input.liquidityKop, price: input.openingPrice })].join('\n'),
      [[button(ctx.tp('newmarket.open_card'), cb.market.encode({ marketId: r.market.id }))]]);
  }));

  return c;
}
