import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Outcome } from '../exchange/types';
import type { Kop } from '../money';
import { MoneyColumn } from './columns';

const idTransformer = { to: (v: number) => v, from: (v: string) => Number(v) };

/**
 * Shares a user holds of one outcome of one market (the share ledger, DESIGN §3): changed only by
 * fills, mints, merges and settlement. `shares` counts all held shares, `reserved` the part that
 * backs open sell orders. Cost basis and P&L are derived from the user's fills when shown, which
 * keeps them off the matching hot path.
 */
@Entity('positions')
export class Position {
  @PrimaryColumn({ name: 'user_id', type: 'bigint', transformer: idTransformer }) userId!: number;
  @PrimaryColumn({ name: 'market_id', type: 'bigint', transformer: idTransformer }) marketId!: number;
  @PrimaryColumn({ type: 'text' }) outcome!: Outcome;
  @Column({ type: 'integer', default: 0 }) shares!: number;
  @Column({ type: 'integer', default: 0 }) reserved!: number;
  @MoneyColumn({ name: 'payout_kop', nullable: true }) payoutKop!: Kop | null;
  @Column({ name: 'settled_at', type: 'timestamptz', nullable: true }) settledAt!: Date | null;
}
