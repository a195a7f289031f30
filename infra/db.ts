import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../ormconfig';

/** Splits a postgres URL into the server URL (database `postgres`) and the database name. */
function splitUrl(url: string): { admin: string; name: string } {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  u.pathname = '/postgres';
  return { admin: u.toString(), name };
}

/** Creates the database named in `url` if it does not exist. */
export async function ensureDatabase(url: string): Promise<void> {
  const { admin, name } = splitUrl(url);
  const c = new Client({ connectionString: admin });
  await c.connect();
  try {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (r.rowCount === 0) {
      // Processes starting together race here: losing to another CREATE is success.
      await c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await c.end();
  }
}

/** Drops the database named in `url` (tests and the demo start from a fresh one). */
export async function dropDatabase(url: string): Promise<void> {
  const { admin, name } = splitUrl(url);
  const c = new Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/** Key of the Postgres advisory lock held while migrating (any constant; "pravdamg" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x7072617664616d67n;

/**
 * Applies pending migrations under a session-level Postgres advisory lock (issue 15): TypeORM
 * takes none, so processes starting together would race to create its table and apply the same
 * migration twice. The first takes the lock and migrates; the others wait, then find nothing
 * pending. The lock lives on one dedicated connection and ends with it, even if the process dies.
 * @returns the names of the migrations this process applied.
 */
export async function migrateUnderLock(ds: DataSource): Promise<string[]> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
    } finally {
      await qr.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    await qr.release();
  }
}

/** Opens a DataSource; with `migrate`, creates the database if needed and applies pending migrations (under the lock). */
export async function openDataSource(url: string, opts: { migrate?: boolean } = {}): Promise<DataSource> {
  if (opts.migrate) await ensureDatabase(url);
  const ds = createDataSource(url);
  await ds.initialize();
  if (opts.migrate) await migrateUnderLock(ds);
  return ds;
}
