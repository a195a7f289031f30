/** The card lines of domain/read/card-extras.ts (house liquidity, the author's position), HTML. */
import type { Language } from '../domain/entities';
import type { CardExtras } from '../domain/read/card-extras';
import { th } from '../infra/i18n';

/** Lines for `parse_mode: 'HTML'`, in `lang`; none when there is nothing to show. */
export function cardExtraLines(lang: Language, extras: CardExtras | undefined): string[] {
  const lines: string[] = [];
  if (extras?.liquidityKop) lines.push(th(lang, 'liquidity.card_line', { budget: extras.liquidityKop }));
  const h = extras?.creatorHolding;
  if (h) lines.push(th(lang, 'gtrust.creator_position', { yes: h.YES, no: h.NO }));
  return lines;
}
