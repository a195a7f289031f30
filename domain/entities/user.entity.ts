import { Column, CreateDateColumn, Entity } from 'typeorm';
import type { Kop } from '../money';
import type { Language } from '../../infra/language';
import type { NotificationTopic } from '../services/notification-rules';
import { BigIdColumn, BigIntColumn, MoneyColumn } from './columns';

export type { Language };
export type NotifyMode = 'instant' | 'hourly' | 'daily';

/** A Telegram user who started the bot. UI state lives in the Redis session, never here. */
@Entity('users')
export class User {
  @BigIdColumn() id!: number;
  @BigIntColumn({ name: 'telegram_id', unique: true }) telegramId!: number;
  @Column({ type: 'text', nullable: true }) username!: string | null;
  @Column({ name: 'first_name', type: 'text', default: '' }) firstName!: string;
  @Column({ type: 'text', default: 'ru' }) language!: Language;
  /** Quick-bet stake for group cards, kop. */
  @MoneyColumn({ name: 'default_stake_kop', default: 10000 }) defaultStakeKop!: Kop;
  @Column({ name: 'notify_mode', type: 'text', default: 'instant' }) notifyMode!: NotifyMode;
  /** Topics switched off / sent silently (issue 11, domain/services/notification-rules.ts). */
  @Column({ name: 'notify_off', type: 'text', array: true, default: () => "'{}'" }) notifyOff!: NotificationTopic[];
  @Column({ name: 'notify_silent', type: 'text', array: true, default: () => "'{}'" }) notifySilent!: NotificationTopic[];
  /** Quiet hours, whole Moscow hours (from inclusive, to exclusive); both null: none. */
  @Column({ name: 'quiet_from', type: 'smallint', nullable: true }) quietFrom!: number | null;
  @Column({ name: 'quiet_to', type: 'smallint', nullable: true }) quietTo!: number | null;
  @Column({ name: 'blocked_at', type: 'timestamptz', nullable: true }) blockedAt!: Date | null;
  /** A house market maker's own user (DESIGN §9): no Telegram chat, no notifications, not on leaderboards. */
  @Column({ name: 'is_maker', type: 'boolean', default: false }) isMaker!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
