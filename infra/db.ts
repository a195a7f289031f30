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
    if (r.rowCount === 0) await c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
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

/** Opens a DataSource; with `migrate`, creates the database if needed and applies pending migrations. */
export async function openDataSource(url: string, opts: { migrate?: boolean } = {}): Promise<DataSource> {
  if (opts.migrate) await ensureDatabase(url);
  const ds = createDataSource(url);
  await ds.initialize();
  if (opts.migrate) await ds.runMigrations({ transaction: 'each' });
  return ds;
}
