import { Column, CreateDateColumn, Entity } from 'typeorm';
import { BigIdColumn, BigIntColumn } from './columns';

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
