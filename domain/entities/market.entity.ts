import { Column, CreateDateColumn, Entity } from 'typeorm';
import type { Kop } from '../money';
import { BigIdColumn, BigIntColumn, MoneyColumn } from './columns';

/** DESIGN §4: open → closed → proposed → resolved → settled. */
export type MarketStatus = 'open' | 'closed' | 'proposed' | 'resolved' | 'settled';
/** YES pays 100; NO pays 100 to NO; VOID pays 50 each; PROB pays r to YES and 100 − r to NO. */
export type MarketOutcome = 'YES' | 'NO' | 'VOID' | 'PROB';

/** A binary YES/NO question with one YES book. */
@Entity('markets')
export class Market {
  @BigIdColumn() id!: number;
  @Column({ type: 'text' }) title!: string;
  @Column({ type: 'text', default: '' }) description!: string;
  @Column({ type: 'text' }) category!: string;
  @Column({ type: 'timestamptz' }) deadline!: Date;
  @Column({ type: 'text', default: 'open' }) status!: MarketStatus;
  @Column({ name: 'trading_paused', type: 'boolean', default: false }) tradingPaused!: boolean;
  @Column({ type: 'text', nullable: true }) outcome!: MarketOutcome | null;
  /** Kop paid per YES share at settlement (NO gets 100 − this). */
  @Column({ name: 'yes_payout', type: 'smallint', nullable: true }) yesPayout!: number | null;
  /** Last traded YES price, 1..99. */
  @Column({ name: 'last_price', type: 'smallint', nullable: true }) lastPrice!: number | null;
  /** Traded notional, kop (each fill counts its YES-terms notional P × qty plus the NO side). */
  @MoneyColumn({ name: 'volume_kop', default: 0 }) volumeKop!: Kop;
  /** Bumped by every committed change to the book; a matching worker's cached book is valid only at this version. */
  @BigIntColumn({ name: 'book_version', default: 0 }) bookVersion!: number;
  @BigIntColumn({ name: 'chat_id', nullable: true }) chatId!: number | null;
  @BigIntColumn({ name: 'created_by', nullable: true }) createdBy!: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt!: Date | null;
  @Column({ name: 'settled_at', type: 'timestamptz', nullable: true }) settledAt!: Date | null;
  /** Bumped by every new proposal; buttons and notices of an older proposal carry a stale round. */
  @Column({ name: 'proposal_round', type: 'integer', default: 0 }) proposalRound!: number;
  /** users.id of the admin who made the current proposal. */
  @BigIntColumn({ name: 'proposed_by', nullable: true }) proposedBy!: number | null;
  @Column({ name: 'proposed_at', type: 'timestamptz', nullable: true }) proposedAt!: Date | null;
  /** Source link or note given with the proposal. */
  @Column({ name: 'proposal_note', type: 'text', nullable: true }) proposalNote!: string | null;
  /** users.id of the admins backing the current proposal, proposer first. */
  @Column({ type: 'bigint', array: true, default: () => "'{}'", transformer: { to: (v: number[]) => v, from: (v: string[]) => v.map(Number) } })
  approvals!: number[];
  /** Set once the quorum backs the proposal: it becomes final then, unless disputed. */
  @Column({ name: 'dispute_until', type: 'timestamptz', nullable: true }) disputeUntil!: Date | null;
  /** Set by a holder's dispute; finalization waits until an admin upholds or changes the proposal. */
  @Column({ name: 'disputed_at', type: 'timestamptz', nullable: true }) disputedAt!: Date | null;
}
