/** Issue 12: referral attribution and rewards on the real database. */
import type { DataSource } from 'typeorm';
import { post, systemAccountId, ensureUserAccounts } from '../../domain/ledger/ledger';
import { kop } from '../../domain/money';
import { runAudit } from '../../domain/read/audit';
import { inviteSummary } from '../../domain/read/referrals';
import { BookCache } from '../../domain/services/book-cache';
import { applyCommands } from '../../domain/services/matching';
import { attributeReferral, referralCodeOf, rewardReferrals } from '../../domain/services/referrals';
import type { ReferralPolicy } from '../../domain/services/referral-rules';
import { balancesOf } from '../../domain/services/users';
import { DEFAULT_WITHDRAW_POLICY } from '../../domain/services/withdrawal-rules';
import { previewWithdrawal } from '../../domain/services/withdrawals';
import { freshDatabase } from '../helpers/db';
import { openMarket, userWithMoney } from '../helpers/world';

let ds: DataSource;
let drop: () => Promise<void>;
let market: number;
const cache = new BookCache();
beforeAll(async () => {
  ({ ds, drop } = await freshDatabase('referral'));
  market = await openMarket(ds);
});
afterAll(async () => drop());

const POLICY: ReferralPolicy = { rewardKop: kop(10_000), monthlyCap: 20 };
let seq = 0;

/** A fill between `userId` (taker, BUY_YES 50 × 40) and a fresh counterparty resting BUY_NO. */
async function trade(userId: number): Promise<void> {
  const other = await userWithMoney(ds, 100, 'counterparty');
  const rest = { type: 'place' as const, idempotencyKey: `r-${seq++}`, kind: 'limit' as const, tif: 'GTC' as const, marketId: market, userId: other, intent: 'BUY_NO' as const, price: 50, qty: 40 };
  const take = { ...rest, idempotencyKey: `r-${seq++}`, userId, intent: 'BUY_YES' as const, tif: 'IOC' as const };
  const out = await applyCommands(ds, cache, market, [rest, take]);
  expect(out.results).toMatchObject([{ ok: true }, { ok: true, outcome: { filled: 40 } }]);
}

async function invited(inviter: number, rub = 100, name = 'invitee'): Promise<number> {
  const invitee = await userWithMoney(ds, rub, name);
  expect(await attributeReferral(ds, invitee, await referralCodeOf(ds.manager, inviter))).toEqual({ outcome: 'attributed', inviterId: inviter });
  return invitee;
}

async function promoPostings(invitee: number): Promise<number> {
  const [r] = await ds.query(`SELECT count(*) n FROM postings WHERE ref_type = 'referral' AND ref_id = $1`, [invitee]);
  return Number(r.n);
}

async function auditOk(): Promise<void> {
  const a = await runAudit(ds.manager);
  expect(Object.entries(a.invariants).filter(([, r]) => !r.ok)).toEqual([]);
}

test('a code is made once per user and is stable', async () => {
  const u = await userWithMoney(ds, 0);
  const [a, b] = await Promise.all([referralCodeOf(ds.manager, u), referralCodeOf(ds.manager, u)]);
  expect(a).toMatch(/^[a-z0-9]{8}$/);
  expect(b).toBe(a);
  expect(await referralCodeOf(ds.manager, u)).toBe(a);
});

test('attribution: never to oneself, never circular, unknown codes ignored, at most once per invitee', async () => {
  const ann = await userWithMoney(ds, 0, 'Ann');
  const bob = await userWithMoney(ds, 0, 'Bob');
  const carl = await userWithMoney(ds, 0, 'Carl');
  expect(await attributeReferral(ds, ann, await referralCodeOf(ds.manager, ann))).toEqual({ outcome: 'self' });
  expect(await attributeReferral(ds, ann, 'zzzzzzzz')).toEqual({ outcome: 'unknown_code' });
  expect(await attributeReferral(ds, ann, 'NOT A CODE')).toEqual({ outcome: 'unknown_code' });
  expect((await attributeReferral(ds, bob, await referralCodeOf(ds.manager, ann))).outcome).toBe('attributed');
  expect((await attributeReferral(ds, carl, await referralCodeOf(ds.manager, bob))).outcome).toBe('attributed');
  // Ann invited Bob who invited Carl: Ann cannot be Bob's or Carl's invitee.
  expect(await attributeReferral(ds, ann, await referralCodeOf(ds.manager, bob))).toEqual({ outcome: 'circular' });
  expect(await attributeReferral(ds, ann, await referralCodeOf(ds.manager, carl))).toEqual({ outcome: 'circular' });
  expect(await attributeReferral(ds, bob, await referralCodeOf(ds.manager, carl))).toEqual({ outcome: 'circular' });
  expect(await attributeReferral(ds, bob, await referralCodeOf(ds.manager, carl))).toEqual({ outcome: 'circular' });
  const dave = await userWithMoney(ds, 0, 'Dave');
  expect(await attributeReferral(ds, carl, await referralCodeOf(ds.manager, dave))).toEqual({ outcome: 'already_attributed' });
  const [r] = await ds.query(`SELECT inviter_id FROM referrals WHERE invitee_id = $1`, [carl]);
  expect(Number(r.inviter_id)).toBe(bob);
  // The table refuses a self-referral even past the service.
  await expect(ds.query(`INSERT INTO referrals (invitee_id, inviter_id) VALUES ($1, $1)`, [dave])).rejects.toThrow(/check/i);
});

