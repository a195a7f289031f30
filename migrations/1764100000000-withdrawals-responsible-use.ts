import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Money out and responsible use (issue 9).
 *
 * - Account kind `withdrawal_pending`: one per user (`user:<id>:withdrawal_pending`), holding the
 *   amounts of their requests that are not paid, rejected or cancelled yet; never negative.
 *   The kind CHECK is rebuilt from its current list plus the new kind, so another migration that
 *   adds kinds of its own (before or after this one, doing the same) keeps them.
 * - `external:withdrawals:manual`: where paid withdrawals go (payouts made by an admin outside
 *   the bot); it goes negative by design, like every outside account (DESIGN §3).
 * - `withdrawals`: one row per request. `idempotency_key` is born at the user's Confirm tap;
 *   `approvals` holds the users.id of each approving admin (a quorum above WITHDRAW_QUORUM_KOP).
 * - `user_limits`: accepted terms version, deposit limits (a raise waits in `*_next_*` until
 *   `*_next_at`) and self-exclusion (`excluded_until`, 'infinity' for indefinitely).
 */
export class WithdrawalsResponsibleUse1764100000000 implements MigrationInterface {
  name = 'WithdrawalsResponsibleUse1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE kinds text[];
      BEGIN
        SELECT array_agg(DISTINCT k ORDER BY k) INTO kinds FROM (
          SELECT (regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g'))[1] AS k
            FROM pg_constraint c WHERE c.conname = 'accounts_kind_check' AND c.conrelid = 'accounts'::regclass
          UNION SELECT 'withdrawal_pending') s;
        ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_kind_check;
        EXECUTE format('ALTER TABLE accounts ADD CONSTRAINT accounts_kind_check CHECK (kind = ANY (%L::text[]))', kinds);
      END $$`);
    await q.query(`INSERT INTO accounts (code, kind, may_go_negative) VALUES ('external:withdrawals:manual', 'withdrawals', true)
                   ON CONFLICT (code) DO NOTHING`);
    await q.query(`
      CREATE TABLE withdrawals (
        id bigserial PRIMARY KEY,
        user_id bigint NOT NULL REFERENCES users(id),
        amount_kop bigint NOT NULL CHECK (amount_kop > 0),
        fee_kop bigint NOT NULL CHECK (fee_kop >= 0 AND fee_kop < amount_kop),
        method text NOT NULL,
        destination_kind text NOT NULL CHECK (destination_kind IN ('sbp', 'card')),
        destination jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'paid', 'rejected', 'cancelled')),
        idempotency_key text NOT NULL UNIQUE,
        approvals bigint[] NOT NULL DEFAULT '{}',
        approvals_needed smallint NOT NULL CHECK (approvals_needed >= 1),
        reject_reason text,
        payout_ref text,
        rejected_by bigint REFERENCES users(id),
        paid_by bigint REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        approved_at timestamptz,
        paid_at timestamptz,
        closed_at timestamptz,
        sla_flagged_at timestamptz,
        CONSTRAINT withdrawals_paid_has_ref CHECK (status <> 'paid' OR (payout_ref IS NOT NULL AND paid_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX withdrawals_user_idx ON withdrawals (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX withdrawals_open_idx ON withdrawals (created_at) WHERE status IN ('pending', 'approved')`);
    await q.query(`
      CREATE TABLE user_limits (
        user_id bigint PRIMARY KEY REFERENCES users(id),
        terms_version integer,
        terms_accepted_at timestamptz,
        day_limit_kop bigint CHECK (day_limit_kop > 0),
        day_next_kop bigint CHECK (day_next_kop > 0),
        day_next_at timestamptz,
        month_limit_kop bigint CHECK (month_limit_kop > 0),
        month_next_kop bigint CHECK (month_next_kop > 0),
        month_next_at timestamptz,
        excluded_until timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS user_limits`);
    await q.query(`DROP TABLE IF EXISTS withdrawals`);
    await q.query(`DELETE FROM accounts WHERE code = 'external:withdrawals:manual'
                   AND NOT EXISTS (SELECT 1 FROM postings p WHERE p.from_account_id = accounts.id OR p.to_account_id = accounts.id)`);
  }
}
