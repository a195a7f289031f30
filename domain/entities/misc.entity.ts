import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { Kop } from '../money';
import { BigIdColumn, BigIntColumn, MoneyColumn } from './columns';

/** A point of a market's YES-price history (charts). */
@Entity('price_points')
export class PricePoint {
  @BigIdColumn() id!: number;
  @BigIntColumn({ name: 'market_id' }) marketId!: number;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ type: 'smallint' }) price!: number;
  @MoneyColumn({ name: 'volume_kop', default: 0 }) volumeKop!: Kop;
}

/** An invoice the bot sent; `payload` ties the Telegram payment back to it. */
@Entity('invoices')
export class Invoice {
  @BigIdColumn() id!: number;
  @BigIntColumn({ name: 'user_id' }) userId!: number;
  @MoneyColumn({ name: 'amount_kop' }) amountKop!: Kop;
  @Column({ type: 'text', unique: true }) payload!: string;
  @Column({ type: 'text', default: 'pending' }) status!: 'pending' | 'paid';
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt!: Date | null;
}

/** A received payment, unique per `telegram_payment_charge_id` (credited at most once). */
@Entity('payments')
export class Payment {
  @BigIdColumn() id!: number;
  @Column({ type: 'text' }) provider!: string;
  @Column({ name: 'telegram_charge_id', type: 'text', unique: true }) telegramChargeId!: string;
  @Column({ name: 'provider_charge_id', type: 'text' }) providerChargeId!: string;
  @BigIntColumn({ name: 'invoice_id' }) invoiceId!: number;
  @BigIntColumn({ name: 'user_id' }) userId!: number;
  @MoneyColumn({ name: 'amount_kop' }) amountKop!: Kop;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** Keys of outside events already applied (Telegram updates, callback taps): at most once. */
@Entity('processed_events')
export class ProcessedEvent {
  @PrimaryColumn({ type: 'text' }) key!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** Audit trail of a market's lifecycle: who did what, when and why. */
@Entity('market_events')
export class MarketEvent {
  @BigIdColumn() id!: number;
  @BigIntColumn({ name: 'market_id' }) marketId!: number;
  @BigIntColumn({ name: 'actor_user_id', nullable: true }) actorUserId!: number | null;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'jsonb', default: {} }) data!: Record<string, unknown>;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** Progress of one market's settlement job. */
@Entity('settlements')
export class Settlement {
  @PrimaryColumn({ name: 'market_id', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  marketId!: number;
  @Column({ name: 'yes_payout', type: 'smallint' }) yesPayout!: number;
  @Column({ type: 'text', default: 'running' }) status!: 'running' | 'done';
  @Column({ name: 'positions_total', type: 'integer', default: 0 }) positionsTotal!: number;
  @Column({ name: 'positions_paid', type: 'integer', default: 0 }) positionsPaid!: number;
  @MoneyColumn({ name: 'paid_kop', default: 0 }) paidKop!: Kop;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
