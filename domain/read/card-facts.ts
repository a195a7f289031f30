/** What posted market cards show (domain/services/cards.ts keeps track of the cards themselves). */
import { cardExtrasOf, type CardExtras } from './card-extras';
import { In, type EntityManager } from 'typeorm';
import { Market } from '../entities';
import { quotes } from './quotes';
import { int, type DbNumber } from './rows';

/**
 * Markets with an active card whose shown state is no longer the market's (resolved, settled,
 * past its deadline: changes that come from outside the matching queue). The CASE mirrors
 * domain/read/trading-state.ts `tradingState`.
 */
export async function marketsWithStaleCards(m: EntityManager): Promise<number[]> {
  const rows: { market_id: DbNumber }[] = await m.query(
    `SELECT DISTINCT c.market_id FROM posted_cards c JOIN markets mk ON mk.id = c.market_id
      WHERE c.active AND c.shown_status IS DISTINCT FROM
        CASE WHEN mk.status <> 'open' THEN mk.status
             WHEN mk.deadline <= now() THEN 'closed'
             WHEN mk.trading_paused THEN 'paused' ELSE 'open' END`);
  return rows.map((r) => int(r.market_id));
}

/** What a card shows about its market. Prices in kop (= %), volume in kop. */
export interface CardFacts {
  market: Market;
  yesPrice: number;
  noPrice: number;
  /** Distinct people who traded in the market (either side of a fill; the house maker is not counted). */
  traders: number;
  /** House liquidity and the author's position (issue 8). */
  extras?: CardExtras;
}

/** Reads the facts of several cards' markets at once (an inline answer shows up to 50); unknown ids are absent. */
export async function cardFactsOf(m: EntityManager, marketIds: readonly number[]): Promise<Map<number, CardFacts>> {
  if (marketIds.length === 0) return new Map();
  const markets = await m.getRepository(Market).findBy({ id: In([...marketIds]) });
  const prices = await quotes(m, marketIds);
  const traders: { market_id: DbNumber; n: DbNumber }[] = await m.query(
    `SELECT market_id, count(DISTINCT user_id) AS n FROM (
       SELECT market_id, maker_user_id AS user_id FROM fills WHERE market_id = ANY($1::bigint[])
       UNION ALL SELECT market_id, taker_user_id FROM fills WHERE market_id = ANY($1::bigint[])) u
     JOIN users ON users.id = u.user_id AND NOT users.is_maker
     GROUP BY market_id`, [marketIds]);
  const counts = new Map(traders.map((r) => [int(r.market_id), int(r.n)]));
  const extras = await cardExtrasOf(m, marketIds);
  const out = new Map<number, CardFacts>();
  for (const market of markets) {
    const q = prices.get(market.id)!;
    out.set(market.id, { market, yesPrice: q.yesPrice, noPrice: q.noPrice, traders: counts.get(market.id) ?? 0, extras: extras.get(market.id) });
  }
  return out;
}
