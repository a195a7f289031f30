/**
 * Quick bets from market cards in groups and inline messages: [YES p%] / [NO q%] spends the
 * tapper's default stake (/settings) as a market buy.
 *
 * Two taps, because a group card is one stray tap away from spending money: the first tap only
 * answers "tap again within N s to bet X ₽ on YES at ≤ P%" and remembers that offer (Redis, N s);
 * a second tap on the same button within N s takes the offer (GETDEL, so only one tap can) and
 * submits it through submitBet: a "spend X ₽" IOC buy with the slippage guard P that was shown,
 * keyed by the bet id born with the offer (submit.ts; a redelivered or doubled tap places nothing more).
 *
 * Someone without an account here (never started the bot, or blocks it) is sent into the bot
 * instead: the Bot API lets answerCallbackQuery's `url` be a `t.me/<bot>?start=...` link for any
 * callback button ("Otherwise, you may use links like t.me/your_bot?start=XXXX that open your bot
 * with a parameter"), and the card's "Open in bot" button is the same link; /start with it opens
 * this market.
 */
import { LRUCache } from 'lru-cache';
import { Composer } from 'telegraf';
import { z } from 'zod';
import { guardPrice, outcomeOf, type Intent } from '../../../domain/exchange';
import { kop } from '../../../domain/money';
import { learnChatInstance, trackCard, type CardTarget } from '../../../domain/services/cards';
import { previewBet } from '../../../domain/services/trading';
import { balancesOf } from '../../../domain/services/users';
import { formatRatio } from '../../../infra/format';
import { cb, DRAFT_ID_LENGTH } from '../../../messages/callback-data';
import type { BotContext } from '../../context';
import { onButton } from '../../handlers';
import { marketPayload, startLink } from '../../../messages/links';
import { tradingState } from '../../../domain/read/trading-state';
import type { BotRuntime } from '../../runtime';
import { marketOf } from '../../reads';
import { failureText } from '../../ui';
import { fitPlain, TELEGRAM_LIMITS } from '../../../messages/fit';
import { notTradingKey, SIDE_KEY } from '../../../messages/labels';
import { bestPrice } from './order-scene';
import { newBetId, submitBet } from './submit';

/** How long the first tap's offer stands, seconds. */
export const QUICK_BET_CONFIRM_SEC = 10;
/**
 * How long the confirming tap waits for the matching worker, ms. Its answer is the callback
 * answer, which the client waits for, so this stays short; a slower order still executes.
 */
const SUBMIT_WAIT_MS = 8_000;

/** Cards remembered as recorded (see quickBetFeature); a forgotten one costs a few queries on its next tap. */
const RECORDED_CARDS_MAX = 10_000;

/** The first tap's offer, as shown to the user. */
const offerSchema = z.object({
  marketId: z.number().int().positive(),
  side: z.enum(['YES', 'NO']),
  /** Worst own price the buy may pay, 1..99. */
  guard: z.number().int().min(1).max(99),
  /** Amount to spend, kop. */
  stakeKop: z.number().int().positive(),
  /** The bet's id, born with the offer: the order's idempotency key (submit.ts). */
  betId: z.string().length(DRAFT_ID_LENGTH),
});
type Offer = z.infer<typeof offerSchema>;

function cardTarget(ctx: BotContext): CardTarget | null {
  const q = ctx.callbackQuery;
  if (!q) return null;
  if (q.inline_message_id) return { inlineMessageId: q.inline_message_id };
  return q.message ? { chatId: q.message.chat.id, messageId: q.message.message_id } : null;
}

function offerKey(rt: BotRuntime, target: CardTarget, telegramUserId: number): string {
  const card = 'inlineMessageId' in target ? `i:${target.inlineMessageId}` : `c:${target.chatId}:${target.messageId}`;
  return rt.key('qb', card, telegramUserId);
}

async function alert(ctx: BotContext, text: string): Promise<void> {
  await ctx.answerCbQuery(text, { show_alert: true });
}

/**
 * The answer to a confirming tap: an alert, or, when the tap was already answered "delayed" (a
 * callback is answered once), a message in the tapper's private chat with the bot.
 */
async function answer(ctx: BotContext, text: string): Promise<void> {
  if (!ctx.callbackAnswered) return alert(ctx, text);
  await ctx.telegram.sendMessage(ctx.from!.id, fitPlain(text, TELEGRAM_LIMITS.message));
}

