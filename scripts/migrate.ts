import { loadConfig } from '../infra/config';
import { openDataSource } from '../infra/db';

/** `npm run migrate`: creates the database if needed and applies pending migrations. */
async function main(): Promise<void> {
  const ds = await openDataSource(loadConfig().databaseUrl, { migrate: true });
  await ds.destroy();
  process.stdout.write(JSON.stringify({ migrate: 'ok' }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
