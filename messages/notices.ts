/**
 * Notices of trading and settlement, worded for their owners: fills of resting orders, self-trade
 * cancels, expiries, market closes (from a matching batch) and settlement payouts. Dedupe keys
 * make a retried batch or settlement job notify once.
 */
import type { EntityManager } from 'typeorm';
import type { Notice } from '../domain/services/market-batch';
import type { Payout } from '../domain/services/settlement';
import type { Language } from '../domain/entities';
import { chatLanguages, reachableUsers } from '../domain/read/recipients';
import { marketResult, titlesOf } from '../domain/read/titles';
import { DEFAULT_LANGUAGE, t } from '../infra/i18n';
import { INTENT_KEY, OUTCOME_KEY } from './labels';
import type { NotificationJob } from './outgoing';

const NOTICE_KEY: Record<Notice['kind'], string> = {
  fill: 'notify.fill',
  self_trade_cancelled: 'notify.self_trade_cancelled',
  order_expired: 'notify.order_expired',
  market_closed: 'notify.market_closed',
};

/**
 * Turns a matching batch's notices into localized notifications for their owners (blocked users
 * are skipped). Fills of one order in one batch are one message.
 */
export async function noticeMessages(m: EntityManager, notices: readonly Notice[]): Promise<NotificationJob[]> {
  if (notices.length === 0) return [];
  const merged = new Map<string, Notice>();
  for (const n of notices) {
    const key = `${n.kind}-${n.orderId}`;
    const prev = merged.get(key);
    merged.set(key, prev ? { ...prev, shares: prev.shares + n.shares, amountKop: (prev.amountKop + n.amountKop) as Notice['amountKop'] } : n);
  }
  const list = [...merged.values()];
  const users = await reachableUsers(m, list.map((n) => n.userId));
  const names = await titlesOf(m, list.map((n) => n.marketId));
  const jobs: NotificationJob[] = [];
  for (const n of list) {
    const u = users.get(n.userId);
    if (!u) continue;
    const text = t(u.language, NOTICE_KEY[n.kind], {
      title: names.get(n.marketId) ?? '',
      side: t(u.language, INTENT_KEY[n.intent]),
      shares: n.shares,
      price: n.price,
      amount: n.amountKop,
    });
    jobs.push({
      chatId: u.chatId, userId: u.id, kind: 'send', text, digestLine: text,
      // A fill notice is per order and per amount filled so far: retries of the same batch dedupe.
      dedupeKey: `n-${n.kind}-${n.orderId}-${n.shares}-${n.amountKop}`,
    });
  }
  return jobs;
}

/** Settlement notices of a market: one per position paid, deduped per (market, user, outcome). */
export async function payoutMessages(m: EntityManager, marketId: number, payouts: readonly Payout[]): Promise<NotificationJob[]> {
  const users = await reachableUsers(m, payouts.map((p) => p.userId));
  const mk = await marketResult(m, marketId);
  const title = mk?.title ?? '';
  const jobs: NotificationJob[] = [];
  for (const p of payouts) {
    const u = users.get(p.userId);
    if (!u) continue;
    const outcome = mk?.outcome ? t(u.language, OUTCOME_KEY[mk.outcome], { r: mk.yesPayout ?? 0 }) : '';
    const text = t(u.language, p.payoutKop > 0 ? 'notify.settled' : 'notify.settled_zero', {
      title, outcome, shares: p.shares, side: p.outcome, payout: p.payoutKop,
    });
    jobs.push({ chatId: u.chatId, userId: u.id, kind: 'send', text, digestLine: text, dedupeKey: `settled-${marketId}-${p.userId}-${p.outcome}` });
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
