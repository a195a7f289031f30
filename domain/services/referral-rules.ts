/**
 * The pure rules of referrals (issue 12): invitation codes, when an invitation earns its reward,
 * and how the inviter's monthly cap splits it. No I/O: the service and the tests call the same functions.
 */
import { DateTime } from 'luxon';
import { kop, type Kop } from '../money';

/** The configured programme (infra/config.ts REFERRAL_*). */
export interface ReferralPolicy {
  /** Paid to each side, kop; 0 turns rewards off (nothing is recorded, so turning them on later still pays). */
  rewardKop: Kop;
  /** Most inviter rewards per Moscow calendar month. */
  monthlyCap: number;
}

/** The policy from configured plain numbers. @throws MoneyError on a non-integer amount. */
export function referralPolicyOf(c: { rewardKop: number; monthlyCap: number }): ReferralPolicy {
  return { rewardKop: kop(c.rewardKop), monthlyCap: c.monthlyCap };
}

const CODE_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Characters of a new code: 36^8 ≈ 2.8·10^12 codes, so a guessed code names nobody. */
export const REF_CODE_LENGTH = 8;
const CODE = /^[a-z0-9]{6,16}$/;

/** A new invitation code from `random()` in [0, 1) (lower-case letters and digits, {@link REF_CODE_LENGTH} long). */
export function newRefCode(random: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < REF_CODE_LENGTH; i++) s += CODE_ALPHABET[Math.floor(random() * CODE_ALPHABET.length)];
  return s;
}

/** True for a string that can be an invitation code (the `users.ref_code` CHECK). */
export function isRefCode(s: string): boolean {
  return CODE.test(s);
}

/** What the invitee has done so far. */
export interface InviteeProgress {
  /** At least one deposit credited (a posting from the deposits account). */
  deposited: boolean;
  /** At least one filled trade, as taker or maker. */
  traded: boolean;
}

/** An invitation earns its reward once the invitee has both deposited and traded (seed plan: no reward for an idle sign-up). */
export function rewardDue(p: InviteeProgress): boolean {
  return p.deposited && p.traded;
}

/**
 * The amounts of one reward, kop: the invitee always gets `rewardKop`; the inviter too, unless they
 * already had `monthlyCap` rewards this Moscow month (then 0: the cap limits farming by one inviter
 * without punishing the newcomer).
 */
export function rewardSplit(policy: ReferralPolicy, inviterRewardsThisMonth: number): { inviterKop: Kop; inviteeKop: Kop } {
  const inviterKop = inviterRewardsThisMonth < policy.monthlyCap ? policy.rewardKop : kop(0);
  return { inviterKop, inviteeKop: policy.rewardKop };
}

/** Start of the Moscow calendar month containing `now` (the cap counts from it). */
export function moscowMonthStart(now: Date): Date {
  return DateTime.fromJSDate(now, { zone: 'Europe/Moscow' }).startOf('month').toJSDate();
}

/**
 * The withdrawal rule for promo money: someone who received `promoKop` in rewards may withdraw only
 * once they deposited at least as much (`depositedKop`). Rewards can be traded, but not cashed out
 * on their own. Returns the deposit still missing, kop (0 when the rule is met).
 */
export function promoDepositShortfall(promoKop: Kop, depositedKop: Kop): Kop {
  return kop(Math.max(0, promoKop - depositedKop));
}
