import { Column, CreateDateColumn, Entity } from 'typeorm';
import type { Kop } from '../money';
import { BigIdColumn, BigIntColumn, MoneyColumn } from './columns';

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
