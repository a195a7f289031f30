import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The command log (issue 13): every matching command (place, cancel, cancel_all, close, expire) is
 * recorded here, with its idempotency key, before the user hears anything but "placing…". Redis
 * only signals that a market has work; a drain job applies a market's unapplied commands in `seq`
 * order and writes `result` / `applied_at` in the same transaction as the batch.
 *
 * - `market_id`: no foreign key, so a command naming a missing market cannot fail the whole
 *   group commit it rides in; it is applied as `market_not_found`.
 * - `seq`: the order of recording, the order of application within a market.
 * - `payload`: the command as submitted (domain/services/commands.ts) plus `reqId`.
 * - `result`: the CommandResult, set together with `applied_at`.
 */
export class CommandLog1764500000000 implements MigrationInterface {
  name = 'CommandLog1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE commands (
        seq bigserial PRIMARY KEY,
        market_id bigint NOT NULL,
        idempotency_key text NOT NULL UNIQUE,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        applied_at timestamptz,
        result jsonb,
        CONSTRAINT commands_applied_result_check CHECK ((applied_at IS NULL) = (result IS NULL))
      )`);
    await q.query(`CREATE INDEX commands_pending_idx ON commands (market_id, seq) WHERE applied_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE commands`);
  }
}
