/**
 * issue 9: withdrawals against the real Postgres — concurrent requests and steps apply once, and
 * the audit's withdrawal invariants (pending account = open requests; paid once; never paid and
 * released) hold after every step and catch a broken ledger.
 */
import type { DataSource } from 'typeorm';
import { ensureUserAccounts, post, systemAccountId } from '../../domain/ledger/ledger';
import { kop } from '../../domain/money';
import { runAudit } from '../../domain/read/audit';
import { selfExclude, tradingBlock } from '../../domain/services/responsible-use';
import { balancesOf, upsertUser } from '../../domain/services/users';
import {
  approveWithdrawal, cancelWithdrawal, ensurePendingAccount, flagOverdue, markWithdrawalPaid, rejectWithdrawal, requestWithdrawal,
} from '../../domain/services/withdrawals';
import { DEFAULT_WITHDRAW_POLICY, type WithdrawPolicy } from '../../domain/services/withdrawal-rules';
import { freshDatabase } from '../helpers/db';

let ds: DataSource;
let drop: () => Promise<void>;
let seq = 5000;
beforeAll(async () => ({ ds, drop } = await freshDatabase('withdrawals')));
afterAll(async () => drop());

const policy: WithdrawPolicy = { ...DEFAULT_WITHDRAW_POLICY, quorumKop: kop(500_000) };
const card = { kind: 'card' as const, number: '4111111111111111' };

async function funded(rub: number): Promise<number> {
  const { user } = await upsertUser(ds, { id: seq++, first_name: 'W' });
  const acc = await ensureUserAccounts(ds.manager, user.id);
  const from = await systemAccountId(ds.manager, 'external:telegram:deposits');
  await ds.transaction((m) => post(m, [{ from, to: acc.available, amount: kop(rub * 100), kind: 'deposit', refType: 'test' }]));
  return user.id;
}
async function admin(): Promise<number> {
  return (await upsertUser(ds, { id: seq++, first_name: 'Admin' })).user.id;
}
async function place(userId: number, amount: number, key: string) {
  const r = await requestWithdrawal(ds, policy, { userId, amount: kop(amount), destination: card, idempotencyKey: key });
  if (!r.ok) throw new Error(r.code);
  return r.withdrawal.id;
}
async function failing(): Promise<string[]> {
  const a = await runAudit(ds.manager);
  return Object.entries(a.invariants).filter(([, r]) => !r.ok).map(([k]) => k);
}

test('issue 9: parallel requests with one key place one; parallel requests over the balance hold at most the balance', async () => {
  const u = await funded(1_000);
  const same = await Promise.all([0, 1, 2].map(() => requestWithdrawal(ds, policy, { userId: u, amount: kop(40_000), destination: card, idempotencyKey: 'k-same' })));
  expect(same.filter((r) => r.ok && r.created)).toHaveLength(1);
  const other = await Promise.all(['k-a', 'k-b'].map((key) => requestWithdrawal(ds, policy, { userId: u, amount: kop(40_000), destination: card, idempotencyKey: key })));
  expect(other.filter((r) => r.ok)).toHaveLength(1);
  expect(other.find((r) => !r.ok)).toMatchObject({ code: 'withdraw_over_available' });
  expect(await balancesOf(ds.manager, u)).toEqual({ available: 20_000, reserved: 0 });
  expect(await failing()).toEqual([]);
});

test('issue 9: parallel approvals and payouts post once; paid requests cannot be released; the audit stays clean', async () => {
  const u = await funded(20_000);
  const id = await place(u, 1_500_000, 'k-big'); // 15 000 ₽: above the quorum, 5 000 ₽ above the allowance → 50 ₽ fee
  const [a1, a2] = [await admin(), await admin()];
  await Promise.all([approveWithdrawal(ds, a1, id), approveWithdrawal(ds, a1, id)]);
  const [w] = await ds.query(`SELECT status, approvals FROM withdrawals WHERE id = $1`, [id]);
  expect(w.status).toBe('pending');
  expect(await markWithdrawalPaid(ds, a1, id, 'REF')).toMatchObject({ ok: false, code: 'withdraw_not_approved' });
  await approveWithdrawal(ds, a2, id);
  const paid = await Promise.all([0, 1, 2].map(() => markWithdrawalPaid(ds, a2, id, 'REF-9')));
  expect(paid.filter((r) => r.ok && r.changed)).toHaveLength(1);
  expect(await rejectWithdrawal(ds, a1, id, 'late')).toMatchObject({ ok: false, code: 'withdraw_already_paid' });
  expect(await cancelWithdrawal(ds, u, id)).toMatchObject({ ok: false, code: 'withdraw_already_paid' });
  const posts = await ds.query(`SELECT kind, amount FROM postings WHERE ref_type = 'withdrawal' AND ref_id = $1 ORDER BY id`, [id]);
  expect(posts.map((p: { kind: string; amount: string }) => [p.kind, Number(p.amount)])).toEqual([
    ['withdrawal_hold', 1_500_000], ['withdrawal_payout', 1_495_000], ['withdrawal_fee', 5_000],
  ]);
  expect(await failing()).toEqual([]);
});

