/** Texts of the app: the bot's own locales/ files and formatters (infra/i18n), no second copy. */
import { t as translate, type Vars } from '../../../infra/i18n';
import { formatDateTime } from '../../../infra/format';
import type { Language } from '../../../infra/language';

let lang: Language = 'ru';

export function setLanguage(l: Language): void {
  lang = l;
  document.documentElement.lang = l;
}
export function language(): Language {
  return lang;
}
/** A text under `miniapp.` in locales/. */
export function tr(key: string, vars: Vars = {}): string {
  return translate(lang, `miniapp.${key}`, vars);
}
/** A text of the bot by its full key (`intent.BUY_YES`, `side.yes`). */
export function tb(key: string, vars: Vars = {}): string {
  return translate(lang, key, vars);
}
export function date(ms: number): string {
  return formatDateTime(new Date(ms), lang);
}
