/**
 * Issue 14: the Redis URL reaches ioredis as is, so TLS (`rediss://`), user names, passwords with
 * escaped characters and the database number all work, for our own connections and for BullMQ's.
 * lazyConnect: the options are checked without a TLS server.
 */
import IORedis from 'ioredis';
import { createRedis, redisOptions } from '../../infra/redis';

const URL_TLS = 'rediss://alice:p%40ss%3Aword@127.0.0.1:6390/2';

describe('issue 14: infra/redis passes the URL to ioredis', () => {
  it('createRedis keeps tls, credentials, port and db of a rediss:// URL', () => {
    const r = createRedis(URL_TLS, { lazyConnect: true });
    try {
      expect(r.options.tls).toBeTruthy();
      expect(r.options).toMatchObject({ host: '127.0.0.1', port: 6390, username: 'alice', password: 'p@ss:word', maxRetriesPerRequest: null });
      expect(Number(r.options.db)).toBe(2);
    } finally {
      r.disconnect();
    }
  });

  it('a redis:// URL gets no tls', () => {
    const r = createRedis('redis://127.0.0.1:6379', { lazyConnect: true });
    try {
      expect(r.options.tls).toBeUndefined();
      expect(r.options.maxRetriesPerRequest).toBeNull();
    } finally {
      r.disconnect();
    }
  });

  it('BullMQ options carry the URL itself and maxRetriesPerRequest: null', () => {
    const opts = redisOptions(URL_TLS);
    expect(opts).toEqual({ url: URL_TLS, maxRetriesPerRequest: null });
    // BullMQ's RedisConnection builds its client as `new IORedis(url, rest)`.
    const { url, ...rest } = opts;
    const r = new IORedis(url, { ...rest, lazyConnect: true });
    try {
      expect(r.options.tls).toBeTruthy();
      expect(r.options).toMatchObject({ port: 6390, password: 'p@ss:word', maxRetriesPerRequest: null });
    } finally {
      r.disconnect();
    }
  });
});
