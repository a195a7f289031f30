/** What /invite shows (issue 12): who joined through the user's link and what it earned them. */
import type { EntityManager } from 'typeorm';
import type { Kop } from '../money';
import { int, kopOf } from './rows';

/** Names listed on /invite (the count is always complete). */
export const INVITEES_SHOWN = 20;

export interface InviteSummary {
  /** Everyone attributed to the user. */
  joined: number;
  /** Of them, rewarded (deposited and traded). */
  rewarded: number;
  /** What the user earned as inviter, kop. */
  earnedKop: Kop;
  /** First names of the latest invitees (at most {@link INVITEES_SHOWN}), newest first, with whether each is rewarded. */
  latest: { firstName: string; rewarded: boolean }[];
}

/** The invitation summary of `userId`. */
export async function inviteSummary(m: EntityManager, userId: number): Promise<InviteSummary> {
  const [agg] = await m.query(
    `SELECT count(*) joined, count(rewarded_at) rewarded, COALESCE(sum(inviter_reward_kop), 0) earned
       FROM referrals WHERE inviter_id = $1`, [userId]);
  const rows: { first_name: string; rewarded: boolean }[] = await m.query(
    `SELECT u.first_name, r.rewarded_at IS NOT NULL AS rewarded
       FROM referrals r JOIN users u ON u.id = r.invitee_id
      WHERE r.inviter_id = $1 ORDER BY r.created_at DESC, r.invitee_id DESC LIMIT $2`, [userId, INVITEES_SHOWN]);
  return {
    joined: int(agg.joined), rewarded: int(agg.rewarded), earnedKop: kopOf(agg.earned),
    latest: rows.map((r) => ({ firstName: r.first_name, rewarded: r.rewarded })),
  };
}

/** First names by users.id (unknown ids are left out). */
export async function firstNamesOf(m: EntityManager, userIds: readonly number[]): Promise<Map<number, string>> {
  if (userIds.length === 0) return new Map();
  const rows: { id: string; first_name: string }[] = await m.query(
    `SELECT id, first_name FROM users WHERE id = ANY($1::bigint[])`, [[...new Set(userIds)]]);
  return new Map(rows.map((r) => [int(r.id), r.first_name]));
}
