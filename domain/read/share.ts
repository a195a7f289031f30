/** What a win's share card shows (issue 12): the market, its outcome, what the user paid and got back. */
import type { EntityManager } from 'typeorm';
import type { Kop } from '../money';
import { kopOf } from './rows';

export interface WinFacts {
  title: string;
  outcome: string;
  yesPayout: number | null;
  /** Net paid into the market by fills (buys − sells, with fees and rebates), kop. */
  paidKop: Kop;
  /** Settlement payout, kop. */
  payoutKop: Kop;
}

/**
 * The user's result on a settled market, or null when it is not settled or not a win (the payout
 * does not exceed what they paid in). Same cash flows as the leaderboard (domain/read/leaderboard.ts).
 */
export async function winFacts(m: EntityManager, userId: number, marketId: number): Promise<WinFacts | null> {
  const [r] = await m.query(
    `SELECT mk.title, mk.outcome, mk.yes_payout,
            COALESCE((SELECT sum(CASE WHEN o.intent LIKE 'BUY%' THEN 1 ELSE -1 END
                          * (CASE WHEN o.intent LIKE '%YES' THEN f.price ELSE 100 - f.price END) * f.qty + f.taker_fee_kop)
                        FROM fills f JOIN orders o ON o.id = f.taker_order_id WHERE f.market_id = mk.id AND f.taker_user_id = $1), 0)
          + COALESCE((SELECT sum(CASE WHEN o.intent LIKE 'BUY%' THEN 1 ELSE -1 END
                          * (CASE WHEN o.intent LIKE '%YES' THEN f.price ELSE 100 - f.price END) * f.qty - f.maker_rebate_kop)
                        FROM fills f JOIN orders o ON o.id = f.maker_order_id WHERE f.market_id = mk.id AND f.maker_user_id = $1), 0) AS paid,
            COALESCE((SELECT sum(payout_kop) FROM positions WHERE market_id = mk.id AND user_id = $1), 0) AS payout
       FROM markets mk WHERE mk.id = $2 AND mk.status = 'settled'`, [userId, marketId]);
  if (!r) return null;
  const paidKop = kopOf(r.paid);
  const payoutKop = kopOf(r.payout);
  if (payoutKop <= paidKop) return null;
  return { title: r.title, outcome: r.outcome, yesPayout: r.yes_payout === null ? null : Number(r.yes_payout), paidKop, payoutKop };
}
