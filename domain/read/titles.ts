/** Market titles and outcomes for notices. */
import type { EntityManager } from 'typeorm';
import type { MarketOutcome } from '../entities';
import { int, type DbNumber } from './rows';

/** Titles of markets by id; unknown ids are left out. */
export async function titlesOf(m: EntityManager, marketIds: readonly number[]): Promise<Map<number, string>> {
  if (marketIds.length === 0) return new Map();
  const rows: { id: DbNumber; title: string }[] = await m.query(`SELECT id, title FROM markets WHERE id = ANY($1::bigint[])`, [[...new Set(marketIds)]]);
  return new Map(rows.map((r) => [int(r.id), r.title]));
}

/** A market's title and outcome (null until resolved); `yesPayout` in kop per YES share. */
export interface MarketResult {
  title: string;
  outcome: MarketOutcome | null;
  yesPayout: number | null;
}

/** The result of a market, or null for an unknown market. */
export async function marketResult(m: EntityManager, marketId: number): Promise<MarketResult | null> {
  const [r]: { title: string; outcome: MarketOutcome | null; yes_payout: number | null }[] = await m.query(
    `SELECT title, outcome, yes_payout FROM markets WHERE id = $1`, [marketId]);
  return r ? { title: r.title, outcome: r.outcome, yesPayout: r.yes_payout } : null;
}
