import type { DataSource } from 'typeorm';
import { Market, MarketEvent, type MarketOutcome } from '../entities';
import { fail, type Result } from './result';

/** What each YES share pays, kop, per outcome (DESIGN §4); NO pays 100 minus it. */
export function yesPayoutOf(outcome: MarketOutcome, probability?: number): number {
  switch (outcome) {
    case 'YES': return 100;
    case 'NO': return 0;
    case 'VOID': return 50;
    case 'PROB': return probability!;
  }
}

export interface ResolveInput {
  marketId: number;
  /** users.id of the admin. */
  adminUserId: number;
  outcome: MarketOutcome;
  /** PROB only: kop per YES share, 0..100. */
  probability?: number;
  /** Resolving a market still open for trading must be an explicit choice. */
  early: boolean;
  note?: string;
}

/**
 * Fixes a market's outcome (DESIGN §4: → resolved), after trading has stopped. A market still
 * open needs `early` and must first be closed by its matching queue (so open orders are cancelled
 * and their reserves released under the market lock); callers do that with a `close` command.
 * Settlement then runs as its own job.
 */
export async function resolveMarket(ds: DataSource, input: ResolveInput): Promise<Result<{ market: Market }>> {
  if (input.outcome === 'PROB') {
    const p = input.probability;
    if (p === undefined || !Number.isInteger(p) || p < 0 || p > 100) return fail('probability_out_of_range', { min: 0, max: 100 });
  }
  return ds.transaction(async (m) => {
    const market = await m.getRepository(Market).findOne({ where: { id: input.marketId }, lock: { mode: 'pessimistic_write' } });
    if (!market) return fail('market_not_found');
    if (market.status === 'resolved' || market.status === 'settled') return fail('market_already_resolved');
    if (market.status === 'open') return fail(input.early ? 'market_not_closed_yet' : 'market_still_open');
    const yesPayout = yesPayoutOf(input.outcome, input.probability);
    await m.getRepository(Market).update({ id: market.id }, {
      status: 'resolved', outcome: input.outcome, yesPayout, resolvedAt: new Date(),
    });
    await m.getRepository(MarketEvent).insert({
      marketId: market.id, actorUserId: input.adminUserId, kind: 'resolved',
      data: { outcome: input.outcome, yesPayout, early: input.early, ...(input.note ? { note: input.note } : {}) },
    });
    return { ok: true as const, market: { ...market, status: 'resolved' as const, outcome: input.outcome, yesPayout } };
  });
}
