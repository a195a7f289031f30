import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Resolution lifecycle (DESIGN §4, docs/RESOLUTION.md): a market in `proposed` carries its
 * proposal in the existing `outcome` / `yes_payout` columns plus who backs it, the dispute window
 * and whether a dispute pauses it; disputes get their own table (one per holder per proposal).
 * Indexes for settlement's batches and for per-user account reads.
 */
export class ResolutionLifecycle1763800000000 implements MigrationInterface {
  name = 'ResolutionLifecycle1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE markets
        ADD COLUMN proposal_round integer NOT NULL DEFAULT 0,
        ADD COLUMN proposed_by bigint REFERENCES users(id),
        ADD COLUMN proposed_at timestamptz,
        ADD COLUMN proposal_note text,
        ADD COLUMN approvals bigint[] NOT NULL DEFAULT '{}',
        ADD COLUMN dispute_until timestamptz,
        ADD COLUMN disputed_at timestamptz`);
    // The maintenance tick looks for confirmed proposals whose window is over.
    await q.query(`CREATE INDEX markets_dispute_due_idx ON markets (dispute_until) WHERE status = 'proposed'`);
    // Settlement pays a market's unpaid positions in (user, outcome) order, a batch at a time: this
    // index hands each batch its rows without sorting the whole market again.
    await q.query(`CREATE INDEX positions_unpaid_idx ON positions (market_id, user_id, outcome) WHERE settled_at IS NULL`);
    await q.query(`DROP INDEX positions_market_idx`);
    // Matching reads the takers' accounts by user (market-batch prepare), settlement too.
    await q.query(`CREATE INDEX accounts_user_idx ON accounts (user_id) WHERE user_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE market_disputes (
        market_id bigint NOT NULL REFERENCES markets(id),
        round integer NOT NULL,
        user_id bigint NOT NULL REFERENCES users(id),
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (market_id, round, user_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS market_disputes`);
    await q.query(`DROP INDEX IF EXISTS markets_dispute_due_idx`);
    await q.query(`DROP INDEX IF EXISTS accounts_user_idx`);
    await q.query(`CREATE INDEX positions_market_idx ON positions (market_id) WHERE settled_at IS NULL`);
    await q.query(`DROP INDEX IF EXISTS positions_unpaid_idx`);
    await q.query(`
      ALTER TABLE markets
        DROP COLUMN proposal_round, DROP COLUMN proposed_by, DROP COLUMN proposed_at, DROP COLUMN proposal_note,
        DROP COLUMN approvals, DROP COLUMN dispute_until, DROP COLUMN disputed_at`);
  }
}
