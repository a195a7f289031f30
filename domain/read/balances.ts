import type { EntityManager } from 'typeorm';
import { kop, type Kop } from '../money';
import { kopOf, type DbNumber } from './rows';

/**
 * A user's available and reserved balances, kop, in one read of their two ledger accounts
 * (a user account never goes negative, so its stored balance is the sum of its postings —
 * DESIGN §3). A user whose accounts do not exist yet (never deposited) has 0 and 0.
 */
export async function walletOf(m: EntityManager, userId: number): Promise<{ available: Kop; reserved: Kop }> {
  const rows: { kind: 'available' | 'reserved'; balance: DbNumber }[] = await m.query(
    `SELECT kind, balance FROM accounts WHERE user_id = $1 AND kind IN ('available', 'reserved')`, [userId]);
  const of = (k: 'available' | 'reserved') => {
    const r = rows.find((x) => x.kind === k);
    return r ? kopOf(r.balance) : kop(0);
  };
  return { available: of('available'), reserved: of('reserved') };
}
