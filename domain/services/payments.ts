import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Invoice } from '../entities';
import { ensureUserAccounts, post, systemAccountId } from '../ledger/ledger';
import { kop, type Kop } from '../money';
import { int, kopOf } from '../read/rows';
import { fail, type Result } from './result';

/** Deposit limits per invoice, kop (seed plan: orders start at 10 ₽; a deposit below that buys nothing). */
export const MIN_DEPOSIT = kop(10_000);
export const MAX_DEPOSIT = kop(100_000_000);
export const DEPOSIT_ACCOUNT = 'external:telegram:deposits';

/** Validates a deposit amount (kop). */
export function checkDepositAmount(amount: Kop): Result<object> {
  if (amount < MIN_DEPOSIT) return fail('deposit_too_small', { min: MIN_DEPOSIT });
  if (amount > MAX_DEPOSIT) return fail('deposit_too_large', { max: MAX_DEPOSIT });
  return { ok: true };
}

/**
 * Records an invoice before it is sent; its `payload` (≤ 128 bytes per the Bot API) identifies
 * it when the pre-checkout query and the payment come back.
 */
export async function createInvoice(ds: DataSource, userId: number, amount: Kop): Promise<Result<{ invoice: Invoice }>> {
  const check = checkDepositAmount(amount);
  if (!check.ok) return check;
  const repo = ds.getRepository(Invoice);
  const invoice = await repo.save(repo.create({ userId, amountKop: amount, payload: `dep:${randomBytes(12).toString('hex')}` }));
  return { ok: true, invoice };
}

/** What Telegram tells us in a pre_checkout_query or successful_payment (Bot API). */
export interface PaymentClaim {
  payload: string;
  currency: string;
  /** In the currency's smallest units: kop for RUB. */
  totalAmount: number;
  userId: number;
}

/**
 * Answers a pre_checkout_query: the invoice must exist, belong to the payer, be unpaid and match
 * amount and currency. Must run well inside Telegram's 10 s limit: one indexed read.
 */
export async function validatePreCheckout(ds: DataSource, claim: PaymentClaim): Promise<Result<object>> {
  const inv = await ds.getRepository(Invoice).findOneBy({ payload: claim.payload });
  if (!inv || inv.userId !== claim.userId) return fail('invoice_unknown');
  if (inv.status === 'paid') return fail('invoice_already_paid');
  if (claim.currency !== 'RUB' || claim.totalAmount !== inv.amountKop) return fail('invoice_mismatch');
  return { ok: true };
}

/**
 * Credits a successful payment exactly once per `telegram_payment_charge_id` (DESIGN §3 inv. 6):
 * the payments row and the posting share one transaction, and both are unique on the charge id,
 * so a message delivered twice, or processed by two bots at once, credits once.
 */
export async function creditPayment(
  ds: DataSource,
  claim: PaymentClaim & { telegramChargeId: string; providerChargeId: string },
): Promise<Result<{ credited: boolean; amount: Kop }>> {
  return ds.transaction(async (m) => {
    const [inv] = await m.query(`SELECT id, user_id, amount_kop, status FROM invoices WHERE payload = $1 FOR UPDATE`, [claim.payload]);
    if (!inv || int(inv.user_id) !== claim.userId) return fail('invoice_unknown');
    const amount = kopOf(inv.amount_kop);
    if (claim.currency !== 'RUB' || claim.totalAmount !== amount) return fail('invoice_mismatch');
    const ins = await m.query(
      `INSERT INTO payments (provider, telegram_charge_id, provider_charge_id, invoice_id, user_id, amount_kop)
       VALUES ('telegram', $1, $2, $3, $4, $5) ON CONFLICT (telegram_charge_id) DO NOTHING RETURNING id`,
      [claim.telegramChargeId, claim.providerChargeId, inv.id, claim.userId, amount],
    );
    if (ins.length === 0) return { ok: true, credited: false, amount };
    // A second, different charge for an already paid invoice is credited too: the money did arrive
    // (pre-checkout refuses paid invoices, so only a race between two checkouts gets here).
    const acc = await ensureUserAccounts(m, claim.userId);
    await post(m, [{
      from: await systemAccountId(m, DEPOSIT_ACCOUNT),
      to: acc.available,
      amount,
      kind: 'deposit',
      refType: 'payment',
      refId: Number(ins[0].id),
      idempotencyKey: `payment:${claim.telegramChargeId}`,
    }]);
    await m.query(`UPDATE invoices SET status = 'paid', paid_at = now() WHERE id = $1`, [inv.id]);
    return { ok: true, credited: true, amount };
  });
}
