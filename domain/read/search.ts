import type { EntityManager } from 'typeorm';
import { Market } from '../entities';

/** What an inline query looks for: words of the title, and/or categories its words named. */
export interface MarketSearch {
  /** Words that must all occur in the title (case-insensitive, anywhere); empty: no title filter. */
  words: string[];
  /** Categories named by the query (e.g. "sport" → sports); a market of one of them matches too. */
  categories: string[];
  limit: number;
}

/** Escapes LIKE's wildcards so a typed "%" or "_" matches itself. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Markets open for trading (not group-scoped: those belong to their chat), best first: by traded
 * volume over the last 24 h, then by the latest trade, then by all-time volume. With neither words
 * nor categories this is the trending list; otherwise a market matches when its title has every
 * word, or it is in one of the categories.
 */
export async function searchOpenMarkets(m: EntityManager, s: MarketSearch, now = new Date()): Promise<Market[]> {
  const filtered = s.words.length > 0 || s.categories.length > 0;
  const qb = m.getRepository(Market).createQueryBuilder('m')
    .leftJoin(
      (sub) => sub.select('p.market_id', 'market_id').addSelect('sum(p.volume_kop)', 'vol').addSelect('max(p.at)', 'last_at')
        .from('price_points', 'p').where('p.at > :since', { since: new Date(now.getTime() - 86_400_000) })
        .andWhere('p.volume_kop > 0').groupBy('p.market_id'),
      'act', 'act.market_id = m.id')
    .where(`m.status = 'open'`).andWhere('m.deadline > :now', { now }).andWhere('m.trading_paused = false')
    .andWhere('m.chat_id IS NULL');
  if (filtered) {
    const params: Record<string, unknown> = { cats: s.categories.length > 0 ? s.categories : [''] };
    s.words.forEach((w, i) => (params[`w${i}`] = likePattern(w)));
    const title = s.words.length > 0 ? s.words.map((_, i) => `m.title ILIKE :w${i}`).join(' AND ') : 'false';
    // An empty IN list is invalid SQL; a value no category has keeps the clause well-formed.
    qb.andWhere(`((${title}) OR m.category IN (:...cats))`, params);
  }
  return qb.orderBy('COALESCE(act.vol, 0)', 'DESC').addOrderBy('act.last_at', 'DESC', 'NULLS LAST')
    .addOrderBy('m.volume_kop', 'DESC').addOrderBy('m.id', 'ASC')
    .limit(s.limit).getMany();
}
