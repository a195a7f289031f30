import type { DataSource, EntityManager } from 'typeorm';
import { Market, MarketEvent } from '../entities';
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