test('no reward before the invitee trades, none without an invitation; then paid once under retries and concurrent hooks', async () => {
  const inviter = await userWithMoney(ds, 0, 'Inviter');
  const invitee = await invited(inviter);
  expect(await rewardReferrals(ds, POLICY, [invitee, inviter])).toEqual([]);
  expect(await promoPostings(invitee)).toBe(0);

  await trade(invitee);
  const runs = await Promise.all([
    rewardReferrals(ds, POLICY, [invitee]), rewardReferrals(ds, POLICY, [invitee]),
    rewardReferrals(ds, POLICY, [invitee, inviter]), rewardReferrals(ds, POLICY, [invitee]),
  ]);
  expect(runs.flat()).toEqual([{ inviteeId: invitee, inviterId: inviter, inviterKop: 10_000, inviteeKop: 10_000 }]);
  // A retry after the fact (a redelivered job) pays nothing.
  expect(await rewardReferrals(ds, POLICY, [invitee])).toEqual([]);
  expect(await promoPostings(invitee)).toBe(2);
  expect((await balancesOf(ds.manager, inviter)).available).toBe(10_000);
  // 100 ₽ deposited − 40 shares at 50 kop (2 000) − fee 2 + the 100 ₽ reward.
  expect((await balancesOf(ds.manager, invitee)).available).toBe(10_000 - 2_002 + 10_000);
  expect(await inviteSummary(ds.manager, inviter)).toEqual({
    joined: 1, rewarded: 1, earnedKop: 10_000, latest: [{ firstName: 'invitee', rewarded: true }],
  });
  await auditOk();
});

test('no reward for a trade without a deposit, nor with the reward set to 0 (and 0 records nothing)', async () => {
  const inviter = await userWithMoney(ds, 0, 'Inviter');
  const invitee = await invited(inviter, 0);
  // Money that is not a deposit (the house liquidity account stands in for any other source).
  const acc = await ensureUserAccounts(ds.manager, invitee);
  const liquidity = await systemAccountId(ds.manager, 'house:liquidity');
  await ds.transaction((m) => post(m, [{ from: liquidity, to: acc.available, amount: kop(10_000), kind: 'test', refType: 'test' }]));
  await trade(invitee);
  expect(await rewardReferrals(ds, POLICY, [invitee])).toEqual([]);
  const from = await systemAccountId(ds.manager, 'external:telegram:deposits');
  await ds.transaction((m) => post(m, [{ from, to: acc.available, amount: kop(10_000), kind: 'deposit', refType: 'test' }]));
  expect(await rewardReferrals(ds, { ...POLICY, rewardKop: kop(0) }, [invitee])).toEqual([]);
  expect(await promoPostings(invitee)).toBe(0);
  expect(await rewardReferrals(ds, POLICY, [invitee])).toHaveLength(1);
});

test('monthly cap at its boundary, per Moscow month, and under concurrent invitees', async () => {
  const policy = { rewardKop: kop(5_000), monthlyCap: 2 };
  const inviter = await userWithMoney(ds, 0, 'Capped');
  const jan31 = new Date('2026-01-31T20:59:00Z'); // 23:59 MSK, still January
  const feb1 = new Date('2026-01-31T21:00:00Z'); // 00:00 MSK, February
  const a = await invited(inviter);
  const b = await invited(inviter);
  const c = await invited(inviter);
  for (const u of [a, b, c]) await trade(u);
  // Three invitees qualifying at once: the inviter's row lock makes the cap hold (2 paid, 1 not).
  const paid = (await Promise.all([a, b, c].map((u) => rewardReferrals(ds, policy, [u], jan31)))).flat();
  expect(paid).toHaveLength(3);
  expect(paid.map((r) => r.inviterKop).sort()).toEqual([0, 5_000, 5_000]);
  expect(paid.every((r) => r.inviteeKop === 5_000)).toBe(true);
  const d = await invited(inviter);
  await trade(d);
  expect(await rewardReferrals(ds, policy, [d], feb1)).toEqual([{ inviteeId: d, inviterId: inviter, inviterKop: 5_000, inviteeKop: 5_000 }]);
  expect((await balancesOf(ds.manager, inviter)).available).toBe(15_000);
  expect(await inviteSummary(ds.manager, inviter)).toMatchObject({ joined: 4, rewarded: 4, earnedKop: 15_000 });
  await auditOk();
});

test('a withdrawal needs as much deposited as received in rewards', async () => {
  const inviter = await userWithMoney(ds, 0, 'NoDeposit');
  const invitee = await invited(inviter, 150);
  await trade(invitee);
  expect(await rewardReferrals(ds, POLICY, [invitee])).toHaveLength(1);
  // The invitee deposited 150 ₽ and received 100 ₽: may withdraw.
  expect(await previewWithdrawal(ds.manager, DEFAULT_WITHDRAW_POLICY, invitee, kop(10_000))).toMatchObject({ ok: true });
  // The inviter deposited nothing and received 100 ₽: refused, with the amounts.
  expect(await previewWithdrawal(ds.manager, DEFAULT_WITHDRAW_POLICY, inviter, kop(10_000))).toEqual({
    ok: false, code: 'withdraw_promo_unmet', vars: { promo: 10_000, deposited: 0, missing: 10_000 },
  });
});

test('the audit catches promo money paid without a recorded reward', async () => {
  await auditOk();
  const u = await userWithMoney(ds, 0);
  const acc = await ensureUserAccounts(ds.manager, u);
  const promo = await systemAccountId(ds.manager, 'house:promo');
  await ds.transaction((m) => post(m, [{ from: promo, to: acc.available, amount: kop(100), kind: 'referral_reward', refType: 'referral', refId: u }]));
  const a = await runAudit(ds.manager);
  expect(a.ok).toBe(false);
  expect(a.invariants['10_promo_pays_only_known_rewards']!.ok).toBe(false);
});
