import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops state that is derived elsewhere and adds the fee-tier volume table:
 * - an open order's reserve follows from it (buy: own price × remaining kop; sell: remaining
 *   shares), so orders no longer store it twice;
 * - cost basis and P&L are derived from a user's fills when shown, off the matching hot path;
 * - `taker_volume` keeps daily taker notional per user, so the fee tier (seed plan: 30-day
 *   volume) reads at most 30 rows;
 * - fills are looked up per user and market (portfolio P&L), as taker and as maker.
 */
export class DerivedReservesTakerVolume1763750000000 implements MigrationInterface {
  name = 'DerivedReservesTakerVolume1763750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders DROP COLUMN reserved_kop, DROP COLUMN reserved_shares`);
    await q.query(`ALTER TABLE positions DROP COLUMN cost_kop, DROP COLUMN realized_kop`);
    await q.query(`DROP INDEX fills_taker_user_idx`);
    await q.query(`CREATE INDEX fills_taker_user_idx ON fills (taker_user_id, market_id)`);
    await q.query(`CREATE INDEX fills_maker_user_idx ON fills (maker_user_id, market_id)`);
    await q.query(`
      CREATE TABLE taker_volume (
        user_id bigint NOT NULL REFERENCES users(id),
        day date NOT NULL,
        notional_kop bigint NOT NULL CHECK (notional_kop >= 0),
        PRIMARY KEY (user_id, day)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE taker_volume`);
    await q.query(`DROP INDEX fills_maker_user_idx`);
    await q.query(`DROP INDEX fills_taker_user_idx`);
    await q.query(`CREATE INDEX fills_taker_user_idx ON fills (taker_user_id, created_at)`);
    await q.query(`ALTER TABLE positions ADD COLUMN cost_kop bigint NOT NULL DEFAULT 0, ADD COLUMN realized_kop bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE orders ADD COLUMN reserved_kop bigint NOT NULL DEFAULT 0 CHECK (reserved_kop >= 0),
                   ADD COLUMN reserved_shares integer NOT NULL DEFAULT 0 CHECK (reserved_shares >= 0)`);
  }
}
