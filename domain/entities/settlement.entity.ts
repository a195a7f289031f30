import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Kop } from '../money';
import { MoneyColumn } from './columns';

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
