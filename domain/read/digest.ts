/**
 * Channel digests: what happened on the exchange in a period. Only markets open to everyone
 * count: group markets (`chat_id` set) belong to their chat.
 */
import type { EntityManager } from 'typeorm';
import type { MarketOutcome } from '../entities';
import type { Kop } from '../money';
import { quotes } from './quotes';
import { int, kopOf } from './rows';

/** A market whose YES price moved in the period. Prices in kop (= %). */
export interface Mover {
  marketId: number;
  title: string;
  priceThen: number;
  priceNow: number;
  /** YES price history over the period for a sparkline, oldest first; epoch ms. */
  points: { t: number; price: number }[];
}

export interface DigestSummary {
  /** The period, epoch ms: (fromMs, toMs]. */
  fromMs: number;
  toMs: number;
  /** Biggest moves first (by absolute change), at most `maxMovers`. */
  movers: Mover[];
  newMarkets: { marketId: number; title: string; yesPrice: number }[];
  resolved: { marketId: number; title: string; outcome: MarketOutcome; yesPayout: number }[];
  /** Traded notional in the period, kop (as markets.volume_kop counts it). */
  volumeKop: Kop;
}

/** True when nothing happened: such a period gets no post. */
export function isEmptyDigest(s: DigestSummary): boolean {
  return s.movers.length === 0 && s.newMarkets.length === 0 && s.resolved.length === 0 && s.volumeKop === 0;
}

/** Sparklines need no more detail than this many points (the last price of each slice of the period). */
const SPARK_POINTS = 48;

/**
 * What happened in (fromMs, toMs]: price moves of open markets (the change from the last price at
 * or before the start, else the first in the period, to the last in it), markets created (and not
 * already resolved: those are listed with their outcome), markets resolved, and the traded volume.
 */
export async function digestSummary(m: EntityManager, fromMs: number, toMs: number, maxMovers: number): Promise<DigestSummary> {
  const from = new Date(fromMs);
  const to = new Date(toMs);
  const moved: { market_id: string; title: string; now_price: number; then_price: number }[] = await m.query(
    `WITH w AS (
       SELECT p.market_id, (array_agg(p.price ORDER BY p.at DESC, p.id DESC))[1] AS now_price,
              (array_agg(p.price ORDER BY p.at, p.id))[1] AS first_price
         FROM price_points p JOIN markets mk ON mk.id = p.market_id
        WHERE p.at > $1 AND p.at <= $2 AND mk.chat_id IS NULL AND mk.status = 'open'
        GROUP BY p.market_id)
     SELECT w.market_id, mk.title, w.now_price,
            COALESCE((SELECT q.price FROM price_points q WHERE q.market_id = w.market_id AND q.at <= $1
                       ORDER BY q.at DESC, q.id DESC LIMIT 1), w.first_price) AS then_price
       FROM w JOIN markets mk ON mk.id = w.market_id`, [from, to]);
  const top = moved
    .filter((r) => r.now_price !== r.then_price)
    .sort((a, b) => Math.abs(b.now_price - b.then_price) - Math.abs(a.now_price - a.then_price) || int(a.market_id) - int(b.market_id))
    .slice(0, maxMovers);
  const sliceMs = Math.max(1, Math.ceil((toMs - fromMs) / SPARK_POINTS));
  const points: { market_id: string; at: Date; price: number }[] = top.length === 0 ? [] : await m.query(
    `SELECT market_id, at, price FROM (
       SELECT DISTINCT ON (market_id, floor(extract(epoch FROM at) * 1000 / $3)) market_id, at, price
         FROM price_points WHERE market_id = ANY($4::bigint[]) AND at > $1 AND at <= $2
        ORDER BY market_id, floor(extract(epoch FROM at) * 1000 / $3), at DESC, id DESC) x
      ORDER BY at`, [from, to, sliceMs, top.map((r) => r.market_id)]);
  const movers = top.map((r): Mover => ({
    marketId: int(r.market_id), title: r.title, priceThen: r.then_price, priceNow: r.now_price,
    points: [{ t: fromMs, price: r.then_price },
      ...points.filter((p) => p.market_id === r.market_id).map((p) => ({ t: p.at.getTime(), price: p.price }))],
  }));

  const created: { id: string; title: string }[] = await m.query(
    `SELECT id, title FROM markets WHERE chat_id IS NULL AND created_at > $1 AND created_at <= $2
        AND status NOT IN ('resolved', 'settled') ORDER BY created_at, id`, [from, to]);
  const prices = await quotes(m, created.map((c) => int(c.id)));
  const newMarkets = created.map((c) => ({ marketId: int(c.id), title: c.title, yesPrice: prices.get(int(c.id))?.yesPrice ?? 50 }));

  const resolvedRows: { id: string; title: string; outcome: MarketOutcome; yes_payout: number }[] = await m.query(
    `SELECT id, title, outcome, yes_payout FROM markets
      WHERE chat_id IS NULL AND status IN ('resolved', 'settled') AND resolved_at > $1 AND resolved_at <= $2
      ORDER BY resolved_at, id`, [from, to]);
  const [vol]: { v: string }[] = await m.query(
    `SELECT COALESCE(sum(p.volume_kop), 0) AS v FROM price_points p JOIN markets mk ON mk.id = p.market_id
      WHERE mk.chat_id IS NULL AND p.at > $1 AND p.at <= $2`, [from, to]);
  return {
    fromMs, toMs, movers, newMarkets,
    resolved: resolvedRows.map((r) => ({ marketId: int(r.id), title: r.title, outcome: r.outcome, yesPayout: r.yes_payout })),
    volumeKop: kopOf(vol!.v),
  };
}

