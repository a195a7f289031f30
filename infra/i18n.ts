/**
 * Translations (i18next; ru default, en second). One instance, initialised synchronously on first
 * import from the JSON files in locales/, shared by the bot and the workers (notifications).
 *
 * Keys are dotted paths (`order.preview_title`). Formatters registered for the texts themselves:
 * `{{amount, money}}` formats integer kop per locale ({@link formatKop}), `{{pnl, signed}}` the
 * same with a "+" on gains, `{{price, percent}}` a price as a probability and `{{bps, bps}}` a fee
 * rate in basis points; so domain failures
 * (`{ code, vars }` with raw kop) are turned into words by the locale file alone.
 */
import i18next, { type i18n } from 'i18next';
import { LRUCache } from 'lru-cache';
import en from '../locales/en.json';
import ru from '../locales/ru.json';
import { formatBps, formatKop, formatPercent } from './format';
import type { Language } from './language';

export type { Language };
/** Supported languages, default first. */
export const LANGUAGES: readonly Language[] = ['ru', 'en'];
export const DEFAULT_LANGUAGE: Language = 'ru';

/** Variables of a text: numbers (kop, shares, prices) and already formatted strings. */
export type Vars = Record<string, string | number>;

/** Escapes text for Telegram's HTML parse mode (Bot API: only <, > and & must be escaped; " inside attributes). */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function asLanguage(lng: string | undefined): Language {
  return lng === 'en' ? 'en' : 'ru';
}

function createI18n(): i18n {
  const inst = i18next.createInstance();
  // initAsync false: resources are in memory, so init completes before this returns.
  void inst.init({
    resources: { ru: { translation: ru }, en: { translation: en } },
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    initAsync: false,
    returnNull: false,
    showSupportNotice: false,
    interpolation: { escapeValue: false, escape: escapeHtml },
  });
  // Formatters must be added after init (i18next docs, "Adding custom format function").
  // `{{amount, money(compact: true)}}` drops ",00" from whole roubles (buttons).
  inst.services.formatter?.add('money', (value: unknown, lng: string | undefined, options: { compact?: unknown }) =>
    formatKop(Number(value), asLanguage(lng), { compact: options?.compact === true || options?.compact === 'true' }));
  inst.services.formatter?.add('percent', (value: unknown) => formatPercent(Number(value)));
  inst.services.formatter?.add('signed', (value: unknown, lng: string | undefined) => formatKop(Number(value), asLanguage(lng), { sign: true }));
  inst.services.formatter?.add('bps', (value: unknown, lng: string | undefined) => formatBps(Number(value), asLanguage(lng)));
  return inst;
}

const instance = createI18n();

/**
 * A plain-text translation (buttons, callback answers, invoices, images, worker notifications
 * sent without a parse mode). Variables are inserted as they are.
 * A missing key falls back to ru, then to the key itself (the unit tests keep that from happening).
 */
export function t(lang: Language, key: string, vars: Vars = {}): string {
  return remembered('p', lang, key, vars, () => instance.t(key, { ...vars, lng: lang }));
}

/**
 * Texts already made, by kind, language, key and variables. A text is a pure function of those
 * (the resources and formatters never change after start), and the same ones come again and
 * again (buttons, labels, a market's prices for every viewer), while i18next's lookup,
 * interpolation and plural rules cost real CPU on every call.
 */
// Bounded by characters too: a text may carry a market's description.
const made = new LRUCache<string, string>({ max: 20_000, maxSize: 4_000_000, sizeCalculation: (text, id) => text.length + id.length });

function remembered(kind: 'p' | 'h', lang: Language, key: string, vars: Vars, make: () => string): string {
  const id = `${kind}\u0000${lang}\u0000${key}\u0000${JSON.stringify(vars)}`;
  let text = made.get(id);
  if (text === undefined) {
    text = make();
    made.set(id, text);
  }
  return text;
}

/**
 * A translation for a message sent with `parse_mode: 'HTML'`: the locale text may contain
 * Telegram HTML tags, and every variable is escaped, so a market title such as "A < B & C" can
 * neither break the markup nor inject tags.
 */
export function th(lang: Language, key: string, vars: Vars = {}): string {
  return remembered('h', lang, key, vars, () => instance.t(key, { ...vars, lng: lang, interpolation: { escapeValue: true } }));
}

/** Whether `key` has a text in `lang` itself (no fallback). */
export function hasText(lang: Language, key: string): boolean {
  return instance.exists(key, { lng: lang, fallbackLng: false });
}
