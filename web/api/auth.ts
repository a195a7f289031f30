/**
 * Mini App sign-in: every API request carries `Telegram.WebApp.initData` (header
 * `Authorization: tma <initData>`), checked as Telegram documents ("Validating data received via
 * the Mini App"): secret = HMAC-SHA256(bot token, key "WebAppData"); hash = hex HMAC-SHA256 of the
 * sorted `key=value` lines without `hash`, keyed with the secret; compared in constant time. The
 * check itself is @telegram-apps/init-data-node's `validate`; `initDataUnsafe` is never read.
 */
import { validate } from '@telegram-apps/init-data-node';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';

/** The `user` field (WebAppUser) as far as we read it; checked only after the hash is. */
const webAppUser = z.object({ id: z.number().int().positive(), first_name: z.string(), language_code: z.string().optional() });

/** Why a request was refused (keys under `miniapp.auth.` in locales/). */
export type AuthFailure = 'missing' | 'bad_hash' | 'expired' | 'not_started';

/** The Telegram user a valid initData names. */
export interface TelegramIdentity {
  telegramId: number;
  firstName: string;
  languageCode?: string;
}

/** The initData of an `Authorization: tma <initData>` header, or null. */
export function initDataOf(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^tma (.+)$/s.exec(header.trim());
  return m ? m[1]! : null;
}

/**
 * Checks `initData` signed for bot `botToken`, at most `maxAgeSec` old (0: no age limit).
 * Returns the user it names, or why it is refused: `missing` (empty, no hash, no auth_date or no
 * user), `bad_hash` (signature differs: forged or another bot's), `expired` (auth_date too old).
 */
export function checkInitData(initData: string | null, botToken: string, maxAgeSec: number):
  { ok: true; user: TelegramIdentity } | { ok: false; why: AuthFailure } {
  if (!initData) return { ok: false, why: 'missing' };
  const params = new URLSearchParams(initData);
  if (!params.get('hash') || !params.get('auth_date') || !params.get('user')) return { ok: false, why: 'missing' };
  try {
    validate(initData, botToken, { expiresIn: maxAgeSec });
  } catch (err) {
    const name = (err as Error).name ?? '';
    return { ok: false, why: /expired/i.test(name) || /expired/i.test((err as Error).message) ? 'expired' : 'bad_hash' };
  }
  let json: unknown;
  try {
    json = JSON.parse(params.get('user')!);
  } catch {
    return { ok: false, why: 'missing' };
  }
  const u = webAppUser.safeParse(json);
  if (!u.success) return { ok: false, why: 'missing' };
  return { ok: true, user: { telegramId: u.data.id, firstName: u.data.first_name, languageCode: u.data.language_code } };
}

/**
 * {@link checkInitData} with a memory of strings already found valid: an open page sends the same
 * initData with every request, so its signature is verified once (byte-identical strings only) and
 * its age on every request. Refusals are not remembered.
 */
export class InitDataChecker {
  private readonly valid = new LRUCache<string, { user: TelegramIdentity; authDateSec: number }>({ max: 50_000, ttl: 10 * 60_000 });

  constructor(private readonly botToken: string, private readonly maxAgeSec: number) {}

  check(initData: string | null): ReturnType<typeof checkInitData> {
    const known = initData ? this.valid.get(initData) : undefined;
    if (known) {
      if (this.maxAgeSec > 0 && known.authDateSec + this.maxAgeSec < Date.now() / 1000) return { ok: false, why: 'expired' };
      return { ok: true, user: known.user };
    }
    const r = checkInitData(initData, this.botToken, this.maxAgeSec);
    if (r.ok) this.valid.set(initData!, { user: r.user, authDateSec: Number(new URLSearchParams(initData!).get('auth_date')) });
    return r;
  }
}