test('an admin cannot approve their own request; another admin can', async () => {
  const own = await admin();
  const acc = await ensureUserAccounts(ds.manager, own);
  const from = await systemAccountId(ds.manager, 'external:telegram:deposits');
  await ds.transaction((m) => post(m, [{ from, to: acc.available, amount: kop(100_000), kind: 'deposit', refType: 'test' }]));
  const id = await place(own, 50_000, 'k-own');
  expect(await approveWithdrawal(ds, own, id)).toMatchObject({ ok: false, code: 'withdraw_own' });
  const [w] = await ds.query(`SELECT status, approvals FROM withdrawals WHERE id = $1`, [id]);
  expect(w).toEqual({ status: 'pending', approvals: [] });
  expect(await approveWithdrawal(ds, await admin(), id)).toMatchObject({ ok: true, changed: true });
  expect(await failing()).toEqual([]);
});

test('issue 9: cancel and reject race: exactly one releases', async () => {
  const u = await funded(1_000);
  const id = await place(u, 50_000, 'k-race');
  const a = await admin();
  const [c, r] = await Promise.all([cancelWithdrawal(ds, u, id), rejectWithdrawal(ds, a, id, 'no')]);
  expect([c, r].filter((x) => x.ok && x.changed)).toHaveLength(1);
  const [n] = await ds.query(`SELECT count(*) n FROM postings WHERE ref_type = 'withdrawal' AND ref_id = $1 AND kind = 'withdrawal_release'`, [id]);
  expect(Number(n.n)).toBe(1);
  expect(await balancesOf(ds.manager, u)).toEqual({ available: 100_000, reserved: 0 });
  expect(await failing()).toEqual([]);
});

test('issue 9: the audit catches a pending account out of step, a missing payout and a paid-and-released request', async () => {
  const u = await funded(1_000);
  const id = await place(u, 30_000, 'k-broken');
  const pending = await ensurePendingAccount(ds.manager, u);
  const acc = await ensureUserAccounts(ds.manager, u);
  // Money leaves the pending account without its request changing state.
  await ds.transaction((m) => post(m, [{ from: pending, to: acc.available, amount: kop(100), kind: 'test', refType: 'test' }]));
  expect(await failing()).toContain('7_withdrawal_pending_matches_requests');
  await ds.transaction((m) => post(m, [{ from: acc.available, to: pending, amount: kop(100), kind: 'test', refType: 'test' }]));
  expect(await failing()).toEqual([]);

  // Marked paid without the payout posting.
  await ds.query(`UPDATE withdrawals SET status = 'paid', payout_ref = 'x', paid_at = now() WHERE id = $1`, [id]);
  expect(await failing()).toEqual(expect.arrayContaining(['7_withdrawal_pending_matches_requests', '8_paid_withdrawals_paid_once']));

  // A release and a payout for the same request.
  const out = await systemAccountId(ds.manager, 'external:withdrawals:manual');
  await ds.transaction((m) => post(m, [
    { from: pending, to: out, amount: kop(15_000), kind: 'withdrawal_payout', refType: 'withdrawal', refId: id },
    { from: pending, to: acc.available, amount: kop(15_000), kind: 'withdrawal_release', refType: 'withdrawal', refId: id },
  ]));
  expect(await failing()).toEqual(expect.arrayContaining(['8_paid_withdrawals_paid_once', '9_withdrawal_paid_or_released_not_both']));
});

test('issue 9: an overdue request is flagged once however many ticks race for it', async () => {
  const u = await funded(1_000);
  const id = await place(u, 20_000, 'k-sla');
  const claims = await Promise.all([0, 1, 2].map(() => flagOverdue(ds.manager, id)));
  expect(claims.filter(Boolean)).toHaveLength(1);
  expect(await flagOverdue(ds.manager, id)).toBe(false);
});

test('issue 9: self-exclusion only ever extends, and blocks trading until it ends', async () => {
  const u = await funded(10);
  const now = new Date();
  const week = await selfExclude(ds.manager, u, '7d', now);
  expect(week.getTime()).toBe(now.getTime() + 7 * 24 * 3_600_000);
  expect((await selfExclude(ds.manager, u, '24h', now)).getTime()).toBe(week.getTime());
  expect(await tradingBlock(ds.manager, u, now)).toMatchObject({ code: 'self_excluded' });
  expect(await tradingBlock(ds.manager, u, new Date(week.getTime() + 1))).toBeNull();
  const forever = await selfExclude(ds.manager, u, 'forever', now);
  expect(await tradingBlock(ds.manager, u, new Date(week.getTime() + 1))).toMatchObject({ code: 'self_excluded_forever' });
  expect((await selfExclude(ds.manager, u, '30d', now)).getTime()).toBe(forever.getTime());
});
