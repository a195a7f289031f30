import { Column, Entity } from 'typeorm';
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
