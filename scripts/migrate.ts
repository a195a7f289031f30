import { loadConfig } from '../infra/config';
import { ensureDatabase, migrateUnderLock, openDataSource } from '../infra/db';

/**
 * `npm run migrate`: creates the database if needed and applies pending migrations under the
 * advisory lock (infra/db.ts). Prints `{ migrate: 'ok', applied: [names] }`.
 */
async function main(): Promise<void> {
  const url = loadConfig().databaseUrl;
  await ensureDatabase(url);
  const ds = await openDataSource(url);
  const applied = await migrateUnderLock(ds);
  await ds.destroy();
  process.stdout.write(JSON.stringify({ migrate: 'ok', applied }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
