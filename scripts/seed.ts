import type { DataSource } from 'typeorm';
import { kop } from '../domain/money';
import { createMarket } from '../domain/services/markets';
import { loadConfig } from '../infra/config';
import seedMarkets from './seed-markets.json';
import { mulberry32 } from '../infra/prng';

/**
 * Seeds the five markets of the seed plan with 30 days of YES-price history ending at their
 * seed price, each with a house maker (DESIGN §9) opening at that price with the `MM_BUDGET`
 * budget from `house:liquidity`, so the book quotes both sides from the start. Returns the market ids.
 */
export async function seedDemo(ds: DataSource, now = Date.now()): Promise<number[]> {
  const budget = kop(loadConfig().liquidity.mmBudgetKop);
  const ids: number[] = [];
  for (const [i, s] of seedMarkets.entries()) {
    const r = await createMarket(ds, {
      title: s.title, description: s.description, category: s.category,
      deadline: new Date(now + s.deadlineDays * 86_400_000), createdBy: null, liquidityKop: budget, openingPrice: s.yesPrice,
    });
    if (!r.ok) throw new Error(`seed market: ${r.code}`);
    const id = r.market.id;
    ids.push(id);
    const rnd = mulberry32(1000 + i);
    const points: [number, number][] = [];
    let p = s.yesPrice;
    // A walk backwards from today's price, so the chart ends where the book is.
    for (let h = 0; h < 30 * 24; h += 6) {
      points.push([now - h * 3_600_000, p]);
      p = Math.min(95, Math.max(5, p + Math.round((rnd() - 0.5) * 4)));
    }
    await ds.query(
      `INSERT INTO price_points (market_id, at, price, volume_kop)
       SELECT $1, to_timestamp(t / 1000.0), pr, 0 FROM unnest($2::bigint[], $3::int[]) AS x(t, pr)`,
      [id, points.map((x) => x[0]), points.map((x) => x[1])]);
    await ds.query(`UPDATE markets SET volume_kop = $2, last_price = $3 WHERE id = $1`, [id, s.volumeKop, s.yesPrice]);
  }
  return ids;
}
