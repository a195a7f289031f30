import { checkInitData, initDataOf } from '../../web/api/auth';
import { signInitData } from '../helpers/init-data';

/** Issue 10: the Mini App's initData check, against data signed per Telegram's docs. */
const TOKEN = '123456:TEST-token';
const user = { id: 42, first_name: 'Ann', language_code: 'en' };
const now = Math.floor(Date.now() / 1000);

test('issue 10: valid initData names its user', () => {
  const r = checkInitData(signInitData(TOKEN, user), TOKEN, 86_400);
  expect(r).toEqual({ ok: true, user: { telegramId: 42, firstName: 'Ann', languageCode: 'en' } });
});

test('issue 10: a changed field, another bot\'s token and a missing hash are refused', () => {
  const good = signInitData(TOKEN, user);
  const forged = good.replace(encodeURIComponent('"id":42'), encodeURIComponent('"id":43'));
  expect(forged).not.toBe(good);
  expect(checkInitData(forged, TOKEN, 86_400)).toEqual({ ok: false, why: 'bad_hash' });
  expect(checkInitData(good, '123456:OTHER', 86_400)).toEqual({ ok: false, why: 'bad_hash' });
  const noHash = new URLSearchParams(good);
  noHash.delete('hash');
  expect(checkInitData(noHash.toString(), TOKEN, 86_400)).toEqual({ ok: false, why: 'missing' });
  expect(checkInitData('', TOKEN, 86_400)).toEqual({ ok: false, why: 'missing' });
  expect(checkInitData(null, TOKEN, 86_400)).toEqual({ ok: false, why: 'missing' });
});

test('issue 10: auth_date at the age limit passes, one minute past it is expired', () => {
  expect(checkInitData(signInitData(TOKEN, user, now - 86_400 + 30), TOKEN, 86_400).ok).toBe(true);
  expect(checkInitData(signInitData(TOKEN, user, now - 86_400 - 60), TOKEN, 86_400)).toEqual({ ok: false, why: 'expired' });
});

test('issue 10: the header form is "tma <initData>"', () => {
  expect(initDataOf('tma a=1&b=2')).toBe('a=1&b=2');
  expect(initDataOf('Bearer x')).toBeNull();
  expect(initDataOf(undefined)).toBeNull();
});
