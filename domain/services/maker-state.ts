import type { EntityManager } from 'typeorm';
import { makeLadder, type MakerInventory, type MakerParams } from '../exchange';
import type { Kop } from '../money';

/** Price levels the maker quotes at most on each side (DESIGN §9 "a window of levels"). */
export const MAKER_WINDOW = 8;

/** A market's maker as stored, with its inventory now. Amounts in kop, shares whole. */
export interface MakerState {
  marketId: number;
  /** The maker's own users.id. */
  userId: number;
  /** Who gets what the maker holds at settlement: a user (group markets), or null for `house:liquidity`. */
  funderUserId: number | null;
  /** Liquidity given to the maker so far (the ante or budget, plus every addLiquidity). */
  budgetKop: Kop;
  openingPrice: number;
  params: MakerParams;
  inv: MakerInventory;
  /** Set once settlement has returned what the maker held. */
  returnedKop: Kop | null;
}

/**
 * Reads a market's maker and its inventory (shares held + offered, kop available + reserved), or
 * null when the market has no maker. `lock` takes the maker row FOR UPDATE (funding changes).
 */
export async function loadMakerState(m: EntityManager, marketId: number, lock = false): Promise<MakerState | null> {
  return (await loadMakerStates(m, [marketId], lock)).get(marketId) ?? null;
}

/** {@link loadMakerState} of several markets in one statement: market id → state (absent: no maker). */
export async function loadMakerStates(m: EntityManager, marketIds: readonly number[], lock = false): Promise<Map<number, MakerState>> {
  const out = new Map<number, MakerState>();
  if (marketIds.length === 0) return out;
  const rows = await m.query(
    `SELECT mm.market_id, mm.user_id, mm.funder_user_id, mm.budget_kop, mm.opening_price, mm.b, mm.anchor_price, mm.anchor_net, mm.returned_kop,
            (SELECT COALESCE(sum(a.balance), 0) FROM accounts a WHERE a.user_id = mm.user_id AND a.kind IN ('available', 'reserved')) AS cash,
            (SELECT COALESCE(sum(p.shares) FILTER (WHERE p.outcome = 'YES'), 0) FROM positions p WHERE p.user_id = mm.user_id AND p.market_id = mm.market_id) AS yes,
            (SELECT COALESCE(sum(p.shares) FILTER (WHERE p.outcome = 'NO'), 0) FROM positions p WHERE p.user_id = mm.user_id AND p.market_id = mm.market_id) AS no
       FROM market_makers mm WHERE mm.market_id = ANY($1::bigint[]) ${lock ? 'FOR UPDATE' : ''}`, [marketIds]);
  for (const r of rows) {
    const userId = Number(r.user_id);
    out.set(Number(r.market_id), {
      marketId: Number(r.market_id),
      userId,
      funderUserId: r.funder_user_id === null ? null : Number(r.funder_user_id),
      budgetKop: Number(r.budget_kop) as Kop,
      openingPrice: Number(r.opening_price),
      params: { userId, ladder: makeLadder(Number(r.b), Number(r.anchor_price)), anchorNet: Number(r.anchor_net), window: MAKER_WINDOW },
      inv: { yes: Number(r.yes), no: Number(r.no), cashKop: Number(r.cash) },
      returnedKop: r.returned_kop === null ? null : (Number(r.returned_kop) as Kop),
    });
  }
  return out;
}
