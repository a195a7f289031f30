import { createHmac } from 'node:crypto';

/**
 * Signs Mini App initData the way Telegram does (core.telegram.org/bots/webapps, "Validating data
 * received via the Mini App"), written here from the docs with node:crypto so the server's check
 * (a library) is tested against an independent signer.
 */
export function signInitData(botToken: string, user: { id: number; first_name: string; language_code?: string },
  authDateSec = Math.floor(Date.now() / 1000), extra: Record<string, string> = {}): string {
  const fields: Record<string, string> = { auth_date: String(authDateSec), query_id: `q${user.id}`, user: JSON.stringify(user), ...extra };
  const check = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('\n');
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  const hash = createHmac('sha256', secret).update(check).digest('hex');
  return new URLSearchParams({ ...fields, hash }).toString();
}
