import { settleMarket } from '../domain/services/settlement';
import { openDataSource } from '../infra/db';

/**
 * A bare settlement worker process for crash tests (test/integration/settlement-kill.test.ts):
 * `node dist/scripts/settle-worker.js <market id>,<market id>...` settles those markets in a
 * random order (so parallel processes collide on the same markets) and exits 0 when every one is
 * settled. DATABASE_URL names the database, SETTLE_BATCH_SIZE the positions per transaction;
 * PRAVDA_FAULTS / PRAVDA_FAULT_RATE (infra/faults.ts) make it die with SIGKILL at fault points.
 */
async function main(): Promise<void> {
  const ids = (process.argv[2] ?? '').split(',').filter(Boolean).map(Number);
  const order = ids.map((id) => ({ id, key: Math.random() })).sort((a, b) => a.key - b.key).map((x) => x.id);
  const ds = await openDataSource(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/pravda');
  const batchSize = Number(process.env.SETTLE_BATCH_SIZE ?? '0') || undefined;
  for (const id of order) {
    const r = await settleMarket(ds, id, { batchSize });
    if (r.status !== 'settled') throw new Error(`market ${id} is not resolved`);
  }
  await ds.destroy();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
