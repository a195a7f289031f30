import { Column, CreateDateColumn, Entity } from 'typeorm';
import type { FillKind } from '../exchange/types';
import type { Kop } from '../money';
import { BigIdColumn, BigIntColumn, MoneyColumn } from './columns';

/** A trade between a resting maker and an incoming taker at the maker's YES price. */
@Entity('fills')
export class FillRow {
  @BigIdColumn() id!: number;
  @BigIntColumn({ name: 'market_id' }) marketId!: number;
  @BigIntColumn({ name: 'maker_order_id' }) makerOrderId!: number;
  @BigIntColumn({ name: 'taker_order_id' }) takerOrderId!: number;
  @BigIntColumn({ name: 'maker_user_id' }) makerUserId!: number;
  @BigIntColumn({ name: 'taker_user_id' }) takerUserId!: number;
  @Column({ type: 'text' }) kind!: FillKind;
  @Column({ type: 'smallint' }) price!: number;
  @Column({ type: 'integer' }) qty!: number;
  @MoneyColumn({ name: 'taker_fee_kop', default: 0 }) takerFeeKop!: Kop;
  @MoneyColumn({ name: 'maker_rebate_kop', default: 0 }) makerRebateKop!: Kop;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
