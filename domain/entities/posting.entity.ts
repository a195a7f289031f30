import { Column, CreateDateColumn, Entity } from 'typeorm';
import type { Kop } from '../money';
import { BigIdColumn, BigIntColumn, MoneyColumn } from './columns';

/** One immutable movement of `amount` kop between two accounts (append only, DESIGN §3). */
@Entity('postings')
export class Posting {
  @BigIdColumn() id!: number;
  @BigIntColumn({ name: 'from_account_id' }) fromAccountId!: number;
  @BigIntColumn({ name: 'to_account_id' }) toAccountId!: number;
  @MoneyColumn() amount!: Kop;
  @Column({ type: 'text' }) kind!: string;
  @Column({ name: 'ref_type', type: 'text' }) refType!: string;
  @BigIntColumn({ name: 'ref_id', nullable: true }) refId!: number | null;
  @Column({ name: 'idempotency_key', type: 'text', nullable: true, unique: true }) idempotencyKey!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
