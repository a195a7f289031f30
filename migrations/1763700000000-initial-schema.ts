import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first schema: users, the double-entry ledger (accounts + postings), markets, the one
 * YES book's orders and fills, share positions, payments and the idempotency keys of
 * outside events (DESIGN §1–§4). Money columns are bigint kopecks; prices smallint 1..99.
 */
export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id bigserial PRIMARY KEY,
        telegram_id bigint NOT NULL UNIQUE,
        username text,
        first_name text NOT NULL DEFAULT '',
        language text NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'en')),
        default_stake_kop bigint NOT NULL DEFAULT 10000 CHECK (default_stake_kop > 0),
        notify_mode text NOT NULL DEFAULT 'instant' CHECK (notify_mode IN ('instant', 'hourly', 'daily')),
        blocked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE markets (
        id bigserial PRIMARY KEY,
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        category text NOT NULL,
        deadline timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open'
          CHECK (status IN ('open', 'closed', 'proposed', 'resolved', 'settled')),
        trading_paused boolean NOT NULL DEFAULT false,
        outcome text CHECK (outcome IN ('YES', 'NO', 'VOID', 'PROB')),
        yes_payout smallint CHECK (yes_payout BETWEEN 0 AND 100),
        last_price smallint CHECK (last_price BETWEEN 1 AND 99),
        volume_kop bigint NOT NULL DEFAULT 0 CHECK (volume_kop >= 0),
        book_version bigint NOT NULL DEFAULT 0,
        chat_id bigint,
        created_by bigint REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        resolved_at timestamptz,
        settled_at timestamptz
      )`);
    await q.query(`CREATE INDEX markets_status_idx ON markets (status, category)`);
    await q.query(`
      CREATE TABLE accounts (
        id bigserial PRIMARY KEY,
        code text NOT NULL UNIQUE,
        kind text NOT NULL
          CHECK (kind IN ('available', 'reserved', 'escrow', 'fees', 'promo', 'deposits', 'withdrawals')),
        user_id bigint REFERENCES users(id),
        market_id bigint REFERENCES markets(id),
        balance bigint NOT NULL DEFAULT 0,
        may_go_negative boolean NOT NULL DEFAULT false,
        CONSTRAINT accounts_non_negative CHECK (may_go_negative OR balance >= 0)
      )`);
    await q.query(`
      CREATE TABLE postings (
        id bigserial PRIMARY KEY,
        from_account_id bigint NOT NULL REFERENCES accounts(id),
        to_account_id bigint NOT NULL REFERENCES accounts(id),
        amount bigint NOT NULL CHECK (amount > 0),
        kind text NOT NULL,
        ref_type text NOT NULL,
        ref_id bigint,
        idempotency_key text UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (from_account_id <> to_account_id)
      )`);
    await q.query(`CREATE INDEX postings_from_idx ON postings (from_account_id)`);
    await q.query(`CREATE INDEX postings_to_idx ON postings (to_account_id)`);
    await q.query(`
      CREATE TABLE orders (
        id bigserial PRIMARY KEY,
        market_id bigint NOT NULL REFERENCES markets(id),
        user_id bigint NOT NULL REFERENCES users(id),
        intent text NOT NULL CHECK (intent IN ('BUY_YES', 'SELL_YES', 'BUY_NO', 'SELL_NO')),
        price smallint NOT NULL CHECK (price BETWEEN 1 AND 99),
        qty integer NOT NULL CHECK (qty >= 0),
        spend_kop bigint CHECK (spend_kop > 0),
        remaining integer NOT NULL CHECK (remaining >= 0),
        filled integer NOT NULL DEFAULT 0 CHECK (filled >= 0),
        kind text NOT NULL CHECK (kind IN ('limit', 'market')),
        tif text NOT NULL CHECK (tif IN ('GTC', 'GTD', 'IOC', 'FOK')),
        post_only boolean NOT NULL DEFAULT false,
        expires_at timestamptz,
        status text NOT NULL CHECK (status IN ('open', 'filled', 'cancelled', 'expired', 'rejected')),
        reserved_kop bigint NOT NULL DEFAULT 0 CHECK (reserved_kop >= 0),
        reserved_shares integer NOT NULL DEFAULT 0 CHECK (reserved_shares >= 0),
        cost_kop bigint NOT NULL DEFAULT 0,
        fee_kop bigint NOT NULL DEFAULT 0,
        cancel_reason text,
        idempotency_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX orders_open_book_idx ON orders (market_id, id) WHERE status = 'open'`);
    await q.query(`CREATE INDEX orders_user_idx ON orders (user_id, status)`);
    await q.query(`CREATE INDEX orders_expiry_idx ON orders (expires_at) WHERE status = 'open' AND expires_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE fills (
        id bigserial PRIMARY KEY,
        market_id bigint NOT NULL REFERENCES markets(id),
        maker_order_id bigint NOT NULL REFERENCES orders(id),
        taker_order_id bigint NOT NULL REFERENCES orders(id),
        maker_user_id bigint NOT NULL REFERENCES users(id),
        taker_user_id bigint NOT NULL REFERENCES users(id),
        kind text NOT NULL CHECK (kind IN ('transfer_yes', 'mint', 'merge', 'transfer_no')),
        price smallint NOT NULL CHECK (price BETWEEN 1 AND 99),
        qty integer NOT NULL CHECK (qty > 0),
        taker_fee_kop bigint NOT NULL DEFAULT 0,
        maker_rebate_kop bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX fills_market_idx ON fills (market_id, id)`);
    await q.query(`CREATE INDEX fills_taker_user_idx ON fills (taker_user_id, created_at)`);
    await q.query(`
      CREATE TABLE positions (
        user_id bigint NOT NULL REFERENCES users(id),
        market_id bigint NOT NULL REFERENCES markets(id),
        outcome text NOT NULL CHECK (outcome IN ('YES', 'NO')),
        shares integer NOT NULL DEFAULT 0 CHECK (shares >= 0),
        reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= shares),
        cost_kop bigint NOT NULL DEFAULT 0,
        realized_kop bigint NOT NULL DEFAULT 0,
        payout_kop bigint,
        settled_at timestamptz,
        PRIMARY KEY (user_id, market_id, outcome)
      )`);
    await q.query(`CREATE INDEX positions_market_idx ON positions (market_id) WHERE settled_at IS NULL`);
    await q.query(`
      CREATE TABLE price_points (
        id bigserial PRIMARY KEY,
        market_id bigint NOT NULL REFERENCES markets(id),
        at timestamptz NOT NULL,
        price smallint NOT NULL CHECK (price BETWEEN 1 AND 99),
        volume_kop bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX price_points_market_idx ON price_points (market_id, at)`);
    await q.query(`
      CREATE TABLE invoices (
        id bigserial PRIMARY KEY,
        user_id bigint NOT NULL REFERENCES users(id),
        amount_kop bigint NOT NULL CHECK (amount_kop > 0),
        payload text NOT NULL UNIQUE,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid')),
        created_at timestamptz NOT NULL DEFAULT now(),
        paid_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE payments (
        id bigserial PRIMARY KEY,
        provider text NOT NULL,
        telegram_charge_id text NOT NULL UNIQUE,
        provider_charge_id text NOT NULL,
        invoice_id bigint NOT NULL REFERENCES invoices(id),
        user_id bigint NOT NULL REFERENCES users(id),
        amount_kop bigint NOT NULL CHECK (amount_kop > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE processed_events (
        key text PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE market_events (
        id bigserial PRIMARY KEY,
        market_id bigint NOT NULL REFERENCES markets(id),
        actor_user_id bigint REFERENCES users(id),
        kind text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX market_events_market_idx ON market_events (market_id, id)`);
    await q.query(`
      CREATE TABLE settlements (
        market_id bigint PRIMARY KEY REFERENCES markets(id),
        yes_payout smallint NOT NULL CHECK (yes_payout BETWEEN 0 AND 100),
        status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done')),
        positions_total integer NOT NULL DEFAULT 0,
        positions_paid integer NOT NULL DEFAULT 0,
        paid_kop bigint NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    // House and outside accounts exist from the start; outside ones go negative by design (DESIGN §3).
    await q.query(`
      INSERT INTO accounts (code, kind, may_go_negative) VALUES
        ('house:fees', 'fees', true),
        ('house:promo', 'promo', true),
        ('external:telegram:deposits', 'deposits', true),
        ('external:telegram:withdrawals', 'withdrawals', true)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'settlements', 'market_events', 'processed_events', 'payments', 'invoices', 'price_points',
      'positions', 'fills', 'orders', 'postings', 'accounts', 'markets', 'users',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
