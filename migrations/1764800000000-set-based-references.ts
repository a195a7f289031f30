import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hot append-only tables check their references once per statement instead of once per row
 * (issue 13, `persist`). Postgres checks a foreign key with one locking lookup per row and column
 * (RI triggers): a matching batch of 500 orders inserts ~2 300 postings, ~500 fills and ~650 orders,
 * and pg_stat_statements showed 405 000 such lookups in a 24 000-order run, 28 % of the executor time
 * (postings → accounts alone 227 000). The same guarantee, set-based:
 *
 * - after each INSERT statement into postings / fills / orders, the distinct ids its new rows
 *   reference are looked up (an index probe each, no row lock); a missing one raises 23503
 *   (foreign_key_violation) and aborts the statement, as the foreign key did;
 * - the referencing columns are immutable (an UPDATE that changes one raises), so inserts are the
 *   only way a reference appears;
 * - a referenced row (account, user, market, order) cannot be deleted, or its id changed, while a
 *   posting / fill / order refers to it (23503, RESTRICT as before). Instead of the foreign key's
 *   row lock on every referenced row, the rare delete (nothing in the app deletes these rows) takes
 *   the referencing tables in SHARE mode: in-flight inserts commit first and new ones wait, and the
 *   check then sees every committed reference. It needs READ COMMITTED (a fresh snapshot per
 *   statement), else it raises. (Unlike the foreign key, such a delete racing ledger.post between
 *   its postings and its account locks ends in a deadlock error rather than waiting: nothing is
 *   written either way, and nothing in the app deletes these rows.) TRUNCATE of a referenced
 *   table raises. Inserts outside READ COMMITTED lock the referenced rows FOR KEY SHARE as the
 *   foreign key did, so a row deleted after their snapshot fails them (40001).
 *
 * The unique idempotency key of postings becomes a partial unique index: only postings caused by
 * an outside event carry one (4 of 28 485 in a bench run), and NULLs never conflicted anyway, so
 * uniqueness is unchanged while the matching postings skip an index entry each.
 */
export class SetBasedReferences1764800000000 implements MigrationInterface {
  name = 'SetBasedReferences1764800000000';

