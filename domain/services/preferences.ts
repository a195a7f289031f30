/**
 * A user's settings (/settings) and whether Telegram lets the bot reach them. Expected failures
 * are typed results (STYLE §9).
 */
import { IsNull, type EntityManager } from 'typeorm';
import { User, type NotifyMode } from '../entities';
import { MIN_NOTIONAL_KOP } from '../exchange';
import { kop, type Kop } from '../money';
import { validQuietHours, type NotificationTopic, type QuietHours } from './notification-rules';
import { fail, type Result } from './result';

/** Quick-bet stake offered as buttons, kop (50 / 100 / 250 / 500 / 1 000 ₽). */
export const STAKE_PRESETS: readonly Kop[] = [5_000, 10_000, 25_000, 50_000, 100_000].map(kop);
/** Smallest stake: the exchange's smallest order (10 ₽). */
export const STAKE_MIN: Kop = MIN_NOTIONAL_KOP;
/**
 * Largest stake: 100 000 ₽. A stake is spent by two taps on a card in a busy group chat, so it is
 * kept well under the exchange's 1 000 000 ₽ order limit; bigger bets go through the bot's preview.
 */
export const STAKE_MAX: Kop = kop(10_000_000);

export const NOTIFY_MODES: readonly NotifyMode[] = ['instant', 'hourly', 'daily'];

/** Sets the quick-bet stake. Failure: stake_out_of_range {min, max} (kop). */
export async function setDefaultStake(m: EntityManager, userId: number, stakeKop: number): Promise<Result<object>> {
  if (!Number.isSafeInteger(stakeKop) || stakeKop < STAKE_MIN || stakeKop > STAKE_MAX) {
    return fail('stake_out_of_range', { min: STAKE_MIN, max: STAKE_MAX });
  }
  await m.getRepository(User).update({ id: userId }, { defaultStakeKop: kop(stakeKop) });
  return { ok: true };
}

/** Sets how notifications arrive: at once, or as an hourly / daily summary (workers/notifications/digest.ts). */
export async function setNotifyMode(m: EntityManager, userId: number, mode: NotifyMode): Promise<void> {
  await m.getRepository(User).update({ id: userId }, { notifyMode: mode });
}

/**
 * Switches a topic on or off, or its silent delivery (issue 11), in one statement so two quick taps
 * on different topics never overwrite each other. @returns the user's lists afterwards.
 */
export async function setTopicSwitch(m: EntityManager, userId: number, topic: NotificationTopic, what: 'off' | 'silent', on: boolean): Promise<{ off: NotificationTopic[]; silent: NotificationTopic[] }> {
  const column = what === 'off' ? 'notify_off' : 'notify_silent';
  const change = on ? `array_append(array_remove(${column}, $2), $2)` : `array_remove(${column}, $2)`;
  await m.query(`UPDATE users SET ${column} = ${change} WHERE id = $1`, [userId, topic]);
  const u = await m.getRepository(User).findOne({ select: { id: true, notifyOff: true, notifySilent: true }, where: { id: userId } });
  return { off: u?.notifyOff ?? [], silent: u?.notifySilent ?? [] };
}

/** Sets quiet hours (Moscow, whole hours) or clears them with null. Failure: quiet_hours_invalid. */
export async function setQuietHours(m: EntityManager, userId: number, q: QuietHours | null): Promise<Result<object>> {
  if (q !== null && !validQuietHours(q)) return fail('quiet_hours_invalid');
  await m.getRepository(User).update({ id: userId }, { quietFrom: q?.from ?? null, quietTo: q?.to ?? null });
  return { ok: true };
}

/**
 * Records whether the user blocks the bot (Bot API `my_chat_member` in their private chat:
 * status `kicked` when they block it, `member` when they unblock or restart it). While blocked
 * the notifications pipeline sends them nothing; clearing it re-enables them.
 */
export async function setBlocked(m: EntityManager, userId: number, blocked: boolean): Promise<void> {
  await m.query(
    blocked
      ? `UPDATE users SET blocked_at = now() WHERE id = $1 AND blocked_at IS NULL`
      : `UPDATE users SET blocked_at = NULL WHERE id = $1 AND blocked_at IS NOT NULL`,
    [userId]);
}

/**
 * Records that Telegram refused a private chat with 403 (the first time only), by users.id when
 * known, else by Telegram id = `chatId`. The bot clears `blocked_at` when the user sends /start
 * again, which re-enables notifications.
 */
export async function markChatBlocked(m: EntityManager, chatId: number, userId?: number): Promise<void> {
  const where = userId !== undefined ? { id: userId } : { telegramId: chatId };
  await m.getRepository(User).update({ ...where, blockedAt: IsNull() }, { blockedAt: () => 'now()' });
}
