/**
 * Fitting texts into Telegram's size limits (docs/LIMITS.md). Telegram counts a text or caption
 * AFTER entity parsing: the visible characters (UTF-16 code units, as JS string lengths count),
 * without HTML tags, with `&lt;` and friends counted as one character. So an HTML text is measured
 * and cut here by what the reader sees, never inside a tag or an entity, and every tag left open
 * by a cut is closed again, so the result still parses.
 */

/** Telegram's limits (Bot API: sendMessage, sendPhoto, answerCallbackQuery, InlineKeyboardButton). */
export const TELEGRAM_LIMITS = {
  /** Message text (send and edit), after entity parsing. */
  message: 4096,
  /** Photo caption (send and edit), after entity parsing. */
  caption: 1024,
  /** answerCallbackQuery text. */
  callbackAnswer: 200,
  /** callback_data, in bytes (UTF-8). */
  callbackDataBytes: 64,
} as const;

/** What a cut text ends with. */
const ELLIPSIS = '\u2026';
// Only these named entities are decoded by Telegram; any other `&name;` is literal text.
const NAMED = new Set(['lt', 'gt', 'amp', 'quot']);

/** One piece of an HTML text: a tag (no visible width), or visible text `width` characters long. */
type Token = { kind: 'open'; raw: string; name: string } | { kind: 'close'; raw: string; name: string } | { kind: 'text'; raw: string; width: number };

function tokenize(html: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < html.length) {
    const c = html[i]!;
    if (c === '<') {
      const end = html.indexOf('>', i);
      if (end > i) {
        const raw = html.slice(i, end + 1);
        const close = raw[1] === '/';
        const name = (/^<\/?\s*([A-Za-z][\w-]*)/.exec(raw)?.[1] ?? '').toLowerCase();
        out.push({ kind: close ? 'close' : 'open', raw, name });
        i = end + 1;
        continue;
      }
    }
    if (c === '&') {
      const m = /^&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/.exec(html.slice(i, i + 12));
      if (m && (m[1]!.startsWith('#') || NAMED.has(m[1]!.toLowerCase()))) {
        const cp = m[1]!.startsWith('#x') ? parseInt(m[1]!.slice(2), 16) : m[1]!.startsWith('#') ? parseInt(m[1]!.slice(1), 10) : 0;
        out.push({ kind: 'text', raw: m[0], width: cp > 0xffff ? 2 : 1 });
        i += m[0].length;
        continue;
      }
    }
    // A surrogate pair is one character and is never split.
    const code = html.charCodeAt(i);
    const width = code >= 0xd800 && code <= 0xdbff && i + 1 < html.length ? 2 : 1;
    out.push({ kind: 'text', raw: html.slice(i, i + width), width });
    i += width;
  }
  return out;
}

/** Characters Telegram counts in an HTML text (what the reader sees). */
export function visibleLength(html: string): number {
  let n = 0;
  for (const t of tokenize(html)) if (t.kind === 'text') n += t.width;
  return n;
}

/** Closing tags, innermost first, for the tags still open. */
function closing(open: readonly { name: string }[]): string {
  return [...open].reverse().map((o) => `</${o.name}>`).join('');
}

/**
 * Cuts an HTML text to at most `limit` visible characters, ending with "…" when cut; tags opened
 * before the cut are closed after it. A text that fits is returned unchanged.
 * @param limit visible characters (e.g. TELEGRAM_LIMITS.caption), at least 1
 */
export function fitHtml(html: string, limit: number): string {
  if (visibleLength(html) <= limit) return html;
  const budget = limit - ELLIPSIS.length;
  const open: { name: string }[] = [];
  let out = '';
  let used = 0;
  for (const t of tokenize(html)) {
    if (t.kind === 'text') {
      if (used + t.width > budget) break;
      used += t.width;
    } else if (t.kind === 'open') {
      open.push({ name: t.name });
    } else {
      const at = open.map((o) => o.name).lastIndexOf(t.name);
      if (at >= 0) open.splice(at, 1);
    }
    out += t.raw;
  }
  // Tags opened right at the cut would be empty: drop nothing, just close them (valid, invisible).
  return `${out.trimEnd()}${ELLIPSIS}${closing(open)}`;
}

/** Cuts a plain text (no parse mode) to at most `limit` characters, ending with "…" when cut. */
export function fitPlain(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit - ELLIPSIS.length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}

/**
 * Splits an HTML text into messages of at most `limit` visible characters each, at line breaks
 * where possible (a longer line is split between characters). Every part is valid HTML on its
 * own: a tag spanning a split is closed at the end of one part and opened again in the next.
 * @returns at least one part; the parts joined by "\n" show the whole text
 */
export function splitHtml(html: string, limit: number): string[] {
  const parts: string[] = [];
  const open: { name: string; raw: string }[] = [];
  let cur = '';
  let used = 0;
  let lastBreak: { at: number; used: number; open: { name: string; raw: string }[] } | null = null;
  const flush = (upTo: number, keepOpen: { name: string; raw: string }[]) => {
    parts.push(cur.slice(0, upTo) + closing(keepOpen));
  };
  for (const t of tokenize(html)) {
    while (t.kind === 'text' && used + t.width > limit) {
      if (lastBreak) {
        // Cut at the last line break: its "\n" is dropped (the next message starts the new line).
        const rest = cur.slice(lastBreak.at + 1);
        flush(lastBreak.at, lastBreak.open);
        cur = lastBreak.open.map((o) => o.raw).join('') + rest;
        used -= lastBreak.used + 1;
      } else {
        flush(cur.length, open);
        cur = open.map((o) => o.raw).join('');
        used = 0;
      }
      lastBreak = null;
    }
    if (t.kind === 'text' && t.raw === '\n') lastBreak = { at: cur.length, used, open: [...open] };
    if (t.kind === 'text') used += t.width;
    else if (t.kind === 'open') open.push({ name: t.name, raw: t.raw });
    else {
      const at = open.map((o) => o.name).lastIndexOf(t.name);
      if (at >= 0) open.splice(at, 1);
    }
    cur += t.raw;
  }
  if (visibleLength(cur) > 0 || parts.length === 0) parts.push(cur + closing(open));
  return parts.filter((p, i) => i === 0 || visibleLength(p) > 0);
}
