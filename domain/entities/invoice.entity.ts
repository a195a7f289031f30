import { Column, CreateDateColumn, Entity } from 'typeorm';
import type { Kop } from '../money';
import { BigIdColumn, BigIntColumn, MoneyColumn } from './columns';

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
