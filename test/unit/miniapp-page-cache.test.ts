import { InitDataChecker } from '../../web/api/auth';
import { PageCache } from '../../web/api/page-cache';
import { signInitData } from '../helpers/init-data';

/** Issue 10: what the Mini App API keeps in memory, and when it stops serving it. */
/** PageCache.get as text. */
async function text(p: Promise<Buffer | undefined>): Promise<string | undefined> {
  return (await p)?.toString('utf8');
}

describe('PageCache', () => {
  it('serves one load per scope and part until that scope is bumped', async () => {
    const cache = new PageCache(60_000);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await text(cache.get(1, '1d', load))).toBe('v1');
    expect(await text(cache.get(1, '1d', load))).toBe('v1');
    expect(await text(cache.get(1, '1h', load))).toBe('v2');
    expect(await text(cache.get(2, '1d', load))).toBe('v3');
    cache.bump(1);
    expect(await text(cache.get(1, '1d', load))).toBe('v4');
    expect(await text(cache.get(2, '1d', load))).toBe('v3');
    cache.bumpAll();
    expect(await text(cache.get(2, '1d', load))).toBe('v5');
  });

  it('concurrent misses share one load, and a load that straddles a bump is not served after it', async () => {
    const cache = new PageCache(60_000);
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      loads++;
      await gate;
      return 'before';
    };
    const a = text(cache.get(7, 'all', slow));
    const b = text(cache.get(7, 'all', slow));
    cache.bump(7);
    release();
    expect(await a).toBe('before');
    expect(await b).toBe('before');
    expect(loads).toBe(1);
    expect(await text(cache.get(7, 'all', async () => 'after'))).toBe('after');
  });

  it('holds a bounded number of scope generations, and a scope dropped from them is never served stale', async () => {
    const cache = new PageCache(60_000, 100, 3);
    let loads = 0;
    const load = async () => `v${++loads}`;
    // Scope 1 cached at generation 0, bumped, cached again: its page now is v2.
    expect(await text(cache.get(1, 'p', load))).toBe('v1');
    cache.bump(1);
    expect(await text(cache.get(1, 'p', load))).toBe('v2');
    // 10 000 markets bumped: only 3 generations held.
    for (let scope = 2; scope < 10_002; scope++) cache.bump(scope);
    expect(cache.scopeCount).toBe(3);
    // Scope 1's generation was dropped: neither v1 (generation 0) nor v2 comes back, a fresh load does.
    expect(await text(cache.get(1, 'p', load))).toBe('v3');
    expect(await text(cache.get(1, 'p', load))).toBe('v3');
  });

  it('keeps nothing for a load that found no page, and forgets pages after the ttl', async () => {
    const cache = new PageCache(50);
    expect(await text(cache.get(3, 'x', async () => undefined))).toBeUndefined();
    expect(await text(cache.get(3, 'x', async () => 'now there is'))).toBe('now there is');
    await new Promise((r) => setTimeout(r, 80));
    expect(await text(cache.get(3, 'x', async () => 'fresh'))).toBe('fresh');
  });
});

describe('InitDataChecker', () => {
  const token = '123:abc';
  it('checks the signature of a new string and the age of a known one on every call', async () => {
    const checker = new InitDataChecker(token, 1);
    const good = signInitData(token, { id: 5, first_name: 'A' });
    expect(checker.check(good)).toMatchObject({ ok: true, user: { telegramId: 5 } });
    expect(checker.check(good)).toMatchObject({ ok: true });
    // A forged string is refused however often a valid one was seen.
    expect(checker.check(good.replace(/hash=[0-9a-f]+/, `hash=${'0'.repeat(64)}`))).toEqual({ ok: false, why: 'bad_hash' });
    expect(checker.check(signInitData('999:other', { id: 5, first_name: 'A' }))).toEqual({ ok: false, why: 'bad_hash' });
    await new Promise((r) => setTimeout(r, 2_100));
    expect(checker.check(good)).toEqual({ ok: false, why: 'expired' });
  });
});
