/** Issue 12 end to end: an invitation link, the invitee's first /start, deposit and trade, both rewarded. */
import { randomBytes } from 'node:crypto';
import { runAudit } from '../../domain/read/audit';
import type { SimUser } from '../../tools/botapi/sim-types';
import { balancesOf } from '../../domain/services/users';
import { accountOf, buttons, fund, market, press, restingOrder, startedUser, waitFor, WAIT_MS, type Env, startEnv } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('referral');
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

const LINK = /https:\/\/t\.me\/(\w+)\?start=(ref_[a-z0-9]{8})/;

async function inviteLink(user: SimUser): Promise<string> {
  env.sim.sendText({ userId: user.id, text: '/invite' });
  const screen = await waitFor(env, user, { textIncludes: 'Приглашения' });
  const m = LINK.exec(screen.text ?? '');
  expect(m?.[1]).toBe(env.botInfo.username);
  return m![2]!;
}

test('invite, first /start with the link, deposit and trade: both get 100 ₽ from house:promo, once', async () => {
  const ann = await startedUser(env, 'Ann');
  const annId = await accountOf(env, ann);
  env.sim.sendText({ userId: ann.id, text: '/invite' });
  const screen = await waitFor(env, ann, { textIncludes: 'Приглашения' });
  expect(screen.text).toContain('вы оба получите по 100,00\u00a0₽');
  expect(screen.text).toContain('По вашей ссылке пока никто не пришёл.');
  expect(buttons(screen)).toContain('📤 Поделиться приглашением');
  const share = (screen.replyMarkup as { inline_keyboard: { text: string; switch_inline_query?: string }[][] }).inline_keyboard.flat()
    .find((b) => b.text === '📤 Поделиться приглашением');
  expect(share?.switch_inline_query).toBe('invite');
  const payload = LINK.exec(screen.text ?? '')![2]!;
  expect(payload.length).toBeLessThanOrEqual(64);

  // The Share button's query: the invitation card with Ann's link, ready to post anywhere.
  const q = env.sim.inlineQuery({ userId: ann.id, query: 'invite' });
  const answer = await env.sim.waitForInlineAnswer(q.inlineQueryId, WAIT_MS);
  const card = answer.results[0] as { id: string; input_message_content: { message_text: string }; reply_markup: { inline_keyboard: { url?: string }[][] } };
  expect(card.id).toBe('invite');
  expect(card.input_message_content.message_text).toContain('Ann зовёт вас в Правда Маркет');
  expect(card.reply_markup.inline_keyboard[0]![0]!.url).toBe(`https://t.me/${env.botInfo.username}?start=${payload}`);

  // Bob's first /start comes through the link.
  const bob = env.sim.createUser({ first_name: 'Bob', language_code: 'ru' });
  env.sim.sendText({ userId: bob.id, text: `/start ${payload}` });
  await waitFor(env, bob, { textIncludes: 'Вы пришли по приглашению' });
  const bobId = await accountOf(env, bob);
  const [ref] = await env.ds.query(`SELECT inviter_id FROM referrals WHERE invitee_id = $1`, [bobId]);
  expect(Number(ref.inviter_id)).toBe(annId);

  // Bob deposits through an invoice: no reward yet (no trade).
  env.sim.sendText({ userId: bob.id, text: '/deposit' });
  await waitFor(env, bob, { textIncludes: 'Перед первым пополнением' });
  press(env, bob, '✅ Принимаю (18+)');
  await waitFor(env, bob, { textIncludes: 'Пополнение' });
  press(env, bob, '500\u00a0₽');
  const invoice = await waitFor(env, bob, { hasInvoice: true });
  expect((await env.sim.payInvoice({ userId: bob.id, messageId: invoice.messageId })).status).toBe('paid');
  await waitFor(env, bob, { textIncludes: 'Зачислено 500,00\u00a0₽' });
  expect((await balancesOf(env.ds.manager, annId)).available).toBe(0);

  // Bob's first trade (through the matching queue and worker): both are rewarded and told.
  const mk = await market(env, 'Will it snow in Moscow on Friday?');
  const seller = await startedUser(env, 'Seller');
  await fund(env, seller, 1_000);
  await restingOrder(env, { marketId: mk, userId: await accountOf(env, seller), intent: 'BUY_NO', price: 40, qty: 100 });
  const r = await env.queues.submit({
    type: 'place', idempotencyKey: `bob-${randomBytes(3).toString('hex')}`, kind: 'limit', tif: 'IOC', marketId: mk, userId: bobId, intent: 'BUY_YES', price: 60, qty: 50,
  }, WAIT_MS);
  expect(r).toMatchObject({ ok: true, outcome: { filled: 50 } });
  await waitFor(env, bob, { textIncludes: 'Бонус за приглашение: 100,00\u00a0₽' });
  await waitFor(env, ann, { textIncludes: 'Bob пришёл по вашей ссылке и сделал первую сделку: вам зачислено 100,00\u00a0₽' });
  expect((await balancesOf(env.ds.manager, annId)).available).toBe(10_000);
  // 500 ₽ − 50 × 60 kop (3 000) − fee 3 + 100 ₽.
  expect((await balancesOf(env.ds.manager, bobId)).available).toBe(50_000 - 3_003 + 10_000);

  // A second trade pays nothing more.
  const again = await env.queues.submit({
    type: 'place', idempotencyKey: `bob-${randomBytes(3).toString('hex')}`, kind: 'limit', tif: 'IOC', marketId: mk, userId: bobId, intent: 'BUY_YES', price: 60, qty: 20,
  }, WAIT_MS);
  expect(again).toMatchObject({ ok: true, outcome: { filled: 20 } });
  const [n] = await env.ds.query(`SELECT count(*) n FROM postings WHERE kind = 'referral_reward'`);
  expect(Number(n.n)).toBe(2);

  env.sim.sendText({ userId: ann.id, text: '/invite' });
  const after = await waitFor(env, ann, { textIncludes: 'с бонусом' });
  expect(after.text).toContain('Пришёл 1 человек, с бонусом — 1. Вы получили 100,00\u00a0₽.');
  expect(after.text).toContain('✅ Bob');
  const audit = await runAudit(env.ds.manager);
  expect(Object.entries(audit.invariants).filter(([, v]) => !v.ok)).toEqual([]);
});

test('a link used by someone who already had an account, or by its owner, attributes nothing', async () => {
  const cat = await startedUser(env, 'Cat');
  const dan = await startedUser(env, 'Dan');
  const payload = await inviteLink(cat);
  env.sim.sendText({ userId: dan.id, text: `/start ${payload}` });
  await waitFor(env, dan, { textIncludes: 'Привет, Dan' });
  env.sim.sendText({ userId: cat.id, text: `/start ${payload}` });
  await waitFor(env, cat, { textIncludes: 'Привет, Cat' });
  const [n] = await env.ds.query(`SELECT count(*) n FROM referrals WHERE inviter_id = $1`, [await accountOf(env, cat)]);
  expect(Number(n.n)).toBe(0);
  // A made-up code: a plain welcome, no error.
  const eve = env.sim.createUser({ first_name: 'Eve', language_code: 'ru' });
  env.sim.sendText({ userId: eve.id, text: '/start ref_zzzzzzzz' });
  await waitFor(env, eve, { hasKeyboard: true });
  expect(env.sim.messages(eve.id).some((m) => (m.text ?? '').includes('приглашению'))).toBe(false);
});
