import { randomBytes } from 'node:crypto';
import { startHeartbeat } from '../../infra/heartbeat';
import { createRedis } from '../../infra/redis';
import { health } from '../../web/server';
import { freshDatabase } from '../helpers/db';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let db: Awaited<ReturnType<typeof freshDatabase>>;
const redis = createRedis(REDIS_URL);
const prefix = `health-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  db = await freshDatabase('health');
});
afterAll(async () => {
  await redis.quit();
  await db.drop();
});

test('issue 15: /health names the workers when their heartbeat is missing, and is green while they beat', async () => {
  expect(await health(db.ds, redis, prefix)).toMatchObject({ ok: false, failing: ['workers'], checks: { database: 'ok', redis: 'ok' } });
  const stop = startHeartbeat(redis, prefix, (err) => { throw err; });
  try {
    await new Promise((r) => setTimeout(r, 100));
    expect(await health(db.ds, redis, prefix)).toEqual({ ok: true, failing: [], checks: { database: 'ok', redis: 'ok', workers: 'ok' } });
  } finally {
    await stop();
  }
  // A workers process that stops (or dies: the key's TTL) is seen at once (or within HEARTBEAT_TTL_MS).
  expect((await health(db.ds, redis, prefix)).failing).toEqual(['workers']);
});

test('issue 15: /health names the database when it is gone', async () => {
  await db.ds.destroy();
  const report = await health(db.ds, redis, prefix);
  expect(report.ok).toBe(false);
  expect(report.failing).toContain('database');
});
