import type { DataSource, EntityManager } from 'typeorm';
import { Market } from '../entities';
import type { Kop } from '../money';
import { DEFAULT_GROUP_ANTE_KOP } from './liquidity';
import { createFundedMarket, type NewMarket } from './markets';
import type { Result } from './result';

/** Category of markets created in a group with /predict (the one-line syntax has no category). */
export const GROUP_MARKET_CATEGORY = 'other';

/**
 * A group's markets whose outcome is still to be fixed (open, closed or proposed), soonest
 * deadline first: what /resolve in that group offers.
 */
export async function unresolvedChatMarkets(m: EntityManager, chatId: number, limit: number): Promise<Market[]> {
  return m.getRepository(Market).createQueryBuilder('m')
    .where('m.chat_id = :chatId', { chatId }).andWhere(`m.status IN ('open', 'closed', 'proposed')`)
    .orderBy('m.deadline', 'ASC').addOrderBy('m.id', 'ASC').limit(limit).getMany();
}

/**
 * Creates a group market (`/predict`) whose maker is funded by its creator: the ante
 * (`liquidityKop`, default {@link DEFAULT_GROUP_ANTE_KOP}, callers pass config `GROUP_ANTE`) is
 * taken from the creator's available balance by a posting in the same transaction as the market
 * row (DESIGN §9); what the maker holds after settlement goes back to the creator.
 * Failures: the market checks (markets.checkNewMarket), liquidity_out_of_range {minKop, maxKop},
 * opening_price_out_of_range {minPrice, maxPrice}, insufficient_funds {need, have}.
 */
export async function createGroupMarket(
  ds: DataSource | EntityManager,
  input: Omit<NewMarket, 'createdBy' | 'chatId'> & { createdBy: number; chatId: number; liquidityKop?: Kop; openingPrice?: number },
): Promise<Result<{ market: Market }>> {
  return createFundedMarket(ds, input, input.createdBy, input.liquidityKop ?? DEFAULT_GROUP_ANTE_KOP);
}
