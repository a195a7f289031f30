import type { DataSource, EntityManager } from 'typeorm';
import { Market, MarketEvent, PricePoint } from '../entities';
import { ensureEscrowAccount } from '../ledger/ledger';
import type { Kop } from '../money';
import { checkFunder, checkFunding, DEFAULT_MM_BUDGET_KOP, DEFAULT_OPENING_PRICE, openMaker } from './liquidity';
import { fail, type Result } from './result';

export const CATEGORIES = ['crypto', 'sports', 'weather', 'politics', 'economy', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Input of `/newmarket` (admin) or `/predict` (group). */
export interface NewMarket {
  title: string;
  description?: string;
  category: string;
  deadline: Date;
  createdBy: number | null;
  chatId?: number | null;
  /**
   * The house maker's budget, kop (DESIGN §9; default {@link DEFAULT_MM_BUDGET_KOP}, callers pass
   * config `MM_BUDGET`). 0: no maker, the book starts empty.
   */
  liquidityKop?: Kop;
  /** The maker's opening YES price, 1..99 (default 50). */
  openingPrice?: number;
}

/** Title 5..200 characters, a known category, a deadline in the future. */
export function checkNewMarket(input: NewMarket, now = new Date()): Result<object> {
  const title = input.title.trim();
  if (title.length < 5 || title.length > 200) return fail('market_title_length', { min: 5, max: 200 });
  if (!(CATEGORIES as readonly string[]).includes(input.category)) return fail('market_bad_category');
  if (!(input.deadline instanceof Date) || Number.isNaN(input.deadline.getTime())) return fail('market_bad_deadline');
  if (input.deadline.getTime() <= now.getTime()) return fail('market_deadline_past');
  return { ok: true };
}

/**
 * Creates an admin market with its escrow account, a `created` audit event and its house maker
 * funded from `house:liquidity` (DESIGN §9), all in one transaction.
 * Failures: the checks of {@link checkNewMarket}; liquidity_out_of_range {minKop, maxKop},
 * opening_price_out_of_range {minPrice, maxPrice}.
 */
export async function createMarket(ds: DataSource | EntityManager, input: NewMarket): Promise<Result<{ market: Market }>> {
  return createFundedMarket(ds, input, null, input.liquidityKop ?? DEFAULT_MM_BUDGET_KOP);
}

/**
 * Creates a market and, unless `budgetKop` is 0, its maker funded by `funderUserId` (null: the
 * house). The funder's balance is checked before anything is written. Shared by admin and group markets.
 * Failures: as {@link createMarket}, and insufficient_funds {need, have} for a user funder.
 */
export async function createFundedMarket(
  ds: DataSource | EntityManager, input: NewMarket, funderUserId: number | null, budgetKop: number,
): Promise<Result<{ market: Market }>> {
  const check = checkNewMarket(input);
  if (!check.ok) return check;
  const openingPrice = input.openingPrice ?? DEFAULT_OPENING_PRICE;
  if (budgetKop !== 0) {
    const funding = checkFunding(budgetKop, openingPrice);
    if (!funding.ok) return funding;
  }
  const m = 'manager' in ds ? ds.manager : ds;
  return m.transaction(async (tx) => {
    if (budgetKop !== 0) {
      const funds = await checkFunder(tx, funderUserId, budgetKop);
      if (!funds.ok) return funds;
    }
    const repo = tx.getRepository(Market);
    const market = await repo.save(repo.create({
      title: input.title.trim(),
      description: input.description?.trim() ?? '',
      category: input.category,
      deadline: input.deadline,
      createdBy: input.createdBy,
      chatId: input.chatId ?? null,
    }));
    await ensureEscrowAccount(tx, market.id);
    await tx.getRepository(MarketEvent).insert({
      marketId: market.id, actorUserId: input.createdBy, kind: 'created',
      data: budgetKop === 0 ? {} : { liquidityKop: budgetKop, openingPrice, ...(funderUserId === null ? {} : { funderUserId }) },
    });
    if (budgetKop !== 0) await openMaker(tx, market.id, { budgetKop: budgetKop as Kop, openingPrice, funderUserId });
    return { ok: true as const, market };
  });
}

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
  const rows: { category: string; n: string }[] = await m.query(
    `SELECT category, count(*) AS n FROM markets WHERE status = 'open' AND chat_id IS NULL GROUP BY category ORDER BY category`,
  );
  return rows.map((r) => ({ category: r.category, count: Number(r.n) }));
}

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
