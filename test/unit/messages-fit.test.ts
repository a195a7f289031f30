import fc from 'fast-check';
import { parseHtml } from '../../tools/botapi/html';
import { fitHtml, fitPlain, splitHtml, visibleLength } from '../../messages/fit';
import { escapeHtml } from '../../infra/i18n';

/** HTML as the bot writes it: escaped user text inside the tags the locale texts use. */
const fragment = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(escapeHtml),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => `<b>${escapeHtml(s)}</b>`),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => `<i>${escapeHtml(s)}\n<b>${escapeHtml(s)}</b></i>`),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => `<a href="https://t.me/x?a=1&amp;b=2">${escapeHtml(s)}</a>`),
  fc.constant('\n'),
);
const html = fc.array(fragment, { maxLength: 40 }).map((a) => a.join(''));

describe('issue 15: fitting texts into Telegram limits', () => {
  it('visibleLength counts what Telegram counts after entity parsing', () => {
    fc.assert(fc.property(html, (h) => visibleLength(h) === parseHtml(h).text.length));
  });

  it('fitHtml keeps a text that fits and cuts a longer one to the limit, still valid HTML', () => {
    fc.assert(fc.property(html, fc.integer({ min: 1, max: 300 }), (h, limit) => {
      const out = fitHtml(h, limit);
      const seen = parseHtml(out).text;
      expect(seen.length).toBeLessThanOrEqual(limit);
      if (visibleLength(h) <= limit) expect(out).toBe(h);
      else expect(seen.endsWith('\u2026')).toBe(true);
    }));
  });

  it('fitHtml at the boundary: exactly the limit is kept, one more is cut', () => {
    const at = `<b>${'x'.repeat(1023)}&amp;</b>`;
    expect(fitHtml(at, 1024)).toBe(at);
    const over = `<b>${'x'.repeat(1024)}&amp;</b>`;
    const cut = fitHtml(over, 1024);
    expect(parseHtml(cut).text).toBe(`${'x'.repeat(1023)}\u2026`);
  });

  it('splitHtml parts each fit, parse, and together show the whole text', () => {
    fc.assert(fc.property(html, fc.integer({ min: 2, max: 120 }), (h, limit) => {
      const parts = splitHtml(h, limit);
      const texts = parts.map((p) => parseHtml(p).text);
      for (const t of texts) expect(t.length).toBeLessThanOrEqual(limit);
      expect(texts.join('').replace(/\n/g, '')).toBe(parseHtml(h).text.replace(/\n/g, ''));
    }));
  });

  it('fitPlain cuts plain text to the limit without splitting a surrogate pair', () => {
    expect(fitPlain('ab', 2)).toBe('ab');
    expect(fitPlain('abc', 2)).toBe('a\u2026');
    const s = fitPlain(`a${'\u{1F600}'.repeat(5)}`, 4);
    expect(s.length).toBeLessThanOrEqual(4);
    expect(s).toBe('a\u{1F600}\u2026');
  });
});
