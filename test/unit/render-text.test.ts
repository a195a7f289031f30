import { evenTickTimes } from '../../render/chart';
import { escapeXml, fitLine, shrinkToFit, textWidth, wrapText } from '../../render/text';

describe('escapeXml', () => {
  it('escapes the five XML specials and drops control characters', () => {
    expect(escapeXml(`<b>&"'\u0001\u001f\tok`)).toBe('&lt;b&gt;&amp;&quot;&apos;\tok');
  });
});

describe('wrapText', () => {
  const long = 'Снизит ли Банк России ключевую ставку на ближайшем заседании совета директоров в декабре этого года?';

  it('keeps every line within the width and at most maxLines lines, ending in an ellipsis when cut', () => {
    const lines = wrapText(long, 30, 'bold', 400, 3);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(textWidth(line, 30, 'bold')).toBeLessThanOrEqual(400);
    expect(lines[2].endsWith('\u2026')).toBe(true);
  });

  it('keeps all words when the text fits', () => {
    const lines = wrapText(long, 20, 'normal', 2000, 3);
    expect(lines.join(' ')).toBe(long);
  });

  it('breaks a word longer than a line between characters', () => {
    const lines = wrapText('x'.repeat(200), 20, 'normal', 300, 3);
    expect(lines.length).toBe(3);
    for (const line of lines) expect(textWidth(line, 20, 'normal')).toBeLessThanOrEqual(300);
  });

  it('returns no lines for blank text', () => {
    expect(wrapText('  \n ', 20, 'normal', 300, 3)).toEqual([]);
  });
});

describe('fitLine / shrinkToFit', () => {
  it('cuts an overlong line with an ellipsis', () => {
    const line = fitLine('Закрытие торгов 31 декабря 2025 года в 23:59 по московскому времени', 20, 'normal', 200);
    expect(line.endsWith('\u2026')).toBe(true);
    expect(textWidth(line, 20, 'normal')).toBeLessThanOrEqual(200);
  });

  it('shrinks before cutting, never below the minimum size', () => {
    expect(shrinkToFit('short', 24, 16, 'normal', 300)).toEqual({ text: 'short', size: 24 });
    const medium = shrinkToFit('До 31 декабря 2025, 23:59', 24, 14, 'normal', 260);
    expect(medium.size).toBeLessThan(24);
    expect(medium.text).toBe('До 31 декабря 2025, 23:59');
    expect(shrinkToFit('x'.repeat(100), 24, 16, 'normal', 100).size).toBe(16);
  });
});

describe('evenTickTimes', () => {
  it('spreads ticks evenly over the history, ends included', () => {
    expect(evenTickTimes([{ t: 1000, price: 50 }, { t: 0, price: 40 }, { t: 500, price: 45 }], 3)).toEqual([0, 500, 1000]);
  });

  it('returns no ticks without a time range', () => {
    expect(evenTickTimes([], 4)).toEqual([]);
    expect(evenTickTimes([{ t: 5, price: 50 }, { t: 5, price: 51 }], 4)).toEqual([]);
  });
});
