import { categoriesNamed } from '../../bot/features/inline';
import { kop } from '../../domain/money';
import type { DigestSummary } from '../../domain/read/digest';
import { CAPTION_MAX, digestPost } from '../../messages/digest-post';
import { periodKeyOf } from '../../workers/digests';

const HOUR = 3_600_000;

describe('digest periods (workers/digests.ts)', () => {
  it('names a period by the cron slot that ends it, in Moscow time', () => {
    // 09:00 MSK is 06:00 UTC.
    expect(periodKeyOf('0 9 * * *', Date.parse('2026-11-21T14:40:00Z'))).toBe('2026-11-22T06:00:00.000Z');
    expect(periodKeyOf('0 9 * * *', Date.parse('2026-11-22T05:59:59.999Z'))).toBe('2026-11-22T06:00:00.000Z');
  });

  it('gives the scheduled run at a slot that same slot, and the next moment the next period', () => {
    const slot = Date.parse('2026-11-22T06:00:00.000Z');
    expect(periodKeyOf('0 9 * * *', slot)).toBe('2026-11-22T06:00:00.000Z');
    expect(periodKeyOf('0 9 * * *', slot + 1)).toBe('2026-11-23T06:00:00.000Z');
    expect(periodKeyOf('0 * * * *', slot + HOUR / 2)).toBe('2026-11-22T07:00:00.000Z');
  });
});

describe('digest post (messages/digest-post.ts)', () => {
  const long = (i: number) => `A very long market question number ${i} that goes on and on about many things in great detail ${'x'.repeat(100)}?`;
  const summary: DigestSummary = {
    fromMs: Date.parse('2026-11-21T06:00:00Z'), toMs: Date.parse('2026-11-22T06:00:00Z'),
    movers: Array.from({ length: 6 }, (_, i) => ({ marketId: i + 1, title: long(i), priceThen: 40, priceNow: 40 + i + 1, points: [] })),
    newMarkets: Array.from({ length: 9 }, (_, i) => ({ marketId: 100 + i, title: long(100 + i), yesPrice: 50 })),
    resolved: Array.from({ length: 9 }, (_, i) => ({ marketId: 200 + i, title: long(200 + i), outcome: 'NO' as const, yesPayout: 0 })),
    volumeKop: kop(123_456),
  };

  it('fits the caption in 1024 characters however many markets there are, saying how many more', () => {
    for (const lang of ['ru', 'en'] as const) {
      const post = digestPost(lang, summary, 'pravda_bot');
      expect(post.caption.length).toBeLessThanOrEqual(CAPTION_MAX);
      expect(post.caption).toContain(lang === 'ru' ? '…и ещё' : '…and');
      expect(post.caption).toContain(lang === 'ru' ? '1\u202f234,56\u00a0₽' : '₽1,234.56');
    }
  });

  it('links at most six markets into the bot, movers first, and draws the movers as tiles', () => {
    const post = digestPost('en', summary, 'pravda_bot');
    const links = post.keyboard.inline_keyboard.flat();
    expect(links).toHaveLength(6);
    expect(links[0]).toEqual({ text: expect.stringMatching(/^A very long market question number 0.{0,10}…$/), url: 'https://t.me/pravda_bot?start=m1' });
    expect(post.image.tiles.map((t) => t.changeText)).toEqual(['+1 pp in 24 h', '+2 pp in 24 h', '+3 pp in 24 h', '+4 pp in 24 h', '+5 pp in 24 h', '+6 pp in 24 h']);
    expect(post.image.header).toBe('Pravda Market · 22 Nov 2026 · the last 24 h');
  });

  it('escapes titles in the HTML caption', () => {
    const post = digestPost('en', { ...summary, movers: [], newMarkets: [{ marketId: 1, title: 'A < B & C?', yesPrice: 50 }], resolved: [] }, 'pravda_bot');
    expect(post.caption).toContain('• A &lt; B &amp; C? — YES 50%');
    expect(post.image.tiles).toEqual([expect.objectContaining({ title: 'A < B & C?', changeText: 'new market' })]);
  });
});

describe('inline search: category names (bot/features/inline.ts)', () => {
  it('finds a category by the start of its name in either language, or its code', () => {
    expect(categoriesNamed(['sport'])).toEqual(['sports']);
    expect(categoriesNamed(['\u0441\u043f\u043e\u0440\u0442'])).toEqual(['sports']);
    expect(categoriesNamed(['crypt'])).toEqual(['crypto']);
    expect(categoriesNamed(['sp'])).toEqual([]);
    expect(categoriesNamed(['will', 'it', 'rain'])).toEqual([]);
  });
});
