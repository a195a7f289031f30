import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The house market maker (DESIGN §9, issue 8).
 *
 * - `house:liquidity`: the house account that funds the makers of admin markets (it goes
 *   negative like the other house accounts; what a maker returns at settlement comes back to it).
 * - `users.is_maker`: a maker is a user row of its own (its own available / reserved accounts and
 *   positions, so every invariant of §3 covers it like anyone); it has no Telegram chat: its
 *   `telegram_id` is a synthetic negative number that no Telegram user has.
 * - `market_makers`: one per market: its user, its funder (a user for group markets, NULL for
 *   `house:liquidity`), the budget B it was given, the opening price, and its current ladder
 *   (b, centred on `anchor_price` at net inventory `anchor_net`); `returned_kop` is set once
 *   settlement has handed what it held back to the funder.
 */
export class HouseMarketMaker1764000000000 implements MigrationInterface {
  name = 'HouseMarketMaker1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts DROP CONSTRAINT accounts_kind_check`);
    await q.query(`ALTER TABLE accounts ADD CONSTRAINT accounts_kind_check
      CHECK (kind IN ('available', 'reserved', 'escrow', 'fees', 'promo', 'deposits', 'withdrawals', 'liquidity'))`);
    await q.query(`INSERT INTO accounts (code, kind, may_go_negative) VALUES ('house:liquidity', 'liquidity', true)`);
    await q.query(`ALTER TABLE users ADD COLUMN is_maker boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE market_makers (
        market_id bigint PRIMARY KEY REFERENCES markets(id),
        user_id bigint NOT NULL UNIQUE REFERENCES users(id),
        funder_user_id bigint REFERENCES users(id),
        budget_kop bigint NOT NULL CHECK (budget_kop > 0),
        opening_price smallint NOT NULL CHECK (opening_price BETWEEN 1 AND 99),
        b integer NOT NULL CHECK (b >= 0),
        anchor_price smallint NOT NULL CHECK (anchor_price BETWEEN 1 AND 99),
        anchor_net integer NOT NULL DEFAULT 0,
        returned_kop bigint,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS market_makers`);
    await q.query(`ALTER TABLE users DROP COLUMN IF EXISTS is_maker`);
    await q.query(`DELETE FROM accounts WHERE code = 'house:liquidity'`);
    await q.query(`ALTER TABLE accounts DROP CONSTRAINT accounts_kind_check`);
    await q.query(`ALTER TABLE accounts ADD CONSTRAINT accounts_kind_check
      CHECK (kind IN ('available', 'reserved', 'escrow', 'fees', 'promo', 'deposits', 'withdrawals'))`);
  }
}
