/**
 * Telegram HTML parse mode as TDLib implements it (offsets in errors are UTF-8 bytes, entity
 * offsets are UTF-16 units), and PNG/JPEG header reading.
 */
import { HtmlParseError, parseHtml } from '../../tools/botapi/html';
import { imageSize } from '../../tools/botapi/image-size';
import { makeJpegHeader, makePng } from '../helpers/botapiHarness';

const fails = (html: string): string => {
  try {
    parseHtml(html);
  } catch (e) {
    if (e instanceof HtmlParseError) return e.message;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(html)} to be rejected`);
};

describe('Telegram HTML parsing', () => {
  it.each([
    ['x <b', 'Unclosed start tag at byte offset 2'],
    ['🙂 <p>x</p>', 'Unsupported start tag "p" at byte offset 5'],
    ['a < b', 'Unsupported start tag "" at byte offset 2'],
    ['<b =x>y</b>', 'Empty attribute name in the tag "b" at byte offset 0'],
    ['<a href', 'Unclosed start tag "a" at byte offset 0'],
    ['<a href="x', 'Unclosed start tag at byte offset 0'],
    ['<a href=x/>y</a>', 'Unexpected end of name token at byte offset 8'],
    ['<span>x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
    ['x</b>', 'Unexpected end tag at byte offset 1'],
    ['<b>x</b', 'Unclosed end tag at byte offset 4'],
    ['<b>x</i>', 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'],
    ['<b><i>x</i>', 'Can\'t find end tag corresponding to start tag "b"'],
    ['&#xD800;', 'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units'],
  ])('rejects %j', (html, message) => {
    expect(fails(html)).toBe(message);
  });

  it('decodes only lt/gt/amp/quot and numeric entities; other & sequences stay literal', () => {
    expect(parseHtml('&lt;&gt;&amp;&quot;&#65;&#x42;&nbsp;&copy; AT&T &lt')).toEqual({ text: '<>&"AB&nbsp;&copy; AT&T <', entities: [] });
  });

  it('produces entities with UTF-16 offsets, nested and case-insensitive tags', () => {
    expect(parseHtml('🙂 <B>bold <I>both</i></b> <u>u</u><s>s</s><tg-spoiler>x</tg-spoiler><span class="tg-spoiler">y</span>')).toEqual({
      text: '🙂 bold both usxy',
      entities: [
        { type: 'bold', offset: 3, length: 9 },
        { type: 'italic', offset: 8, length: 4 },
        { type: 'underline', offset: 13, length: 1 },
        { type: 'strikethrough', offset: 14, length: 1 },
        { type: 'spoiler', offset: 15, length: 1 },
        { type: 'spoiler', offset: 16, length: 1 },
      ],
    });
  });

  it('handles links, code blocks with language, blockquotes and empty tags like Telegram', () => {
    expect(parseHtml('<a href="telegram.org?a=1">t</a> <a>https://t.me/x</a> <a>no link</a>').entities).toEqual([
      { type: 'text_link', offset: 0, length: 1, url: 'http://telegram.org/?a=1' },
      { type: 'text_link', offset: 2, length: 14, url: 'https://t.me/x' },
    ]);
    expect(parseHtml('<pre><code class="language-ts">let x</code></pre>').entities).toEqual([{ type: 'pre', offset: 0, length: 5, language: 'ts' }]);
    expect(parseHtml('<pre><code>let x</code></pre>').entities).toEqual([
      { type: 'pre', offset: 0, length: 5 }, { type: 'code', offset: 0, length: 5 },
    ]);
    expect(parseHtml('<blockquote expandable>q</blockquote>').entities).toEqual([{ type: 'expandable_blockquote', offset: 0, length: 1 }]);
    expect(parseHtml('a<b></b>c')).toEqual({ text: 'ac', entities: [] });
    expect(parseHtml('<i>x</>')).toEqual({ text: 'x', entities: [{ type: 'italic', offset: 0, length: 1 }] });
  });
});

describe('image header reading', () => {
  it('reads PNG and JPEG sizes and rejects other bytes', () => {
    expect(imageSize(makePng(640, 480))).toEqual({ format: 'png', width: 640, height: 480 });
    expect(imageSize(makeJpegHeader(1024, 768))).toEqual({ format: 'jpeg', width: 1024, height: 768 });
    expect(imageSize(Buffer.from('GIF89a......'))).toBeNull();
    expect(imageSize(makePng(10, 10).subarray(0, 20))).toBeNull();
  });
});
