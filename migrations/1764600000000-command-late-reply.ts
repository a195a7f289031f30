import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Late answers (issue 13): when the bot said "queued" (no result in time), the command's result is
 * still owed to the user, once.
 *
 * - `reply_chat_id`: the Telegram chat to tell the result in.
 * - `late_at`: when the bot marked it late (set only while unapplied, so the drain that applies it
 *   sees the mark in its own transaction and returns it).
 * - `late_notified_at`: when the result notice was handed to the notifier (deduplicated there by
 *   command), so a crash between apply and notice is repeated by the sweep, never doubled.
 *
 * The partial index keeps the sweep's "late, applied, not yet told" look-up off the whole table.
 */
export class CommandLateReply1764600000000 implements MigrationInterface {
  name = 'CommandLateReply1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE commands ADD COLUMN reply_chat_id bigint, ADD COLUMN late_at timestamptz, ADD COLUMN late_notified_at timestamptz`);
    await q.query(`ALTER TABLE commands ADD CONSTRAINT commands_late_chat_check CHECK (late_at IS NULL OR reply_chat_id IS NOT NULL)`);
    await q.query(`CREATE INDEX commands_late_unnotified_idx ON commands (seq) WHERE late_at IS NOT NULL AND late_notified_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX commands_late_unnotified_idx`);
    await q.query(`ALTER TABLE commands DROP CONSTRAINT commands_late_chat_check, DROP COLUMN late_notified_at, DROP COLUMN late_at, DROP COLUMN reply_chat_id`);
  }
}
