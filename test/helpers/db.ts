import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { dropDatabase, openDataSource } from '../../infra/db';

const SERVER = process.env.TEST_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';

/** A fresh, migrated database for one test file; `drop()` removes it. */
export async function freshDatabase(tag = 't'): Promise<{ ds: DataSource; url: string; drop: () => Promise<void> }> {
  const url = `${SERVER}/pravda_test_${tag}_${randomBytes(4).toString('hex')}`;
  const ds = await openDataSource(url, { migrate: true });
  return {
    ds,
    url,
    drop: async () => {
      if (ds.isInitialized) await ds.destroy();
      await dropDatabase(url);
    },
  };
}
