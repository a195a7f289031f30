/**
 * Notifications of price alerts and stop-loss / take-profit triggers (issue 11), worded for
 * their owners, with a button to the market's card. Plain text; topics 'alerts' and 'triggers'
 * (the user's switches in /settings apply). Dedupe keys make a redelivery (after a crash between
 * commit and delivery) notify once: one per (alert, crossing) and one per trigger.
 */
import type { EntityManager } from 'typeorm';
import type { AlertFire, TriggerDone } from '../domain/services/price-watch';
import { reachableUsers } from '../domain/read/recipients';
import { titlesOf } from '../domain/read/titles';
import { t } from '../infra/i18n';
import { cb } from './callback-data';
import { fitPlain, TELEGRAM_LIMITS } from './fit';
import type { NotificationJob } from './outgoing';

function cardButton(lang: Parameters<typeof t>[0], marketId: number): NotificationJob['replyMarkup'] {
  return { inline_keyboard: [[{ text: t(lang, 'alerts.open_card'), callback_data: cb.market.encode({ marketId }) }]] };
}

/** One message per fired alert crossing. */
export async function alertMessages(m: EntityManager, fires: readonly AlertFire[]): Promise<NotificationJob[]> {
  if (fires.length === 0) return [];
  const users = await reachableUsers(m, fires.map((f) => f.userId));
  const titles = await titlesOf(m, fires.map((f) => f.marketId));
  const jobs: NotificationJob[] = [];
  for (const f of fires) {
    const u = users.get(f.userId);
    if (!u) continue;
    const vars = { title: titles.get(f.marketId) ?? '', level: f.level, price: f.price, ref: f.refPrice ?? f.price, change: f.price - (f.refPrice ?? f.price) };
    const text = fitPlain(t(u.language, `alerts.fired_${f.kind}`, vars), TELEGRAM_LIMITS.message);
    jobs.push({
      chatId: u.chatId, userId: u.id, kind: 'send', text, digestLine: text, topic: 'alerts',
      dedupeKey: `alert-${f.alertId}-${f.seq}`, replyMarkup: cardButton(u.language, f.marketId),
    });
  }
  return jobs;
}

/** One message per finished trigger: what its market sell filled. */
export async function triggerMessages(m: EntityManager, done: readonly TriggerDone[]): Promise<NotificationJob[]> {
  if (done.length === 0) return [];
  const users = await reachableUsers(m, done.map((d) => d.userId));
  const titles = await titlesOf(m, done.map((d) => d.marketId));
  const jobs: NotificationJob[] = [];
  for (const d of done) {
    const u = users.get(d.userId);
    if (!u) continue;
    const vars = {
      title: titles.get(d.marketId) ?? '', side: t(u.language, d.side === 'YES' ? 'side.yes' : 'side.no'), level: d.level,
      asked: d.asked, shares: d.filled, amount: d.proceedsKop, fee: d.feeKop,
    };
    const head = t(u.language, d.kind === 'stop' ? 'triggers.fired_stop' : 'triggers.fired_take', vars);
    const body = t(u.language, d.filled > 0 ? 'triggers.sold' : 'triggers.sold_none', vars);
    const text = fitPlain(`${head}\n${body}`, TELEGRAM_LIMITS.message);
    jobs.push({
      chatId: u.chatId, userId: u.id, kind: 'send', text, digestLine: text, topic: 'triggers',
      dedupeKey: `trigger-${d.triggerId}`, replyMarkup: cardButton(u.language, d.marketId),
    });
  }
  return jobs;
}
