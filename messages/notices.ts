/**
 * Notices of trading and settlement, worded for their owners: fills of resting orders, self-trade
 * cancels, expiries, market closes (from a matching batch) and settlement payouts. Dedupe keys
 * make a retried batch or settlement job notify once.
 */
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { isBuy } from '../domain/exchange';
import { kop } from '../domain/money';
import type { Notice } from '../domain/services/market-batch';
import type { Payout } from '../domain/services/settlement';
import type { Language } from '../domain/entities';
import { realizedPnl } from '../domain/read/pnl';
import { chatLanguages, reachableUsers } from '../domain/read/recipients';
import { marketResult, titlesOf } from '../domain/read/titles';
import { DEFAULT_LANGUAGE, t } from '../infra/i18n';
import { INTENT_KEY, OUTCOME_KEY } from './labels';
import { shareQuery } from './links';
import { fitPlain, TELEGRAM_LIMITS } from './fit';
import type { NotificationJob } from './outgoing';

const NOTICE_KEY: Record<Notice['kind'], string> = {
  fill: 'notify.fill',
  self_trade_cancelled: 'notify.self_trade_cancelled',
  order_expired: 'notify.order_expired',
  market_closed: 'notify.market_closed',
};

/** Sweep notices (every order of a user gone at once) that are summed up when there are several. */
const SUMMED: Partial<Record<Notice['kind'], string>> = {
  market_closed: 'coalesced.market_closed',
  order_expired: 'coalesced.order_expired',
};

/** "1 234,50 ₽ and 3 shares": what removed resting orders gave back (invariant 4: own price × shares for a buy, the shares for a sell). */
function releasedText(lang: Language, list: readonly Notice[]): string {
  let amount = 0;
  let shares = 0;
  for (const n of list) {
    if (isBuy(n.intent)) amount += n.price * n.shares;
    else shares += n.shares;
  }
  const parts = [];
  if (amount > 0 || shares === 0) parts.push(t(lang, 'coalesced.released_kop', { amount }));
  if (shares > 0) parts.push(t(lang, 'coalesced.released_shares', { shares }));
  return parts.join(t(lang, 'coalesced.and'));
}

/**
 * Turns a matching batch's notices into localized notifications for their owners (blocked users
 * are skipped): ONE message per user and market per batch (issue 15: a burst, such as the close
 * sweep cancelling five orders, is one message, not five paced a second apart). Fills of one order
 * are one line; several orders removed by one sweep are one summed line. Plain text, within
 * Telegram's 4096 characters.
 */
export async function noticeMessages(m: EntityManager, notices: readonly Notice[]): Promise<NotificationJob[]> {
  if (notices.length === 0) return [];
  const merged = new Map<string, Notice>();
  for (const n of notices) {
    const key = `${n.kind}-${n.orderId}`;
    const prev = merged.get(key);
    merged.set(key, prev ? {
      ...prev, shares: prev.shares + n.shares, amountKop: kop(prev.amountKop + n.amountKop), rebateKop: kop((prev.rebateKop ?? 0) + (n.rebateKop ?? 0)),
    } : n);
  }
  const perChat = new Map<string, Notice[]>();
  for (const n of merged.values()) {
    const key = `${n.userId}-${n.marketId}`;
    const list = perChat.get(key);
    if (list) list.push(n);
    else perChat.set(key, [n]);
  }
  const list = [...merged.values()];
  const users = await reachableUsers(m, list.map((n) => n.userId));
  const names = await titlesOf(m, list.map((n) => n.marketId));
  const jobs: NotificationJob[] = [];
  // A busy batch has thousands of fill lines: each side label is worded once per language.
  const sides = new Map<string, string>();
  const sideOf = (lang: Language, intent: Notice['intent']) => {
    const k = `${lang}:${intent}`;
    let v = sides.get(k);
    if (v === undefined) sides.set(k, (v = t(lang, INTENT_KEY[intent])));
    return v;
  };
  for (const group of perChat.values()) {
    const first = group[0]!;
    const u = users.get(first.userId);
    if (!u) continue;
    const title = names.get(first.marketId) ?? '';
    const lines: string[] = [];
    // fitPlain keeps only the first TELEGRAM_LIMITS.message characters: lines past them are not
    // worded at all (a busy maker's batch has hundreds), the text comes out the same.
    let length = -1;
    const full = () => length > TELEGRAM_LIMITS.message;
    const add = (line: string) => {
      lines.push(line);
      length += line.length + 1;
    };
    for (const kind of [...new Set(group.map((n) => n.kind))]) {
      if (full()) break;
      const same = group.filter((n) => n.kind === kind);
      const summed = SUMMED[kind];
      if (summed && same.length > 1) {
        add(t(u.language, summed, { title, count: same.length, released: releasedText(u.language, same) }));
        continue;
      }
      for (const n of same) {
        if (full()) break;
        // The rebate is said, so the order's cost in /portfolio (amount − rebate) adds up.
        const rebate = n.kind === 'fill' ? n.rebateKop ?? 0 : 0;
        add(t(u.language, rebate > 0 ? 'notify.fill_rebate' : NOTICE_KEY[n.kind], {
          title, side: sideOf(u.language, n.intent), shares: n.shares, price: n.price, amount: n.amountKop, rebate,
        }));
      }
    }
    const text = fitPlain(lines.join('\n'), TELEGRAM_LIMITS.message);
    // Per order and per amount filled so far, so a retry of the same batch dedupes; hashed, as a
    // batch may hold many orders and a dedupe key is at most 200 characters.
    const parts = group.map((n) => `${n.kind}-${n.orderId}-${n.shares}-${n.amountKop}`).sort().join(',');
    const dedupeKey = `n-${first.userId}-${first.marketId}-${createHash('sha1').update(parts).digest('hex')}`;
    // A message with a fill is about fills (the user's switch, issue 11); cancels, expiries and
    // closes alone are service messages and always arrive.
    const topic = group.some((n) => n.kind === 'fill') ? { topic: 'fills' as const } : {};
    jobs.push({ chatId: u.chatId, userId: u.id, kind: 'send', text, digestLine: text, dedupeKey, ...topic });
  }
  return jobs;
}

