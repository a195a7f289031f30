import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { dropDatabase } from '../../infra/db';
import { MIGRATIONS } from '../../ormconfig';

const SERVER = process.env.TEST_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const ROOT = join(__dirname, '..', '..');
const url = `${SERVER}/pravda_test_miglock_${randomBytes(4).toString('hex')}`;

afterAll(async () => dropDatabase(url));

/** Runs `node dist/scripts/migrate.js` (built by `npx tsc`) and collects its exit code and output. */
function migrate(): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'dist/scripts/migrate.js')], { env: { ...process.env, DATABASE_URL: url }, cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

test('issue 15: three processes migrating one fresh database at once all succeed, and each migration is applied once', async () => {
  const runs = await Promise.all([migrate(), migrate(), migrate()]);
  for (const r of runs) expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
  const applied = runs.flatMap((r) => (JSON.parse(r.out) as { applied: string[] }).applied);
  // Exactly one process applied each migration; the others found nothing pending.
  expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const rows = (await c.query('SELECT name, count(*)::int AS n FROM migrations GROUP BY name')).rows as { name: string; n: number }[];
    expect(rows).toHaveLength(MIGRATIONS.length);
    expect(rows.every((r) => r.n === 1)).toBe(true);
  } finally {
    await c.end();
  }
});
