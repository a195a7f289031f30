import type { EntityManager } from 'typeorm';
import { FEE_VOLUME_WINDOW_DAYS } from '../exchange/pre-trade';
import { kop, type Kop } from '../money';

/**
 * Taker notional (kop) of each user over the fee window ({@link FEE_VOLUME_WINDOW_DAYS} days up to
 * today, from taker_volume): the input of the fee tier. Users without volume get 0. The one place
 * the window is queried (the preview, the fee-tier screen and the matching batch's prefetch).
 */
export async function takerVolumes(m: EntityManager, userIds: readonly number[]): Promise<Map<number, Kop>> {
  const out = new Map<number, Kop>(userIds.map((u) => [u, kop(0)]));
  if (userIds.length === 0) return out;
  const rows: { user_id: string; v: string }[] = await m.query(
    `SELECT user_id, sum(notional_kop) AS v FROM taker_volume
      WHERE user_id = ANY($1::bigint[]) AND day > current_date - $2::int GROUP BY user_id`,
    [userIds, FEE_VOLUME_WINDOW_DAYS]);
  for (const r of rows) out.set(Number(r.user_id), kop(Number(r.v)));
  return out;
}

/** {@link takerVolumes} of one user, kop. */
export async function takerVolume(m: EntityManager, userId: number): Promise<Kop> {
  return (await takerVolumes(m, [userId])).get(userId)!;
}
