import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Many open markets (issue 13): the sweeps must not read every open market or every waiting
 * command each time they run.
 *
 * - `markets_open_deadline_idx`: the deadline sweep (`status = 'open' AND deadline <= now()`,
 *   domain/read/sweeps.ts marketsPastDeadline) read all open markets through markets_status_idx
 *   and dropped those not yet due (EXPLAIN with 10 000 open markets: 10 000 rows removed by the
 *   filter); partial on the open markets, it reads only those due.
 * - `commands_pending_seq_idx`: the oldest waiting commands of all markets (`ORDER BY seq LIMIT n`,
 *   the markets a drain takes along, domain/services/matching.ts drainMarkets) without sorting
 *   every waiting command; commands_pending_idx stays for one market's waiting commands.
 */
export class OpenMarketDeadline1764700000000 implements MigrationInterface {
  name = 'OpenMarketDeadline1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX markets_open_deadline_idx ON markets (deadline) WHERE status = 'open'`);
    await q.query(`CREATE INDEX commands_pending_seq_idx ON commands (seq) WHERE applied_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX commands_pending_seq_idx`);
    await q.query(`DROP INDEX markets_open_deadline_idx`);
  }
}