/** First tap: checks the bet would go through now, then offers it. */
async function offer(rt: BotRuntime, ctx: BotContext, key: string, marketId: number, side: 'YES' | 'NO'): Promise<void> {
  const user = ctx.account!;
  const m = rt.ds.manager;
  const market = await marketOf(rt, ctx, marketId);
  if (!market) return alert(ctx, ctx.tp('errors.market_not_found'));
  const state = tradingState(market);
  if (state !== 'open') return alert(ctx, ctx.tp(notTradingKey(state)));
  const intent: Intent = side === 'YES' ? 'BUY_YES' : 'BUY_NO';
  const best = await bestPrice(rt, marketId, intent);
  if (best === null) return alert(ctx, ctx.tp('inline.no_sellers', { side: ctx.tp(SIDE_KEY[side]) }));
  const guard = guardPrice(best, intent);
  const stakeKop = user.defaultStakeKop;
  const preview = await previewBet(m, { marketId, userId: user.id, intent, kind: 'market', price: guard, spendKop: stakeKop }, Date.now(), { market });
  if (!preview.ok) return alert(ctx, failureText(ctx, preview, false));
  if (preview.preview.shares === 0) return alert(ctx, ctx.tp('errors.no_liquidity'));
  const o: Offer = { marketId, side, guard, stakeKop, betId: newBetId() };
  await rt.redis.set(key, JSON.stringify(o), { EX: QUICK_BET_CONFIRM_SEC });
  await ctx.answerCbQuery(ctx.tp('inline.tap_again', {
    side: ctx.tp(SIDE_KEY[side]), seconds: QUICK_BET_CONFIRM_SEC, stake: stakeKop, guard, shares: preview.preview.shares,
    total: preview.preview.totalKop,
  }));
}

/** Confirming tap: places the offered bet once and tells the tapper what it bought. */
async function place(rt: BotRuntime, ctx: BotContext, o: Offer): Promise<void> {
  const user = ctx.account!;
  const intent: Intent = o.side === 'YES' ? 'BUY_YES' : 'BUY_NO';
  // A late result goes to the tapper's private chat, never to the group the card is in.
  const notice = { delayed: () => ctx.answerCbQuery(ctx.tp('inline.bet_delayed')), replyChatId: ctx.from!.id };
  const sent = await submitBet(rt, o.betId, {
    marketId: o.marketId, userId: user.id, intent, kind: 'market', price: o.guard, spendKop: kop(o.stakeKop), tif: 'IOC',
  }, SUBMIT_WAIT_MS, notice);
  if (!sent.submitted) return alert(ctx, ctx.tp('order.already_placed'));
  const r = sent.result;
  if (!r.ok) return answer(ctx, r.code === 'order_queued' ? ctx.tp('inline.bet_queued') : failureText(ctx, r, false));
  const out = r.outcome;
  if (!out || out.filled === 0) return answer(ctx, ctx.tp('inline.bet_nothing_filled', { guard: o.guard }));
  const { available } = await balancesOf(rt.ds.manager, user.id);
  await answer(ctx, ctx.tp('inline.bet_placed', {
    shares: out.filled, side: ctx.tp(SIDE_KEY[outcomeOf(out.intent)]), cost: out.costKop, fee: out.feeKop,
    avg: formatRatio(out.costKop, out.filled, ctx.lang, 1), available,
  }));
}

/** The [YES] / [NO] buttons of shared market cards. */
export function quickBetFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  // Cards (with their chat_instance) already recorded: a tap on them has nothing to write.
  const recorded = new LRUCache<string, true>({ max: RECORDED_CARDS_MAX });
  onButton(c, cb.quickBet, async (ctx, { marketId, side }) => {
    const target = cardTarget(ctx);
    const from = ctx.from!;
    const chatInstance = ctx.callbackQuery!.chat_instance;
    const card = target ? `${offerKey(rt, target, 0)}:${chatInstance}` : '';
    if (target && !recorded.has(card)) {
      if ('inlineMessageId' in target) {
        // Without inline feedback there was no chosen_inline_result: the first tap makes the card known.
        await trackCard(rt.ds.manager, target, { marketId, language: ctx.lang, postedByTelegramId: from.id });
      }
      if (await learnChatInstance(rt.ds.manager, target, chatInstance)) recorded.set(card, true);
    }
    if (!ctx.account || ctx.account.blockedAt) {
      await ctx.answerCbQuery(ctx.tp('inline.start_bot'), { url: startLink(ctx.botInfo.username, marketPayload(marketId)) });
      return;
    }
    if (!target) return alert(ctx, ctx.tp('errors.button_outdated'));
    const key = offerKey(rt, target, from.id);
    const raw = await rt.redis.getDel(key);
    const pending = raw ? offerSchema.safeParse(JSON.parse(raw)) : null;
    // A tap on the other side, or on another market's button, is a new first tap.
    if (pending?.success && pending.data.marketId === marketId && pending.data.side === side) return place(rt, ctx, pending.data);
    await offer(rt, ctx, key, marketId, side);
  });
  return c;
}
