/**
 * The order preview's text (HTML): what the order is, how long it lives, what fills now at what
 * cost and fee, and what rests or is cancelled. Every number comes from the domain preview
 * (`previewBet`), which is what the matching worker then does on the same book.
 */
import { isBuy, outcomeOf, type Intent } from '../../../domain/exchange';
import type { BetPreview, feeTierOf } from '../../../domain/services/trading';
import { formatDateTime, formatRatio } from '../../../infra/format';
import type { BotContext } from '../../context';
import { INTENT_KEY, SIDE_KEY } from '../../../messages/labels';
import type { TifChoice } from './order-tif';

/** The draft fields the preview names: the intent and a market or limit price (own price 1..99). */
export interface PreviewedDraft {
  intent: Intent;
  kind?: 'limit' | 'market';
  price?: number;
}

type FeeTier = Awaited<ReturnType<typeof feeTierOf>>;

/** The preview's first lines: title, intent, market or limit. */
export function headLines(ctx: BotContext, s: PreviewedDraft): string[] {
  const kind = s.kind === 'market' ? ctx.t('order.preview_kind_market', { price: s.price as number }) : ctx.t('order.preview_kind_limit', { price: s.price as number });
  return [ctx.t('order.preview_title'), ctx.t(INTENT_KEY[s.intent]), kind];
}

/** The preview's lines about how long the order lives and whether it may only add liquidity (HTML). */
export function tifLines(ctx: BotContext, c: TifChoice): string[] {
  const lines: string[] = [];
  switch (c.tif) {
    case 'GTC': lines.push(ctx.t('order.tif_gtc')); break;
    case 'GTD':
      lines.push(ctx.t('order.tif_gtd', { date: formatDateTime(new Date(c.expiresAt ?? 0), ctx.lang) }), ctx.t('order.tif_gtd_hint'));
      break;
    case 'IOC': lines.push(ctx.t('order.tif_ioc')); break;
    case 'FOK': lines.push(ctx.t('order.tif_fok')); break;
  }
  if (c.postOnly) lines.push(ctx.t('order.post_only'));
  return lines;
}

/**
 * What the preview says about the fill, cost and what rests or is cancelled; every number from
 * the domain preview. `choice` is the limit order's time in force (none for market orders);
 * `qty` the limit order's size, to say how much an IOC leaves unfilled.
 */
export function previewLines(ctx: BotContext, s: PreviewedDraft, choice: TifChoice | undefined, qty: number | undefined, p: BetPreview,
  tier: FeeTier): string[] {
  const buy = isBuy(s.intent);
  const side = ctx.tp(SIDE_KEY[outcomeOf(s.intent)]);
  const lines = headLines(ctx, s);
  if (choice) lines.push(...tifLines(ctx, choice));
  if (p.shares > 0) {
    lines.push(ctx.t(buy ? 'order.preview_fill_buy' : 'order.preview_fill_sell', {
      shares: p.shares, side, avg: formatRatio(p.costKop, p.shares, ctx.lang, 1), worst: p.worstPrice ?? (s.price as number),
    }));
    lines.push(ctx.t(buy ? 'order.preview_cost' : 'order.preview_proceeds', { amount: p.costKop }));
    lines.push(ctx.t('order.preview_fee', { amount: p.feeKop, bps: p.feeBps }));
    lines.push(ctx.t(buy ? 'order.preview_total_buy' : 'order.preview_total_sell', { amount: p.totalKop }));
    if (buy) lines.push(ctx.t('order.preview_payout', { amount: p.maxPayoutKop, side }));
  } else {
    lines.push(ctx.t('order.preview_no_fill'));
  }
  if (p.restingShares > 0) lines.push(ctx.t('order.preview_rest', { shares: p.restingShares, price: s.price as number }));
  else if (!choice) lines.push(ctx.t('order.preview_ioc'));
  // Only an IOC can leave shares neither filled nor resting (a FOK that passed the preview fills in full).
  else if (qty !== undefined && qty > p.shares) lines.push(ctx.t('order.preview_ioc_rest', { shares: qty - p.shares }));
  if (buy) lines.push(ctx.t('order.preview_reserve', { amount: p.reserveKop }));
  lines.push('', tier.nextBps === null || tier.nextTierAtKop === null
    ? ctx.t('order.preview_tier_top', { bps: tier.bps })
    : ctx.t('order.preview_tier', { bps: tier.bps, volume: tier.volume30dKop, next: tier.nextBps, at: tier.nextTierAtKop }));
  return lines;
}
