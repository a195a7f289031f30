/**
 * Referrals (issue 12): invitation codes, attribution on the invitee's first /start, and the
 * reward paid once per invitee from `house:promo` after their first deposit and first fill.
 *
 *   house:promo → user:<inviter>:available   referral_reward   (referral:<invitee>:inviter)
 *   house:promo → user:<invitee>:available   referral_reward   (referral:<invitee>:invitee)
 *
 * The `referrals` row is locked and marked rewarded in the same transaction as the postings, and
 * the postings' keys are unique in the ledger: the hook may run any number of times, concurrently,
 * from the deposit and from every fill, and pays once.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { ensureUserAccounts, post, systemAccountId, type Move } from '../ledger/ledger';
import type { Kop } from '../money';
import { int } from '../read/rows';
import { DEPOSIT_ACCOUNT } from './payments';
import { isRefCode, moscowMonthStart, newRefCode, rewardDue, rewardSplit, type ReferralPolicy } from './referral-rules';

/** The house account rewards and prizes are paid from (created by the first migration; it goes negative by design). */
export const PROMO_ACCOUNT = 'house:promo';

/** The user's invitation code, made (once, race-free) on first use. */
export async function referralCodeOf(m: EntityManager, userId: number, random: () => number = Math.random): Promise<string> {
  // Read first: every /invite and `@bot invite` asks, and only the first one writes.
  const [known] = await m.query(`SELECT ref_code FROM users WHERE id = $1 AND ref_code IS NOT NULL`, [userId]);
  if (known) return String(known.ref_code);
  for (;;) {
    try {
      const [r] = await m.query(
        // A CTE so the driver returns rows (TypeORM returns [rows, count] for a bare UPDATE).
        `WITH u AS (UPDATE users SET ref_code = COALESCE(ref_code, $2) WHERE id = $1 RETURNING ref_code) SELECT ref_code FROM u`,
        [userId, newRefCode(random)]);
      if (!r) throw new Error(`no user ${userId}`);
      return String(r.ref_code);
    } catch (e) {
      // Another user already has this code (1 in 10^12): draw again.
      if ((e as { code?: string }).code !== '23505') throw e;
    }
  }
}

/** What became of an invitation link: attributed, or why not (nothing is changed then). */
export type Attribution = 'attributed' | 'unknown_code' | 'self' | 'circular' | 'already_attributed';

/**
 * Records that `inviteeId` came through the code `code`. The caller passes only a /start that
 * created the invitee's row (their first): someone who already used the bot is never attributed.
 * Never to oneself, never circular (the inviter was not, directly or further up, invited by the
 * invitee), at most once per invitee (primary key).
 */
export async function attributeReferral(ds: DataSource, inviteeId: number, code: string): Promise<{ outcome: Attribution; inviterId?: number }> {
  if (!isRefCode(code)) return { outcome: 'unknown_code' };
  return ds.transaction(async (m) => {
    const [inviter] = await m.query(`SELECT id FROM users WHERE ref_code = $1`, [code]);
    if (!inviter) return { outcome: 'unknown_code' as const };
    const inviterId = int(inviter.id);
    if (inviterId === inviteeId) return { outcome: 'self' as const };
    const [loop] = await m.query(
      `WITH RECURSIVE up(id, depth) AS (
         SELECT inviter_id, 1 FROM referrals WHERE invitee_id = $1
         UNION SELECT r.inviter_id, up.depth + 1 FROM referrals r JOIN up ON r.invitee_id = up.id WHERE up.depth < 1000)
       SELECT 1 FROM up WHERE id = $2 LIMIT 1`, [inviterId, inviteeId]);
    if (loop) return { outcome: 'circular' as const };
    const ins = await m.query(
      `INSERT INTO referrals (invitee_id, inviter_id) VALUES ($1, $2) ON CONFLICT (invitee_id) DO NOTHING RETURNING invitee_id`,
      [inviteeId, inviterId]);
    return ins.length > 0 ? { outcome: 'attributed' as const, inviterId } : { outcome: 'already_attributed' as const };
  });
}

