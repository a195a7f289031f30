/** issue 9: the pure withdrawal rules — fee schedule at its boundaries, limits, Luhn, phone, masking. */
import fc from 'fast-check';
import { kop } from '../../domain/money';
import {
  DEFAULT_WITHDRAW_POLICY as P, luhnValid, maskCard, parseBankName, parseCardNumber, parsePhone, quoteWithdrawal, withdrawalFee,
} from '../../domain/services/withdrawal-rules';

const state = (available: number, requestsToday = 0, withdrawnThisMonth = 0) => ({ available: kop(available), requestsToday, withdrawnThisMonth: kop(withdrawnThisMonth), promoKop: kop(0), depositedKop: kop(0) });

test('issue 9: no fee up to 10 000 ₽ a month, 1 % rounded up to a kopeck above it', () => {
  expect(withdrawalFee(P, kop(1_000_000), kop(0))).toBe(0);
  expect(withdrawalFee(P, kop(1_000_001), kop(0))).toBe(1); // 1 kop above: 0.01 kop → 1 kop
  expect(withdrawalFee(P, kop(100), kop(1_000_000))).toBe(1);
  expect(withdrawalFee(P, kop(10_000), kop(999_999))).toBe(100); // 9 999 kop charged → 99.99 → 100
  expect(withdrawalFee(P, kop(200_000), kop(1_100_000))).toBe(2_000);
});

test('issue 9: the fee is monotone and never more than 1 % of the amount, rounded up', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 50_000_000 }), fc.integer({ min: 0, max: 50_000_000 }), (amount, before) => {
    const fee = withdrawalFee(P, kop(amount), kop(before));
    expect(fee).toBeGreaterThanOrEqual(0);
    expect(fee).toBeLessThanOrEqual(Math.ceil(amount / 100));
    expect(withdrawalFee(P, kop(amount), kop(before + 1))).toBeGreaterThanOrEqual(fee);
  }));
});

test('issue 9: limits at their boundaries', () => {
  expect(quoteWithdrawal(P, kop(9_999), state(1e7))).toMatchObject({ ok: false, code: 'withdraw_too_small' });
  expect(quoteWithdrawal(P, kop(10_000), state(1e7))).toMatchObject({ ok: true, fee: 0, net: 10_000, approvalsNeeded: 1 });
  expect(quoteWithdrawal(P, kop(50_000_001), state(1e9))).toMatchObject({ ok: false, code: 'withdraw_too_large' });
  expect(quoteWithdrawal(P, kop(50_000_000), state(1e9))).toMatchObject({ ok: true, approvalsNeeded: 2 });
  expect(quoteWithdrawal(P, kop(10_000_000), state(1e9))).toMatchObject({ ok: true, approvalsNeeded: 1 });
  expect(quoteWithdrawal(P, kop(10_000_001), state(1e9))).toMatchObject({ ok: true, approvalsNeeded: 2 });
  expect(quoteWithdrawal(P, kop(20_001), state(20_000))).toMatchObject({ ok: false, code: 'withdraw_over_available' });
  expect(quoteWithdrawal(P, kop(20_000), state(20_000, 2))).toMatchObject({ ok: true });
  expect(quoteWithdrawal(P, kop(20_000), state(20_000, 3))).toMatchObject({ ok: false, code: 'withdraw_daily_limit', vars: { count: 3 } });
});

test('issue 9: card numbers pass Luhn or are refused; shown masked', () => {
  expect(luhnValid('4111111111111111')).toBe(true);
  expect(luhnValid('4111111111111112')).toBe(false);
  expect(parseCardNumber('4111 1111 1111 1111')).toBe('4111111111111111');
  expect(parseCardNumber('4111 1111 1111 1112')).toBeNull();
  expect(parseCardNumber('4111 1111 1111')).toBeNull();
  expect(parseCardNumber('abcd')).toBeNull();
  expect(maskCard('4111111111111111')).toBe('•••• 1111');
});

test('issue 9: SBP phones and bank names', () => {
  expect(parsePhone('+7 900 123-45-67')).toBe('+79001234567');
  expect(parsePhone('8 (900) 123-45-67')).toBe('+79001234567');
  expect(parsePhone('+7 123')).toBeNull();
  expect(parsePhone('+1 900 123 45 67')).toBeNull();
  expect(parsePhone('+7 800 123-45-67')).toBeNull(); // not a mobile number
  expect(parseBankName('  Т-Банк ')).toBe('Т-Банк');
  expect(parseBankName('x')).toBeNull();
  expect(parseBankName('<b>')).toBeNull();
});
