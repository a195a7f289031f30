import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notification controls (issue 11): per-topic switches and quiet hours of a user.
 *
 * - `notify_off`: topics the user switched off (their messages are dropped);
 *   `notify_silent`: topics sent with `disable_notification` (domain/services/notification-rules.ts).
 * - `quiet_from` / `quiet_to`: whole Moscow hours (0..23, from inclusive, to exclusive, may cross
 *   midnight); both null = no quiet hours. Held messages go out as one summary at `quiet_to`.
 */
export class NotificationControls1764300000000 implements MigrationInterface {
  name = 'NotificationControls1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users
        ADD COLUMN notify_off text[] NOT NULL DEFAULT '{}',
        ADD COLUMN notify_silent text[] NOT NULL DEFAULT '{}',
        ADD COLUMN quiet_from smallint CHECK (quiet_from BETWEEN 0 AND 23),
        ADD COLUMN quiet_to smallint CHECK (quiet_to BETWEEN 0 AND 23),
        ADD CONSTRAINT users_quiet_hours_check CHECK (
          (quiet_from IS NULL AND quiet_to IS NULL) OR (quiet_from IS NOT NULL AND quiet_to IS NOT NULL AND quiet_from <> quiet_to)),
        ADD CONSTRAINT users_notify_topics_check CHECK (
          notify_off <@ ARRAY['fills', 'outcomes', 'alerts', 'triggers', 'digests']::text[]
          AND notify_silent <@ ARRAY['fills', 'outcomes', 'alerts', 'triggers', 'digests']::text[])`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_notify_topics_check, DROP CONSTRAINT users_quiet_hours_check,
                   DROP COLUMN quiet_to, DROP COLUMN quiet_from, DROP COLUMN notify_silent, DROP COLUMN notify_off`);
  }
}