/** One reward just paid, kop (the inviter's is 0 when they were over the monthly cap). */
export interface ReferralReward {
  inviteeId: number;
  inviterId: number;
  inviterKop: Kop;
  inviteeKop: Kop;
}

/**
 * The hook run after a deposit commits and after a batch with fills commits: pays the reward of
 * each of `userIds` who was invited, is not yet rewarded, and has now both deposited and traded.
 * One transaction per invitee; the inviter's row is locked so that the monthly cap (counted from
 * the Moscow month of `now`) holds under concurrent rewards of several invitees. Returns the
 * rewards paid by THIS call (to notify both sides); nothing when the policy's reward is 0.
 */
export async function rewardReferrals(ds: DataSource, policy: ReferralPolicy, userIds: readonly number[], now: Date = new Date()): Promise<ReferralReward[]> {
  if (policy.rewardKop <= 0 || userIds.length === 0) return [];
  // The common case (no pending invitation among them) costs one indexed read and no transaction.
  const pending: { invitee_id: string }[] = await ds.query(
    `SELECT invitee_id FROM referrals WHERE invitee_id = ANY($1::bigint[]) AND rewarded_at IS NULL`, [[...new Set(userIds)]]);
  const out: ReferralReward[] = [];
  for (const p of pending) {
    const r = await rewardOne(ds, policy, int(p.invitee_id), now);
    if (r) out.push(r);
  }
  return out;
}

async function rewardOne(ds: DataSource, policy: ReferralPolicy, inviteeId: number, now: Date): Promise<ReferralReward | null> {
  return ds.transaction(async (m) => {
    const [ref] = await m.query(`SELECT inviter_id FROM referrals WHERE invitee_id = $1 AND rewarded_at IS NULL FOR UPDATE`, [inviteeId]);
    if (!ref) return null;
    const inviterId = int(ref.inviter_id);
    const invitee = await ensureUserAccounts(m, inviteeId);
    const [progress] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM postings WHERE to_account_id = $1 AND from_account_id = $2) AS deposited,
              (EXISTS (SELECT 1 FROM fills WHERE taker_user_id = $3) OR EXISTS (SELECT 1 FROM fills WHERE maker_user_id = $3)) AS traded`,
      [invitee.available, await systemAccountId(m, DEPOSIT_ACCOUNT), inviteeId]);
    if (!rewardDue({ deposited: progress.deposited === true, traded: progress.traded === true })) return null;
    // Serializes the rewards of one inviter, so two invitees qualifying at once cannot both pass the cap.
    await m.query(`SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, [inviterId]);
    const [month] = await m.query(
      `SELECT count(*) n FROM referrals WHERE inviter_id = $1 AND rewarded_at >= $2 AND inviter_reward_kop > 0`,
      [inviterId, moscowMonthStart(now)]);
    const split = rewardSplit(policy, int(month.n));
    const inviter = await ensureUserAccounts(m, inviterId);
    const promo = await systemAccountId(m, PROMO_ACCOUNT);
    const moves: Move[] = [
      { from: promo, to: inviter.available, amount: split.inviterKop, kind: 'referral_reward', refType: 'referral', refId: inviteeId, idempotencyKey: `referral:${inviteeId}:inviter` },
      { from: promo, to: invitee.available, amount: split.inviteeKop, kind: 'referral_reward', refType: 'referral', refId: inviteeId, idempotencyKey: `referral:${inviteeId}:invitee` },
    ];
    await post(m, moves);
    await m.query(
      `UPDATE referrals SET rewarded_at = $2, inviter_reward_kop = $3, invitee_reward_kop = $4 WHERE invitee_id = $1`,
      [inviteeId, now, split.inviterKop, split.inviteeKop]);
    return { inviteeId, inviterId, inviterKop: split.inviterKop, inviteeKop: split.inviteeKop };
  });
}