/**
 * Settlement notices of a market: one per position paid, deduped per (market, user, outcome). The
 * holder's first notice also states their realized P&L on the market (paid vs got) and over the
 * markets settled this Moscow month (issue 11, domain/read/pnl.ts).
 */
export async function payoutMessages(m: EntityManager, marketId: number, payouts: readonly Payout[]): Promise<NotificationJob[]> {
  const users = await reachableUsers(m, payouts.map((p) => p.userId));
  const mk = await marketResult(m, marketId);
  const pnl = await realizedPnl(m, marketId, [...users.keys()]);
  const title = mk?.title ?? '';
  const jobs: NotificationJob[] = [];
  const told = new Set<number>();
  for (const p of payouts) {
    const u = users.get(p.userId);
    if (!u) continue;
    const outcome = mk?.outcome ? t(u.language, OUTCOME_KEY[mk.outcome], { r: mk.yesPayout ?? 0 }) : '';
    const lines = [t(u.language, p.payoutKop > 0 ? 'notify.settled' : 'notify.settled_zero', {
      title, outcome, shares: p.shares, side: p.outcome, payout: p.payoutKop,
    })];
    const r = pnl.get(p.userId);
    if (r && !told.has(p.userId)) {
      told.add(p.userId);
      lines.push(t(u.language, 'notify.settled_pnl', { pnl: r.market.pnlKop, paid: r.market.paidKop, got: r.market.gotKop, month: r.monthKop }));
    }
    const text = fitPlain(lines.join('\n'), TELEGRAM_LIMITS.message);
    // A win gets a Share button (issue 12): it posts the win's card into any chat through inline mode.
    const share = p.payoutKop > 0 ? { replyMarkup: { inline_keyboard: [[{ text: t(u.language, 'share.button'), switch_inline_query: shareQuery(marketId) }]] } } : {};
    jobs.push({ chatId: u.chatId, userId: u.id, kind: 'send', text, digestLine: text, dedupeKey: `settled-${marketId}-${p.userId}-${p.outcome}`, topic: 'outcomes', ...share });
  }
  return jobs;
}

/** The admin's settlement messages: progress while paying (edited in place) and the final report. */
export const settlementReport = {
  /** "Paying <title>: paid of total positions". */
  progress: (lang: Language, title: string, vars: { paid: number; total: number }): string => t(lang, 'settle.progress', { title, ...vars }),
  /** The final word: positions paid and the kop paid out. */
  done: (lang: Language, title: string, r: { positions: number; paidKop: number; maker?: { profitKop: number; returnedKop: number } | null }): string =>
    [t(lang, 'settle.done', { title, positions: r.positions, paid: r.paidKop }),
      ...(r.maker ? [t(lang, 'liquidity.settle_maker', { profit: r.maker.profitKop, returned: r.maker.returnedKop })] : [])].join('\n'),
};

/** The language an admin chat is written in: theirs, or the default if they never started the bot. */
export async function adminLanguage(m: EntityManager, chatId: number): Promise<Language> {
  return (await chatLanguages(m, [chatId])).get(chatId) ?? DEFAULT_LANGUAGE;
}
