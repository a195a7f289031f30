import type { DataSource } from 'typeorm';

/** A market seeded by {@link seedResolvedMarket}. */
export interface SeededMarket {
  marketId: number;
  /** kop per YES share it resolved at; NO gets 100 − it. */
  yesPayout: number;
  /** YES positions plus NO positions. */
  positions: number;
}

let seq = 0;

/**
 * A resolved market with `holders` YES holders and as many NO holders (every one a fresh user
 * with ledger accounts), written with a handful of set-based statements so 100 000 positions take
 * seconds. The YES holder k and the NO holder k hold the same 1..10 shares, so outstanding YES =
 * NO = pairs, and every position's purchase is a real posting into the escrow (50 kop per share
 * from the outside deposits account): escrow = 100 × pairs and the ledger sums to zero, exactly
 * the state trading and a close leave behind (DESIGN §3 invariants 1 and 3).
 *
 * @param yesPayout kop per YES share, 0..100
 */
export async function seedResolvedMarket(ds: DataSource, holders: number, yesPayout: number): Promise<SeededMarket> {
  // Telegram ids of seeded users: far above the simulator's, distinct per call in this process.
  const base = 8_000_000_000 + process.pid * 10_000_000 + (seq++) * 400_000;
  return ds.transaction(async (m) => {
    const [mk] = await m.query(
      `INSERT INTO markets (title, category, deadline, status, outcome, yes_payout, closed_at, resolved_at, proposal_round)
       VALUES ('Seeded market', 'other', now(), 'resolved', 'PROB', $1, now(), now(), 1) RETURNING id`, [yesPayout]);
    const marketId = Number(mk.id);
    const [esc] = await m.query(
      `INSERT INTO accounts (code, kind, market_id) VALUES ('market:' || $1::text || ':escrow', 'escrow', $1::bigint) RETURNING id`, [marketId]);
    await m.query(
      `INSERT INTO users (telegram_id, first_name) SELECT $1::bigint + g, 'h' || g FROM generate_series(1, $2::int) g`,
      [base, 2 * holders]);
    await m.query(
      `INSERT INTO accounts (code, kind, user_id)
       SELECT 'user:' || u.id || ':' || k.kind, k.kind, u.id
         FROM users u CROSS JOIN (VALUES ('available'), ('reserved')) AS k(kind)
        WHERE u.telegram_id BETWEEN $1::bigint + 1 AND $1::bigint + $2::int`, [base, 2 * holders]);
    await m.query(
      `INSERT INTO positions (user_id, market_id, outcome, shares)
       SELECT u.id, $3::bigint, CASE WHEN u.telegram_id - $1::bigint <= $2 THEN 'YES' ELSE 'NO' END, (u.telegram_id - $1::bigint - 1) % $2 % 10 + 1
         FROM users u WHERE u.telegram_id BETWEEN $1::bigint + 1 AND $1::bigint + 2 * $2::int`, [base, holders, marketId]);
    await m.query(
      `INSERT INTO postings (from_account_id, to_account_id, amount, kind, ref_type, ref_id)
       SELECT (SELECT id FROM accounts WHERE code = 'external:telegram:deposits'), $2, 50 * p.shares, 'seed', 'bench', $1::bigint
         FROM positions p WHERE p.market_id = $1`, [marketId, Number(esc.id)]);
    await m.query(
      `UPDATE accounts SET balance = (SELECT sum(amount) FROM postings WHERE to_account_id = $1) WHERE id = $1`, [Number(esc.id)]);
    return { marketId, yesPayout, positions: 2 * holders };
  });
}
