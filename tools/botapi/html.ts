/**
 * Telegram's HTML parse mode (https://core.telegram.org/bots/api#html-style), reimplemented after
 * TDLib's `parse_html`: the same supported tags, the same tolerant attribute syntax, and the same
 * error texts (`Unsupported start tag "x" at byte offset N`, `Can't find end tag corresponding to
 * start tag "b"`, …; offsets are UTF-8 byte offsets into the source). Entity offsets/lengths are in
 * UTF-16 code units, which is what JS string lengths count.
 */
import type { MessageEntity } from 'telegraf/types';

/** Result of parsing: the plain text the recipient sees and its entities. */
export interface ParsedText {
  text: string;
  entities: MessageEntity[];
}

/** Thrown for markup Telegram rejects; `message` is TDLib's text (without the "can't parse entities: " prefix). */
export class HtmlParseError extends Error {}

const SUPPORTED = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins', 'tg-spoiler', 'tg-emoji', 'span', 'pre', 'code',
  'blockquote',
]);
const SIMPLE: Record<string, MessageEntity['type']> = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', s: 'strikethrough', strike: 'strikethrough',
  del: 'strikethrough', u: 'underline', ins: 'underline', 'tg-spoiler': 'spoiler', span: 'spoiler',
};
// Only these named entities are decoded; others stay literal text (documented Telegram behaviour).
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface Open {
  name: string;
  offset: number; // UTF-16 offset in the output text
  href?: string;
  language?: string;
  emojiId?: string;
  expandable?: boolean;
}

type Pending = MessageEntity & { codeLanguage?: string };

// TDLib orders entities of equal span by type priority (lower first).
const PRIORITY: Record<string, number> = {
  blockquote: 0, expandable_blockquote: 0, pre: 11, code: 20, text_link: 49, text_mention: 49,
  bold: 90, italic: 91, underline: 92, strikethrough: 93, spoiler: 94, custom_emoji: 99,
};
const priority = (e: MessageEntity): number => PRIORITY[e.type] ?? 50;

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const byteOffset = (src: string, i: number): number => Buffer.byteLength(src.slice(0, i), 'utf8');

/**
 * Decode one `&…` entity at `i`. Returns the decoded text and the index after it, or null to keep `&` literally.
 * @throws HtmlParseError for numeric entities that are lone surrogates (Telegram rejects them).
 */
function decodeEntity(src: string, i: number): { value: string; next: number } | null {
  let j = i + 1;
  if (src[j] === '#') {
    j++;
    let hex = false;
    if (src[j] === 'x' || src[j] === 'X') {
      hex = true;
      j++;
    }
    const start = j;
    while (j < src.length && (hex ? /[0-9a-fA-F]/ : /[0-9]/).test(src[j] as string)) j++;
    if (j === start) return null;
    const code = parseInt(src.slice(start, j), hex ? 16 : 10);
    if (!(code > 0 && code <= 0x10ffff)) return null;
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new HtmlParseError(
        'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units',
      );
    }
    if (src[j] === ';') j++;
    return { value: String.fromCodePoint(code), next: j };
  }
  const start = j;
  while (j < src.length && /[a-zA-Z]/.test(src[j] as string)) j++;
  const value = NAMED[src.slice(start, j)];
  if (value === undefined) return null;
  if (src[j] === ';') j++;
  return { value, next: j };
}

/** Decode entities inside a quoted attribute value. */
function decodeAll(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; ) {
    const d = s[i] === '&' ? decodeEntity(s, i) : null;
    if (d) {
      out += d.value;
      i = d.next;
    } else {
      out += s[i];
      i++;
    }
  }
  return out;
}

/**
 * Normalise a link like Telegram: scheme-less hosts get `http://`, an empty path becomes `/`.
 * Returns null for strings Telegram would not accept as a URL (then `<a>` yields no entity).
 */
export function normalizeUrl(raw: string): string | null {
  if (raw === '' || /\s/.test(raw)) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : /^[a-z][a-z0-9+.-]*:/i.test(raw) ? null : `http://${raw}`;
  if (withScheme === null) return /^(tg|mailto):/i.test(raw) ? raw : null;
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(withScheme);
  if (!m) return null;
  const [, scheme = '', host = '', rest = ''] = m;
  const lower = scheme.toLowerCase();
  if (lower === 'tg' || lower === 'ton') return withScheme;
  if (lower !== 'http' && lower !== 'https') return null;
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*\.?[a-z0-9-]*(:\d+)?$/i.test(host) || (!host.includes('.') && !/^localhost(:\d+)?$/i.test(host))) {
    return null;
  }
  return `${lower}://${host}${rest.startsWith('/') ? rest : `/${rest}`}`;
}

/**
 * Parse Telegram HTML.
 * @throws HtmlParseError with TDLib's wording when the markup is invalid.
 */
export function parseHtml(src: string): ParsedText {
  let text = '';
  const stack: Open[] = [];
  const done: Pending[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '&') {
      const d = decodeEntity(src, i);
      if (d) {
        text += d.value;
        i = d.next;
      } else {
        text += c;
        i++;
      }
      continue;
    }
    if (c !== '<') {
      text += c;
      i++;
      continue;
    }
    const begin = i;
    if (src[i + 1] === '/') {
      i = closeTag(src, begin, stack, done, text);
      continue;
    }
    const open = readStartTag(src, begin);
    stack.push({ ...open.tag, offset: text.length });
    i = open.next;
  }
  const last = stack[stack.length - 1];
  if (last) throw new HtmlParseError(`Can't find end tag corresponding to start tag "${last.name}"`);
  const entities = done.map(({ codeLanguage: _drop, ...e }) => e as MessageEntity);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length || priority(a) - priority(b));
  return { text, entities };
}

