/**
 * How a paid withdrawal leaves the platform. The flow (hold, approval, paid, postings) does not
 * depend on the method; a method only names its outside account and how a payout is confirmed.
 * MVP (seed plan): `manual` — an admin pays outside the bot and records the payout reference.
 * An automated provider would be a second implementation confirming with its own transfer id.
 */
export interface PayoutMethod {
  /** Stored in `withdrawals.method`; part of the outside account code. */
  readonly id: string;
  /** The ledger account paid withdrawals go to (`external:withdrawals:<id>`, created by a migration). */
  readonly account: string;
  /** Expected time from request to money, hours (shown in the preview). */
  readonly expectedHours: number;
  /**
   * Checks the reference that proves the payout (an admin's bank transfer id for `manual`);
   * returns it normalized, or null when it cannot be one.
   */
  normalizeReference(text: string): string | null;
}

/** Reference of a manual payout: 3–64 printable characters (a bank's transfer or receipt number). */
export const manualPayout: PayoutMethod = {
  id: 'manual',
  account: 'external:withdrawals:manual',
  expectedHours: 24,
  normalizeReference(text) {
    const t = text.trim();
    return /^[\p{L}\p{N}#/_.:-][\p{L}\p{N}#/_.: -]{2,63}$/u.test(t) ? t : null;
  },
};

const METHODS: Record<string, PayoutMethod> = { manual: manualPayout };

/** The method of a stored request. @throws Error for an unknown id (a bug: only known ids are stored). */
export function payoutMethod(id: string): PayoutMethod {
  const m = METHODS[id];
  if (!m) throw new Error(`unknown payout method ${id}`);
  return m;
}