  async up(q: QueryRunner): Promise<void> {
    for (const c of FOREIGN_KEYS) await q.query(`ALTER TABLE ${c.table} DROP CONSTRAINT ${c.name}`);

    await q.query(`
      CREATE FUNCTION postings_references_check() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE missing bigint;
      BEGIN
        -- A snapshot older than the statement may still see a row deleted since: lock the rows (a
        -- concurrent delete is then a serialization failure, as with a foreign key).
        IF current_setting('transaction_isolation') <> 'read committed' THEN
          PERFORM 1 FROM accounts a WHERE a.id IN (SELECT from_account_id FROM new_rows UNION SELECT to_account_id FROM new_rows) FOR KEY SHARE;
        END IF;
        SELECT r.id INTO missing FROM (SELECT from_account_id AS id FROM new_rows UNION SELECT to_account_id FROM new_rows) r
          WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = r.id) LIMIT 1;
        IF missing IS NOT NULL THEN
          RAISE EXCEPTION 'posting refers to a missing account %', missing USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION fills_references_check() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE missing text;
      BEGIN
        -- A snapshot older than the statement may still see a row deleted since: lock the rows (a
        -- concurrent delete is then a serialization failure, as with a foreign key).
        IF current_setting('transaction_isolation') <> 'read committed' THEN
          PERFORM 1 FROM markets m WHERE m.id IN (SELECT market_id FROM new_rows) FOR KEY SHARE;
          PERFORM 1 FROM orders o WHERE o.id IN (SELECT maker_order_id FROM new_rows UNION SELECT taker_order_id FROM new_rows) FOR KEY SHARE;
          PERFORM 1 FROM users u WHERE u.id IN (SELECT maker_user_id FROM new_rows UNION SELECT taker_user_id FROM new_rows) FOR KEY SHARE;
        END IF;
        SELECT x INTO missing FROM (
          SELECT 'market ' || r.id AS x FROM (SELECT DISTINCT market_id AS id FROM new_rows) r
            WHERE NOT EXISTS (SELECT 1 FROM markets m WHERE m.id = r.id)
          UNION ALL
          SELECT 'order ' || r.id FROM (SELECT maker_order_id AS id FROM new_rows UNION SELECT taker_order_id FROM new_rows) r
            WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = r.id)
          UNION ALL
          SELECT 'user ' || r.id FROM (SELECT maker_user_id AS id FROM new_rows UNION SELECT taker_user_id FROM new_rows) r
            WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = r.id)
        ) bad LIMIT 1;
        IF missing IS NOT NULL THEN
          RAISE EXCEPTION 'fill refers to a missing %', missing USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION orders_references_check() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE missing text;
      BEGIN
        -- A snapshot older than the statement may still see a row deleted since: lock the rows (a
        -- concurrent delete is then a serialization failure, as with a foreign key).
        IF current_setting('transaction_isolation') <> 'read committed' THEN
          PERFORM 1 FROM markets m WHERE m.id IN (SELECT market_id FROM new_rows) FOR KEY SHARE;
          PERFORM 1 FROM users u WHERE u.id IN (SELECT user_id FROM new_rows) FOR KEY SHARE;
        END IF;
        SELECT x INTO missing FROM (
          SELECT 'market ' || r.id AS x FROM (SELECT DISTINCT market_id AS id FROM new_rows) r
            WHERE NOT EXISTS (SELECT 1 FROM markets m WHERE m.id = r.id)
          UNION ALL
          SELECT 'user ' || r.id FROM (SELECT DISTINCT user_id AS id FROM new_rows) r
            WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = r.id)
        ) bad LIMIT 1;
        IF missing IS NOT NULL THEN
          RAISE EXCEPTION 'order refers to a missing %', missing USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    for (const t of ['postings', 'fills', 'orders']) {
      await q.query(`CREATE TRIGGER ${t}_references AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows
                     FOR EACH STATEMENT EXECUTE FUNCTION ${t}_references_check()`);
    }

    await q.query(`
      CREATE FUNCTION reference_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '%: a reference column cannot change', TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
      END $$`);
    for (const [t, cols] of Object.entries(REFERENCING)) {
      const changed = cols.map((c) => `OLD.${c} IS DISTINCT FROM NEW.${c}`).join(' OR ');
      await q.query(`CREATE TRIGGER ${t}_references_immutable BEFORE UPDATE OF ${cols.join(', ')} ON ${t}
                     FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION reference_immutable()`);
    }

    // RESTRICT for the referenced side: a row still referred to keeps its id and is not deleted.
    for (const [t, refs] of Object.entries(REFERENCED)) {
      const used = refs.map((r) => `EXISTS (SELECT 1 FROM ${r} = OLD.id)`).join(' OR ');
      await q.query(`
        CREATE FUNCTION ${t}_referenced_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND OLD.id = NEW.id THEN RETURN NEW; END IF;
          IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'deleting or renumbering % needs READ COMMITTED', TG_TABLE_NAME USING ERRCODE = 'feature_not_supported';
          END IF;
          LOCK TABLE ${[...new Set(refs.map((r) => r.split(' ')[0]))].join(', ')} IN SHARE MODE;
          IF ${used} THEN
            RAISE EXCEPTION '% % is still referenced', TG_TABLE_NAME, OLD.id USING ERRCODE = 'foreign_key_violation';
          END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$`);
      await q.query(`CREATE TRIGGER ${t}_referenced BEFORE DELETE OR UPDATE OF id ON ${t}
                     FOR EACH ROW EXECUTE FUNCTION ${t}_referenced_guard()`);
    }

    await q.query(`
      CREATE FUNCTION referenced_truncate_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'cannot truncate %: postings, fills or orders refer to it', TG_TABLE_NAME USING ERRCODE = 'feature_not_supported';
      END $$`);
    for (const t of Object.keys(REFERENCED)) {
      await q.query(`CREATE TRIGGER ${t}_referenced_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION referenced_truncate_guard()`);
    }

    await q.query(`ALTER TABLE postings DROP CONSTRAINT postings_idempotency_key_key`);
    await q.query(`CREATE UNIQUE INDEX postings_idempotency_key_key ON postings (idempotency_key) WHERE idempotency_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX postings_idempotency_key_key`);
    await q.query(`ALTER TABLE postings ADD CONSTRAINT postings_idempotency_key_key UNIQUE (idempotency_key)`);
    for (const t of Object.keys(REFERENCED)) {
      await q.query(`DROP TRIGGER ${t}_referenced_truncate ON ${t}`);
      await q.query(`DROP TRIGGER ${t}_referenced ON ${t}`);
      await q.query(`DROP FUNCTION ${t}_referenced_guard()`);
    }
    await q.query(`DROP FUNCTION referenced_truncate_guard()`);
    for (const t of Object.keys(REFERENCING)) await q.query(`DROP TRIGGER ${t}_references_immutable ON ${t}`);
    await q.query(`DROP FUNCTION reference_immutable()`);
    for (const t of ['postings', 'fills', 'orders']) {
      await q.query(`DROP TRIGGER ${t}_references ON ${t}`);
      await q.query(`DROP FUNCTION ${t}_references_check()`);
    }
    for (const c of FOREIGN_KEYS) {
      await q.query(`ALTER TABLE ${c.table} ADD CONSTRAINT ${c.name} FOREIGN KEY (${c.column}) REFERENCES ${c.references}(id)`);
    }
  }
}

/** The row-by-row foreign keys this migration replaces (all from the initial schema). */
const FOREIGN_KEYS = [
  { table: 'postings', name: 'postings_from_account_id_fkey', column: 'from_account_id', references: 'accounts' },
  { table: 'postings', name: 'postings_to_account_id_fkey', column: 'to_account_id', references: 'accounts' },
  { table: 'fills', name: 'fills_market_id_fkey', column: 'market_id', references: 'markets' },
  { table: 'fills', name: 'fills_maker_order_id_fkey', column: 'maker_order_id', references: 'orders' },
  { table: 'fills', name: 'fills_taker_order_id_fkey', column: 'taker_order_id', references: 'orders' },
  { table: 'fills', name: 'fills_maker_user_id_fkey', column: 'maker_user_id', references: 'users' },
  { table: 'fills', name: 'fills_taker_user_id_fkey', column: 'taker_user_id', references: 'users' },
  { table: 'orders', name: 'orders_market_id_fkey', column: 'market_id', references: 'markets' },
  { table: 'orders', name: 'orders_user_id_fkey', column: 'user_id', references: 'users' },
];

/** Referencing columns per table: immutable once inserted. */
const REFERENCING: Record<string, string[]> = {
  postings: ['from_account_id', 'to_account_id'],
  fills: ['market_id', 'maker_order_id', 'taker_order_id', 'maker_user_id', 'taker_user_id'],
  orders: ['market_id', 'user_id'],
};

/** Per referenced table, `<table> WHERE <column>` of every reference to it. */
const REFERENCED: Record<string, string[]> = {
  accounts: ['postings WHERE from_account_id', 'postings WHERE to_account_id'],
  orders: ['fills WHERE maker_order_id', 'fills WHERE taker_order_id'],
  users: ['orders WHERE user_id', 'fills WHERE maker_user_id', 'fills WHERE taker_user_id'],
  markets: ['orders WHERE market_id', 'fills WHERE market_id'],
};
