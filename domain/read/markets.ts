/** Markets as lists, cards and charts read them. */
import type { EntityManager } from 'typeorm';
import { Market, PricePoint } from '../entities';
import { int, type DbNumber } from './rows';

/** Markets per page of the list. */
export const PAGE_SIZE = 5;

/** One page of markets still trading (open, deadline ahead), newest first; optionally one category. */
export async function listOpenMarkets(
  m: EntityManager, opts: { category?: string; page: number },
): Promise<{ markets: Market[]; total: number }> {
  const qb = m.getRepository(Market).createQueryBuilder('m')
    .where(`m.status = 'open'`).andWhere('m.chat_id IS NULL');
  if (opts.category) qb.andWhere('m.category = :c', { c: opts.category });
  const [markets, total] = await qb.orderBy('m.volume_kop', 'DESC').addOrderBy('m.id', 'ASC')
    .skip(opts.page * PAGE_SIZE).take(PAGE_SIZE).getManyAndCount();
  return { markets, total };
}

/** Categories that have open markets, with counts. */
export async function categoryCounts(m: EntityManager): Promise<{ category: string; count: number }[]> {
  const rows: { category: string; n: DbNumber }[] = await m.query(
    `SELECT category, count(*) AS n FROM markets WHERE status = 'open' AND chat_id IS NULL GROUP BY category ORDER BY category`,
  );
  return rows.map((r) => ({ category: r.category, count: int(r.n) }));
}

/** A market by id, or null. */
export async function getMarket(m: EntityManager, id: number): Promise<Market | null> {
  return m.getRepository(Market).findOneBy({ id });
}

/** The YES-price history for charts, oldest first (at most `limit` latest points). */
export async function priceHistory(m: EntityManager, marketId: number, limit = 500): Promise<{ t: number; price: number }[]> {
  const rows = await m.getRepository(PricePoint).createQueryBuilder('p')
    .where('p.market_id = :id', { id: marketId }).orderBy('p.at', 'DESC').limit(limit).getMany();
  return rows.reverse().map((r) => ({ t: r.at.getTime(), price: r.price }));
}

/** Markets an admin may resolve: trading stopped or still open (resolving early is an explicit choice). */
export async function listResolvableMarkets(m: EntityManager): Promise<Market[]> {
  return m.getRepository(Market).createQueryBuilder('m')
    .where(`m.status IN ('open', 'closed', 'proposed')`).orderBy('m.deadline', 'ASC').limit(20).getMany();
}
