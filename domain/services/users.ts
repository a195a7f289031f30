import type { DataSource, EntityManager } from 'typeorm';
import { User, type Language } from '../entities';
import { balanceOf, ensureUserAccounts } from '../ledger/ledger';
import type { Kop } from '../money';

/** The parts of a Telegram `User` object we keep. */
export interface TelegramUserInfo {
  id: number;
  first_name: string;
  username?: string;
  language_code?: string;
}

/** ru is the default; en for Telegram clients set to English (and any other non-Russian language). */
export function languageFromTelegram(code: string | undefined): Language {
  if (!code) return 'ru';
  return code.toLowerCase().startsWith('en') ? 'en' : 'ru';
}

/**
 * Finds or creates the user for a Telegram account, with ledger accounts.
 * The language is picked from `language_code` only on creation; `/language` changes it later.
 * Runs on every update, so a known user with unchanged names costs one indexed read and no write.
 */
export async function upsertUser(ds: DataSource | EntityManager, tg: TelegramUserInfo): Promise<{ user: User; created: boolean }> {
  const m = 'manager' in ds ? ds.manager : ds;
  const known = await m.getRepository(User).findOneBy({ telegramId: tg.id });
  if (known && known.username === (tg.username ?? null) && known.firstName === (tg.first_name ?? '')) {
    return { user: known, created: false };
  }
  return m.transaction(async (tx) => {
    const rows: { id: string; created: boolean }[] = await tx.query(
      `INSERT INTO users (telegram_id, username, first_name, language) VALUES ($1, $2, $3, $4)
       ON CONFLICT (telegram_id) DO UPDATE SET username = EXCLUDED.username, first_name = EXCLUDED.first_name
       RETURNING id, (xmax = 0) AS created`,
      [tg.id, tg.username ?? null, tg.first_name ?? '', languageFromTelegram(tg.language_code)],
    );
    const id = Number(rows[0].id);
    await ensureUserAccounts(tx, id);
    const user = await tx.getRepository(User).findOneByOrFail({ id });
    return { user, created: rows[0].created };
  });
}

/** A user's money, kop: free to trade and held by open orders. */
export interface Balances {
  available: Kop;
  reserved: Kop;
}

/**
 * Reads a user's balances: one query once the user's ledger accounts exist (it runs several times
 * per bet); the first read creates them (balances 0).
 */
export async function balancesOf(m: EntityManager, userId: number): Promise<Balances> {
  // Same rule as ledger balanceOf: an account that may go negative is the sum of its postings.
  const rows: { kind: 'available' | 'reserved'; b: string }[] = await m.query(
    `SELECT a.kind, CASE WHEN a.may_go_negative THEN
        COALESCE((SELECT sum(amount) FROM postings WHERE to_account_id = a.id), 0)
      - COALESCE((SELECT sum(amount) FROM postings WHERE from_account_id = a.id), 0)
      ELSE a.balance END AS b
     FROM accounts a WHERE a.user_id = $1 AND a.kind IN ('available', 'reserved')`,
    [userId],
  );
  const of = (kind: 'available' | 'reserved') => rows.find((r) => r.kind === kind);
  const available = of('available');
  const reserved = of('reserved');
  if (available && reserved) return { available: Number(available.b) as Kop, reserved: Number(reserved.b) as Kop };
  const acc = await ensureUserAccounts(m, userId);
  return { available: await balanceOf(m, acc.available), reserved: await balanceOf(m, acc.reserved) };
}

export async function findUserByTelegramId(m: EntityManager, telegramId: number): Promise<User | null> {
  return m.getRepository(User).findOneBy({ telegramId });
}

export async function setLanguage(m: EntityManager, userId: number, language: Language): Promise<void> {
  await m.getRepository(User).update({ id: userId }, { language });
}
