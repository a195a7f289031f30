/**
 * What a market card shows about the market's maker and its author (issue 8): the house
 * liquidity, and for a group market the shares its creator holds (friends should see when the
 * one who will settle the question has a stake in its answer). Read for several markets at once.
 */
import type { EntityManager } from 'typeorm';
import type { Kop } from '../money';
import { creatorHoldingsOf, type Holding } from '../services/group-trust';
import { makerInfo } from '../services/liquidity';

/** The card's lines about liquidity and the author; absent fields are not shown. */
export interface CardExtras {
  /** The house maker's budget, kop: the most it can lose (absent: no maker). */
  liquidityKop?: Kop;
  /** Shares the group market's creator holds (only when they hold some). */
  creatorHolding?: Holding;
}

/** Extras of the cards of `marketIds` (unknown ids get none). */
export async function cardExtrasOf(m: EntityManager, marketIds: readonly number[]): Promise<Map<number, CardExtras>> {
  const holdings = await creatorHoldingsOf(m, marketIds);
  const out = new Map<number, CardExtras>();
  for (const id of marketIds) {
    const creatorHolding = holdings.get(id);
    const maker = await makerInfo(m, id);
    out.set(id, { ...(maker ? { liquidityKop: maker.budgetKop } : {}), ...(creatorHolding ? { creatorHolding } : {}) });
  }
  return out;
}
