import { Column, CreateDateColumn, Entity, UpdateDateColumn } from 'typeorm';
import type { Intent, TimeInForce } from '../exchange/types';
import type { Kop } from '../money';
import { BigIdColumn, BigIntColumn, MoneyColumn } from './columns';

export type OrderStatus = 'open' | 'filled' | 'cancelled' | 'expired' | 'rejected';
export type OrderKind = 'limit' | 'market';

/**
 * An order in a market's YES book (DESIGN §2). `price` is the YES-book limit, 1..99.
 * What an open order keeps reserved is derived from it (buy: own price × remaining kop; sell:
 * remaining shares), so it is not stored twice.
 */
@Entity('orders')
export class Order {
  @BigIdColumn() id!: number;
  @BigIntColumn({ name: 'market_id' }) marketId!: number;
  @BigIntColumn({ name: 'user_id' }) userId!: number;
  @Column({ type: 'text' }) intent!: Intent;
  @Column({ type: 'smallint' }) price!: number;
  /** Requested shares (for a spend-X buy: the shares it ended up buying). */
  @Column({ type: 'integer' }) qty!: number;
  /** "Spend X ₽" budget, kop. */
  @MoneyColumn({ name: 'spend_kop', nullable: true }) spendKop!: Kop | null;
  @Column({ type: 'integer' }) remaining!: number;
  @Column({ type: 'integer', default: 0 }) filled!: number;
  @Column({ type: 'text' }) kind!: OrderKind;
  @Column({ type: 'text' }) tif!: TimeInForce;
  @Column({ name: 'post_only', type: 'boolean', default: false }) postOnly!: boolean;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt!: Date | null;
  @Column({ type: 'text' }) status!: OrderStatus;
  /** What fills cost (buys) or paid (sells), kop, before fees. */
  @MoneyColumn({ name: 'cost_kop', default: 0 }) costKop!: Kop;
  /** Net fee: taker fees minus maker rebates, kop. */
  @MoneyColumn({ name: 'fee_kop', default: 0 }) feeKop!: Kop;
  @Column({ name: 'cancel_reason', type: 'text', nullable: true }) cancelReason!: string | null;
  @Column({ name: 'idempotency_key', type: 'text', unique: true }) idempotencyKey!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