function readStartTag(src: string, begin: number): { tag: Omit<Open, 'offset'>; next: number } {
  const at = byteOffset(src, begin);
  let j = begin + 1;
  while (j < src.length && !isSpace(src[j]) && src[j] !== '>') j++;
  if (j >= src.length) throw new HtmlParseError(`Unclosed start tag at byte offset ${at}`);
  const name = src.slice(begin + 1, j).toLowerCase();
  if (!SUPPORTED.has(name)) throw new HtmlParseError(`Unsupported start tag "${name}" at byte offset ${at}`);
  const tag: Omit<Open, 'offset'> = { name };
  let spanClass: string | undefined;
  while (src[j] !== '>') {
    while (j < src.length && isSpace(src[j])) j++;
    if (src[j] === '>') break;
    const attrStart = j;
    while (j < src.length && !isSpace(src[j]) && src[j] !== '=' && src[j] !== '>') j++;
    const attr = src.slice(attrStart, j).toLowerCase();
    if (attr === '') throw new HtmlParseError(`Empty attribute name in the tag "${name}" at byte offset ${at}`);
    while (j < src.length && isSpace(src[j])) j++;
    if (j >= src.length) throw new HtmlParseError(`Unclosed start tag "${name}" at byte offset ${at}`);
    if (src[j] !== '=') {
      if (name === 'blockquote' && attr === 'expandable') tag.expandable = true;
      continue;
    }
    j++;
    while (j < src.length && isSpace(src[j])) j++;
    if (j >= src.length) throw new HtmlParseError(`Unclosed start tag "${name}" at byte offset ${at}`);
    let value: string;
    const q = src[j];
    if (q !== '"' && q !== "'") {
      const tokenStart = j;
      while (j < src.length && /[A-Za-z0-9.-]/.test(src[j] as string)) j++;
      if (j >= src.length || (!isSpace(src[j]) && src[j] !== '>')) {
        throw new HtmlParseError(`Unexpected end of name token at byte offset ${byteOffset(src, tokenStart)}`);
      }
      value = src.slice(tokenStart, j).toLowerCase();
    } else {
      const end = src.indexOf(q, j + 1);
      if (end < 0) throw new HtmlParseError(`Unclosed start tag at byte offset ${at}`);
      value = decodeAll(src.slice(j + 1, end));
      j = end + 1;
    }
    if (name === 'a' && attr === 'href') tag.href = value;
    else if (name === 'code' && attr === 'class' && value.startsWith('language-')) tag.language = value.slice(9);
    else if (name === 'span' && attr === 'class') spanClass = value;
    else if (name === 'tg-emoji' && attr === 'emoji-id') tag.emojiId = value;
    else if (name === 'blockquote' && attr === 'expandable') tag.expandable = true;
  }
  if (name === 'span' && spanClass !== 'tg-spoiler') {
    throw new HtmlParseError(`Tag "span" must have class "tg-spoiler" at byte offset ${at}`);
  }
  if (name === 'tg-emoji' && !/^\d+$/.test(tag.emojiId ?? '')) {
    throw new HtmlParseError('Invalid custom emoji identifier specified');
  }
  return { tag, next: j + 1 };
}

function closeTag(src: string, begin: number, stack: Open[], done: Pending[], text: string): number {
  const at = byteOffset(src, begin);
  const open = stack.pop();
  if (!open) throw new HtmlParseError(`Unexpected end tag at byte offset ${at}`);
  let j = begin + 2;
  while (j < src.length && !isSpace(src[j]) && src[j] !== '>') j++;
  const name = src.slice(begin + 2, j).toLowerCase();
  while (j < src.length && isSpace(src[j])) j++;
  if (src[j] !== '>') throw new HtmlParseError(`Unclosed end tag at byte offset ${at}`);
  if (name !== '' && name !== open.name) {
    throw new HtmlParseError(`Unmatched end tag at byte offset ${at}, expected "</${open.name}>", found "</${name}>"`);
  }
  const length = text.length - open.offset;
  if (length > 0) addEntity(open, length, text, done);
  return j + 1;
}

function addEntity(open: Open, length: number, text: string, done: Pending[]): void {
  const offset = open.offset;
  const prev = done[done.length - 1];
  const sameSpan = prev !== undefined && prev.offset === offset && prev.length === length;
  switch (open.name) {
    case 'a': {
      const url = normalizeUrl(open.href ?? text.slice(offset, offset + length));
      if (url) done.push({ type: 'text_link', offset, length, url });
      return;
    }
    case 'tg-emoji':
      done.push({ type: 'custom_emoji', offset, length, custom_emoji_id: open.emojiId ?? '' });
      return;
    case 'blockquote':
      // expandable_blockquote (Bot API 7.4) is newer than telegraf's bundled types.
      done.push({ type: (open.expandable ? 'expandable_blockquote' : 'blockquote') as MessageEntity['type'], offset, length } as MessageEntity);
      return;
    case 'pre':
      // <pre><code class="language-x">…</code></pre> covering the same text becomes one pre entity with a language.
      if (sameSpan && prev.type === 'code' && prev.codeLanguage) {
        done[done.length - 1] = { type: 'pre', offset, length, language: prev.codeLanguage };
        return;
      }
      done.push({ type: 'pre', offset, length });
      return;
    case 'code':
      if (sameSpan && prev.type === 'pre' && open.language) {
        done[done.length - 1] = { type: 'pre', offset, length, language: open.language };
        return;
      }
      done.push(open.language ? { type: 'code', offset, length, codeLanguage: open.language } : { type: 'code', offset, length });
      return;
    default: {
      const type = SIMPLE[open.name];
      if (type) done.push({ type, offset, length } as MessageEntity);
    }
  }
}
