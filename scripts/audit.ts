import { runAudit } from '../domain/read/audit';
import { loadConfig } from '../infra/config';
import { openDataSource } from '../infra/db';

/**
 * `npm run audit`: checks DESIGN §3 invariants 1–5 on the live database (read-only), prints the
 * JSON report and exits 1 on any violation.
 */
async function main(): Promise<void> {
  const ds = await openDataSource(loadConfig().databaseUrl);
  try {
    const report = await runAudit(ds.manager);
    process.stdout.write(JSON.stringify(report) + '\n');
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await ds.destroy();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(2);
});
