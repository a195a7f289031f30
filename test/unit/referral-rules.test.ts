import fc from 'fast-check';
import { kop } from '../../domain/money';
import { isRefCode, moscowMonthStart, newRefCode, promoDepositShortfall, rewardDue, rewardSplit, REF_CODE_LENGTH } from '../../domain/services/referral-rules';
import { DEFAULT_WITHDRAW_POLICY, quoteWithdrawal } from '../../domain/services/withdrawal-rules';
import { marketOfPayload, refCodeOfPayload, refPayload, startLink } from '../../messages/links';

describe('issue 12: invitation codes and payloads', () => {
  test('every new code is valid, round-trips through its payload, and makes a deep link Telegram accepts', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: REF_CODE_LENGTH, maxLength: REF_CODE_LENGTH }), (draws) => {
      let i = 0;
      const code = newRefCode(() => draws[i++]!);
      expect(code).toHaveLength(REF_CODE_LENGTH);
      expect(isRefCode(code)).toBe(true);
      const payload = refPayload(code);
      expect(payload.length).toBeLessThanOrEqual(64);
      expect(payload).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(refCodeOfPayload(payload)).toBe(code);
      expect(marketOfPayload(payload)).toBeNull();
      expect(startLink('pravda_bot', payload)).toBe(`https://t.me/pravda_bot?start=ref_${code}`);
    }));
  });

  test('other payloads name no code: markets, settings, upper case, too short or too long codes', () => {
    for (const p of ['m12', 'settings', 'ref_', 'ref_abc12', 'ref_ABCDEFGH', 'ref_abcdefgh_', 'ref_' + 'a'.repeat(17), 'xref_abcdefgh', 'inline']) {
      expect(refCodeOfPayload(p)).toBeNull();
    }
    expect(refCodeOfPayload('ref_abcdef')).toBe('abcdef');
    expect(refCodeOfPayload('ref_' + 'a'.repeat(16))).toBe('a'.repeat(16));
  });
});

describe('issue 12: when a reward is due and how the cap splits it', () => {
  test('a reward needs both a deposit and a trade', () => {
    expect(rewardDue({ deposited: true, traded: true })).toBe(true);
    expect(rewardDue({ deposited: true, traded: false })).toBe(false);
    expect(rewardDue({ deposited: false, traded: true })).toBe(false);
    expect(rewardDue({ deposited: false, traded: false })).toBe(false);
  });

  test('the inviter is paid below the cap and not at it; the invitee always', () => {
    const policy = { rewardKop: kop(10_000), monthlyCap: 20 };
    expect(rewardSplit(policy, 19)).toEqual({ inviterKop: 10_000, inviteeKop: 10_000 });
    expect(rewardSplit(policy, 20)).toEqual({ inviterKop: 0, inviteeKop: 10_000 });
    expect(rewardSplit({ ...policy, monthlyCap: 0 }, 0)).toEqual({ inviterKop: 0, inviteeKop: 10_000 });
    fc.assert(fc.property(fc.nat(100), fc.nat(100), (cap, done) => {
      const s = rewardSplit({ rewardKop: kop(500), monthlyCap: cap }, done);
      expect(s.inviterKop).toBe(done < cap ? 500 : 0);
      expect(s.inviteeKop).toBe(500);
    }));
  });

  test('the cap counts from the Moscow month: 31 Jan 23:59 MSK is January, 1 Feb 00:00 MSK (31 Jan 21:00 UTC) is February', () => {
    expect(moscowMonthStart(new Date('2026-01-31T20:59:59.999Z')).toISOString()).toBe('2025-12-31T21:00:00.000Z');
    expect(moscowMonthStart(new Date('2026-01-31T21:00:00.000Z')).toISOString()).toBe('2026-01-31T21:00:00.000Z');
  });
});

describe('issue 12: promo money needs as much deposited before a withdrawal', () => {
  const state = (promo: number, deposited: number) => ({
    available: kop(1_000_000), requestsToday: 0, withdrawnThisMonth: kop(0), promoKop: kop(promo), depositedKop: kop(deposited),
  });

  test('shortfall is what is missing, never negative', () => {
    fc.assert(fc.property(fc.nat(1e9), fc.nat(1e9), (p, d) => {
      expect(promoDepositShortfall(kop(p), kop(d))).toBe(Math.max(0, p - d));
    }));
  });

  test('at the boundary: deposited = received passes, one kopeck less is refused with the amounts', () => {
    expect(quoteWithdrawal(DEFAULT_WITHDRAW_POLICY, kop(10_000), state(20_000, 20_000))).toMatchObject({ ok: true });
    expect(quoteWithdrawal(DEFAULT_WITHDRAW_POLICY, kop(10_000), state(20_000, 19_999))).toEqual({
      ok: false, code: 'withdraw_promo_unmet', vars: { promo: 20_000, deposited: 19_999, missing: 1 },
    });
    expect(quoteWithdrawal(DEFAULT_WITHDRAW_POLICY, kop(10_000), state(0, 0))).toMatchObject({ ok: true });
  });
});
