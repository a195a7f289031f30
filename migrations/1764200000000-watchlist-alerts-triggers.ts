import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Watchlist, price alerts, stop-loss / take-profit triggers (issue 11).
 *
 * - `watchlist`: the markets a user follows (⭐ on the card).
 * - `price_alerts`: `kind` 'above' / 'below' with `level` a YES price 1..99, or 'move' with `level`
 *   the points (1..99) the YES price must move within 24 h. `armed` is the hysteresis state
 *   (domain/alerts/alert-rules.ts); `fired_count` numbers the crossings, so (alert, crossing) is the
 *   fired event's key. Paused alerts stay out of the partial index the matching batch scans; `kind` is in
 *   it so each branch of the batch's one query is a tight range of levels.
 * - `alert_fires`: one row per fired crossing (UNIQUE (alert_id, seq)), written in the matching
 *   batch's transaction; `delivered_at` is set once its notification is queued (the outbox).
 * - `price_triggers`: stop-loss / take-profit of a position. `level` and `worst_price` are in the
 *   position's own side's price (NO price = 100 − YES); `yes_level` and `direction` are the same
 *   level in YES-price terms, which is what the batch compares its committed price with.
 *   `shares` NULL = the whole position. Status: armed → fired (sell queued as `trigger:<id>`) →
 *   done, or cancelled.
 */
export class WatchlistAlertsTriggers1764200000000 implements MigrationInterface {
  name = 'WatchlistAlertsTriggers1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE watchlist (
        user_id bigint NOT NULL REFERENCES users(id),
        market_id bigint NOT NULL REFERENCES markets(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, market_id)
      )`);
    await q.query(`
      CREATE TABLE price_alerts (
        id bigserial PRIMARY KEY,
        user_id bigint NOT NULL REFERENCES users(id),
        market_id bigint NOT NULL REFERENCES markets(id),
        kind text NOT NULL CHECK (kind IN ('above', 'below', 'move')),
        level smallint NOT NULL CHECK (level BETWEEN 1 AND 99),
        armed boolean NOT NULL,
        paused boolean NOT NULL DEFAULT false,
        fired_count integer NOT NULL DEFAULT 0,
        last_fired_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX price_alerts_eval_idx ON price_alerts (market_id, kind, armed, level) WHERE NOT paused`);
    await q.query(`CREATE INDEX price_alerts_user_idx ON price_alerts (user_id, id)`);
    await q.query(`
      CREATE TABLE alert_fires (
        id bigserial PRIMARY KEY,
        alert_id bigint NOT NULL REFERENCES price_alerts(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        user_id bigint NOT NULL REFERENCES users(id),
        market_id bigint NOT NULL REFERENCES markets(id),
        kind text NOT NULL,
        level smallint NOT NULL,
        price smallint NOT NULL,
        ref_price smallint,
        fired_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        UNIQUE (alert_id, seq)
      )`);
    await q.query(`CREATE INDEX alert_fires_pending_idx ON alert_fires (market_id) WHERE delivered_at IS NULL`);
    await q.query(`
      CREATE TABLE price_triggers (
        id bigserial PRIMARY KEY,
        user_id bigint NOT NULL REFERENCES users(id),
        market_id bigint NOT NULL REFERENCES markets(id),
        side text NOT NULL CHECK (side IN ('YES', 'NO')),
        kind text NOT NULL CHECK (kind IN ('stop', 'take')),
        level smallint NOT NULL CHECK (level BETWEEN 1 AND 99),
        yes_level smallint NOT NULL CHECK (yes_level BETWEEN 1 AND 99),
        direction text NOT NULL CHECK (direction IN ('above', 'below')),
        shares integer CHECK (shares IS NULL OR shares > 0),
        worst_price smallint NOT NULL CHECK (worst_price BETWEEN 1 AND 99),
        status text NOT NULL DEFAULT 'armed' CHECK (status IN ('armed', 'fired', 'done', 'cancelled')),
        fired_at timestamptz,
        fired_price smallint,
        sell_shares integer,
        filled_shares integer,
        proceeds_kop bigint,
        fee_kop bigint,
        cancel_reason text,
        notified_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX price_triggers_eval_idx ON price_triggers (market_id, direction, yes_level) WHERE status = 'armed'`);
    await q.query(`CREATE INDEX price_triggers_pending_idx ON price_triggers (market_id) WHERE status = 'fired' OR (status = 'done' AND notified_at IS NULL)`);
    await q.query(`CREATE INDEX price_triggers_user_idx ON price_triggers (user_id, market_id) WHERE status IN ('armed', 'fired')`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['price_triggers', 'alert_fires', 'price_alerts', 'watchlist']) await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}
