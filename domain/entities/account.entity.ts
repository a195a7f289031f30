import { Column, Entity } from 'typeorm';
import type { Kop } from '../money';
import { BigIdColumn, BigIntColumn, MoneyColumn } from './columns';

export type AccountKind = 'available' | 'reserved' | 'escrow' | 'fees' | 'promo' | 'deposits' | 'withdrawals' | 'liquidity';

/**
 * A ledger account (DESIGN §3). Codes: `user:<id>:available`, `user:<id>:reserved`,
 * `market:<id>:escrow`, `house:fees`, `house:promo`, `house:liquidity`, `external:telegram:deposits`.
 *
 * `balance` is a cache kept in the same transaction as each posting, and only for accounts that
 * must never go below zero (users, escrow), where a CHECK constraint enforces it. House and
 * outside accounts (`mayGoNegative`) are derived from postings alone: caching them would make one
 * row that every fill in every market must lock.
 */
@Entity('accounts')
export class Account {
  @BigIdColumn() id!: number;
  @Column({ type: 'text', unique: true }) code!: string;
  @Column({ type: 'text' }) kind!: AccountKind;
  @BigIntColumn({ name: 'user_id', nullable: true }) userId!: number | null;
  @BigIntColumn({ name: 'market_id', nullable: true }) marketId!: number | null;
  @MoneyColumn({ default: 0 }) balance!: Kop;
  @Column({ name: 'may_go_negative', type: 'boolean', default: false }) mayGoNegative!: boolean;
}
