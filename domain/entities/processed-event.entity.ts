import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Keys of outside events already applied (Telegram updates, callback taps): at most once. */
@Entity('processed_events')
export class ProcessedEvent {
  @PrimaryColumn({ type: 'text' }) key!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
