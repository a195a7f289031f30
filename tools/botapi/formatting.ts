/**
 * Turning a text/caption parameter plus `parse_mode`/`entities` into what the recipient sees,
 * with Telegram's limits (https://core.telegram.org/bots/api#formatting-options):
 * text 1–4096 characters after entity parsing, caption 0–1024.
 */
import type { MessageEntity } from 'telegraf/types';
import { badRequest } from './errors';
import { HtmlParseError, parseHtml } from './html';

export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;

/** Plain text and its entities (absent when there are none, as in Telegram's Message objects). */
export interface Formatted {
  text: string;
  entities?: MessageEntity[];
}

/**
 * Apply `parse_mode` (HTML is parsed and validated; Markdown/MarkdownV2 are accepted and kept as
 * literal text — not emulated) or explicit `entities`.
 * @param kind 'text' enforces non-empty and 4096; 'caption' enforces 1024.
 * @throws ApiError 400 `can't parse entities: …`, `message text is empty`, `message is too long`,
 *   `message caption is too long`, `unsupported parse_mode`.
 */
export function formatText(raw: string, parseMode: string | undefined, entities: unknown, kind: 'text' | 'caption'): Formatted {
  let out: Formatted;
  const mode = parseMode?.toLowerCase();
  if (mode === 'html') {
    try {
      const parsed = parseHtml(raw);
      out = parsed.entities.length ? parsed : { text: parsed.text };
    } catch (e) {
      if (e instanceof HtmlParseError) throw badRequest(`can't parse entities: ${e.message}`);
      throw e;
    }
  } else if (mode === undefined || mode === '' || mode === 'markdown' || mode === 'markdownv2') {
    out = { text: raw };
    const given = validateEntities(entities, raw);
    if (given.length && !mode) out.entities = given;
  } else {
    throw badRequest('unsupported parse_mode');
  }
  if (kind === 'text') {
    if (out.text.trim() === '') throw badRequest('message text is empty');
    if (out.text.length > TEXT_LIMIT) throw badRequest('message is too long');
  } else if (out.text.length > CAPTION_LIMIT) {
    throw badRequest('message caption is too long');
  }
  return out;
}

function validateEntities(entities: unknown, text: string): MessageEntity[] {
  if (entities === undefined || entities === null) return [];
  let list: unknown = entities;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list) as unknown;
    } catch {
      throw badRequest("can't parse entities JSON object");
    }
  }
  if (!Array.isArray(list)) throw badRequest('field "entities" must be an Array');
  return list.map((e: unknown) => {
    const ent = e as Partial<MessageEntity>;
    if (typeof ent.type !== 'string' || typeof ent.offset !== 'number' || typeof ent.length !== 'number') {
      throw badRequest("can't parse MessageEntity: field \"type\" must be of type String");
    }
    if (ent.offset < 0 || ent.length <= 0 || ent.offset + ent.length > text.length) {
      throw badRequest('entity beginning is out of bounds');
    }
    return ent as MessageEntity;
  });
}

/** Deep structural equality for JSON-like values (used for "message is not modified"). */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, canonical(x)]),
    );
  }
  return v;
}
