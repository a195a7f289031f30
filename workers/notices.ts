import type { DataSource } from 'typeorm';
import type { Language } from '../domain/entities';
import type { Notice } from '../domain/services/market-batch';
import type { Payout } from '../domain/services/settlement';
import { t } from '../infra/i18n';
import type { NotificationJob } from './notifications/types';

interface Recipient {
  id: number;
  telegramId: number;
  language: Language;
}

async function recipients(ds: DataSource, userIds: number[]): Promise<Map<number, Recipient>> {
  const rows: { id: string; telegram_id: string; language: Language }[] = await ds.query(
    `SELECT id, telegram_id, language FROM users WHERE id = ANY($1::bigint[]) AND blocked_at IS NULL`, [userIds]);
  return new Map(rows.map((r) => [Number(r.id), { id: Number(r.id), telegramId: Number(r.telegram_id), language: r.language }]));
}

async function titles(ds: DataSource, marketIds: number[]): Promise<Map<number, string>> {
  const rows: { id: string; title: string }[] = await ds.query(`SELECT id, title FROM markets WHERE id = ANY($1::bigint[])`, [marketIds]);
  return new Map(rows.map((r) => [Number(r.id), r.title]));
}

const NOTICE_KEY: Record<Notice['kind'], string> = {
  fill: 'notify.fill',
  self_trade_cancelled: 'notify.self_trade_cancelled',
  order_expired: 'notify.order_expired',
  market_closed: 'notify.market_closed',
};

/**
 * Turns a matching batch's notices (fills of resting orders, self-trade cancels, expiries, market
 * closes) into localized notifications for their owners. Fills of one order in one batch are one
 * message. Dedupe keys make a retried batch notify once.
 */
export async function noticesToJobs(ds: DataSource, notices: readonly Notice[]): Promise<NotificationJob[]> {
  if (notices.length === 0) return [];
  const merged = new Map<string, Notice>();
  for (const n of notices) {
    const key = `${n.kind}-${n.orderId}`;
    const prev = merged.get(key);
    merged.set(key, prev ? { ...prev, shares: prev.shares + n.shares, amountKop: (prev.amountKop + n.amountKop) as Notice['amountKop'] } : n);
  }
  const list = [...merged.values()];
  const users = await recipients(ds, [...new Set(list.map((n) => n.userId))]);
  const names = await titles(ds, [...new Set(list.map((n) => n.marketId))]);
  const jobs: NotificationJob[] = [];
  for (const n of list) {
    const u = users.get(n.userId);
    if (!u) continue;
    const text = t(u.language, NOTICE_KEY[n.kind], {
      title: names.get(n.marketId) ?? '',
      side: t(u.language, `intent.${n.intent}`),
      shares: n.shares,
      price: n.price,
      amount: n.amountKop,
    });
    jobs.push({
      chatId: u.telegramId, userId: u.id, kind: 'send', text, digestLine: text,
      // A fill notice is per order and per amount filled so far: retries of the same batch dedupe.
      dedupeKey: `n-${n.kind}-${n.orderId}-${n.shares}-${n.amountKop}`,
    });
  }
  return jobs;
}

/** Settlement notices: one per position paid, deduped per (market, user, outcome). */
export async function payoutsToJobs(ds: DataSource, marketId: number, outcomeText: (lang: Language) => string, payouts: readonly Payout[]): Promise<NotificationJob[]> {
  const users = await recipients(ds, [...new Set(payouts.map((p) => p.userId))]);
  const title = (await titles(ds, [marketId])).get(marketId) ?? '';
  const jobs: NotificationJob[] = [];
  for (const p of payouts) {
    const u = users.get(p.userId);
    if (!u) continue;
    const text = t(u.language, p.payoutKop > 0 ? 'notify.settled' : 'notify.settled_zero', {
      title, outcome: outcomeText(u.language), shares: p.shares, side: p.outcome, payout: p.payoutKop,
    });
    jobs.push({ chatId: u.telegramId, userId: u.id, kind: 'send', text, digestLine: text, dedupeKey: `settled-${marketId}-${p.userId}-${p.outcome}` });
  }
  return jobs;
}
