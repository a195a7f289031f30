import type { EntityManager } from 'typeorm';
import { Market } from '../entities';

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
