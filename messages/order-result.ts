/**
 * The result of a command the bot answered "queued" (issue 13, late answers): the matching worker
 * tells it in the chat the user acted in once the command applies (commands.late_at, see
 * domain/services/command-log.ts markLate). HTML, like the bot's own answer to a Confirm. One
 * message per command, deduplicated by its `seq`, so a redelivery after a crash notifies once.
 */
import type { EntityManager } from 'typeorm';
import { formatRatio } from '../infra/format';
import { isBuy, outcomeOf } from '../domain/exchange';
import type { LateResult } from '../domain/services/command-log';
import type { OrderOutcome } from '../domain/services/commands';
import type { Language } from '../domain/entities';
import { reachableUsers } from '../domain/read/recipients';
import { titlesOf } from '../domain/read/titles';
import { hasText, t, th } from '../infra/i18n';
import { cb } from './callback-data';
import { fitHtml, TELEGRAM_LIMITS } from './fit';
import { SIDE_KEY } from './labels';
import type { NotificationJob } from './outgoing';

/** The lines of a placed order's outcome (the same words as the bot's answer to Confirm). */
function outcomeLines(lang: Language, o: OrderOutcome): string[] {
  const side = th(lang, SIDE_KEY[outcomeOf(o.intent)]);
  const vars = { side, price: o.price, filled: o.filled, resting: o.resting, cost: o.costKop, fee: o.feeKop };
  const lines: string[] = [];
  if (o.filled > 0) {
    lines.push(th(lang, isBuy(o.intent) ? 'result.bought' : 'result.sold', { ...vars, avg: formatRatio(o.costKop, o.filled, lang, 1) }));
    if (o.resting > 0) lines.push(th(lang, 'result.rest_in_book', vars));
    else if (o.status !== 'filled') lines.push(th(lang, 'result.rest_cancelled', vars));
  } else if (o.resting > 0) {
    lines.push(th(lang, 'result.resting', vars));
  } else {
    lines.push(th(lang, 'result.nothing_filled', vars));
  }
  if (o.selfTradeCancelled > 0) lines.push(th(lang, 'result.self_trade', { count: o.selfTradeCancelled }));
  return lines;
}

/** The words of one late result, or null for commands nobody waits on (market sweeps). */
function lateText(lang: Language, title: string, late: LateResult): string | null {
  const { cmd, result } = late;
  if (cmd.type !== 'place' && cmd.type !== 'cancel' && cmd.type !== 'cancel_all') return null;
  const place = cmd.type === 'place';
  if (!result.ok) {
    const key = hasText(lang, `errors.${result.code}`) ? `errors.${result.code}` : 'errors.unknown';
    return [th(lang, place ? 'late.order_failed' : 'late.cancel_failed', { title }), th(lang, key, result.vars)].join('\n');
  }
  if (!place) return th(lang, cmd.type === 'cancel' ? 'late.cancelled' : 'late.cancelled_all', { title, count: result.cancelled ?? 0 });
  if (!result.outcome) return th(lang, 'late.order_done', { title });
  return [th(lang, 'late.order_done', { title }), ...outcomeLines(lang, result.outcome)].join('\n');
}

/** One message per late command whose user can be reached, in `seq` order, to its reply chat. */
export async function lateResultMessages(m: EntityManager, lates: readonly LateResult[]): Promise<NotificationJob[]> {
  const owned = lates.filter((l) => 'userId' in l.cmd);
  if (owned.length === 0) return [];
  const users = await reachableUsers(m, owned.map((l) => (l.cmd as { userId: number }).userId));
  const titles = await titlesOf(m, owned.map((l) => l.cmd.marketId));
  const jobs: NotificationJob[] = [];
  for (const l of owned) {
    const u = users.get((l.cmd as { userId: number }).userId);
    if (!u) continue;
    const text = lateText(u.language, titles.get(l.cmd.marketId) ?? '', l);
    if (text === null) continue;
    jobs.push({
      // userId only for the user's own private chat (blocking and batching are about that chat).
      chatId: l.replyChatId, ...(l.replyChatId === u.chatId ? { userId: u.id } : {}), kind: 'send', text: fitHtml(text, TELEGRAM_LIMITS.message), parseMode: 'HTML',
      dedupeKey: `late-${l.seq}`,
      replyMarkup: { inline_keyboard: [[{ text: t(u.language, 'late.open_portfolio'), callback_data: cb.portfolio.encode({}) }]] },
    });
  }
  return jobs;
}
