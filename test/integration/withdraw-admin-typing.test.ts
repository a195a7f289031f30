/**
 * An admin taps 💸 Mark paid on an approved request (the only screen that shows the full card
 * number, so it is tapped before paying), then, within the 10 minute window, starts another typed
 * flow (Settings → 🛡 → set a deposit limit) and types "5000". The admin text handler
 * (bot/features/withdrawals-admin.ts) runs before the responsible-use one: were the wait still on,
 * the request would be marked PAID with reference "5000" and its money posted out although nobody
 * paid the user. The wait ends with any command or other button (endAdminTyping).
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Update } from 'telegraf/types';
import { createBot, type PravdaBot } from '../../bot';
import { kop } from '../../domain/money';
import { approveWithdrawal, requestWithdrawal } from '../../domain/services/withdrawals';
import { DEFAULT_WITHDRAW_POLICY } from '../../domain/services/withdrawal-rules';
import { responsibleState } from '../../domain/services/responsible-use';
import { upsertUser } from '../../domain/services/users';
import { loadConfig } from '../../infra/config';
import { cb } from '../../messages/callback-data';
import { createBotApiServer, type BotApiServer } from '../../tools/botapi/server';
import { freshDatabase } from '../helpers/db';
import { dropKeys } from '../helpers/redis-keys';
import { userWithMoney } from '../helpers/world';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `review-adm-${randomBytes(4).toString('hex')}`;

let db: Awaited<ReturnType<typeof freshDatabase>>;
let server: BotApiServer;
let bot: PravdaBot;
let adminTg: number;
let nextUpdate = 1000;

beforeAll(async () => {
  db = await freshDatabase('reviewadm');
  server = createBotApiServer();
  const url = await server.listen();
  const info = server.sim.createBot({ username: 'pravda_reviewadm_bot', first_name: 'Pravda' });
  adminTg = server.sim.createUser({ first_name: 'Admin', language_code: 'en' }).id;
  const config = loadConfig({
    BOT_TOKEN: info.token, TELEGRAM_API_ROOT: url, DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix,
    ADMIN_IDS: String(adminTg), PAYMENT_PROVIDER_TOKEN: 'test-provider-token',
  });
  bot = createBot({ ds: db.ds, queues: {} as never, config, redisUrl: REDIS_URL, logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await bot.close();
  await server.close();
  await db.drop();
  await dropKeys(REDIS_URL, prefix);
});

const from = () => ({ id: adminTg, is_bot: false, first_name: 'Admin', language_code: 'en' });
const chat = () => ({ id: adminTg, type: 'private', first_name: 'Admin' });

function tap(data: string): Update {
  const id = nextUpdate++;
  return {
    update_id: id,
    callback_query: {
      id: `cbq-${id}`, from: from(), chat_instance: '1', data,
      message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: chat(), text: 'x' },
    },
  } as unknown as Update;
}
function text(t: string): Update {
  const id = nextUpdate++;
  return { update_id: id, message: { message_id: id, date: Math.floor(Date.now() / 1000), chat: chat(), from: from(), text: t } } as unknown as Update;
}

test('text typed for another flow after tapping Mark paid does not mark the request paid', async () => {
  const { user: adminUser } = await upsertUser(db.ds, from());
  const owner = await userWithMoney(db.ds, 2_000, 'Owner');
  const placed = await requestWithdrawal(db.ds, DEFAULT_WITHDRAW_POLICY, {
    userId: owner, amount: kop(100_000), destination: { kind: 'card', number: '4111111111111111' }, idempotencyKey: 'review-typing-1',
  });
  if (!placed.ok) throw new Error(placed.code);
  const id = placed.withdrawal.id;
  await approveWithdrawal(db.ds, adminUser.id, id);

  await bot.handleUpdate(tap(cb.withdrawPaid.encode({ id }))); // opens the payout details
  await bot.handleUpdate(tap(cb.limitSet.encode({ period: 'day' }))); // then: set my daily deposit limit
  await bot.handleUpdate(text('5000')); // the limit, 5 000 ₽

  const [w] = await db.ds.query(`SELECT status, payout_ref FROM withdrawals WHERE id = $1`, [id]);
  const payouts = await db.ds.query(`SELECT amount FROM postings WHERE ref_type = 'withdrawal' AND ref_id = $1 AND kind = 'withdrawal_payout'`, [id]);
  const limits = await responsibleState(db.ds.manager, adminUser.id);
  expect({ status: w.status, ref: w.payout_ref, payouts: payouts.length, dayLimit: limits.day.limitKop })
    .toEqual({ status: 'approved', ref: null, payouts: 0, dayLimit: 500_000 });
});

test('a command after tapping Mark paid ends the wait; the reference typed right after the tap still marks it paid', async () => {
  const { user: adminUser } = await upsertUser(db.ds, from());
  const owner = await userWithMoney(db.ds, 2_000, 'Owner 2');
  const placed = await requestWithdrawal(db.ds, DEFAULT_WITHDRAW_POLICY, {
    userId: owner, amount: kop(100_000), destination: { kind: 'card', number: '4111111111111111' }, idempotencyKey: 'review-typing-2',
  });
  if (!placed.ok) throw new Error(placed.code);
  const id = placed.withdrawal.id;
  await approveWithdrawal(db.ds, adminUser.id, id);
  const status = async () => (await db.ds.query(`SELECT status, payout_ref FROM withdrawals WHERE id = $1`, [id]))[0];

  await bot.handleUpdate(tap(cb.withdrawPaid.encode({ id })));
  await bot.handleUpdate(text('/help'));
  await bot.handleUpdate(text('PAY-0001'));
  expect(await status()).toEqual({ status: 'approved', payout_ref: null });

  await bot.handleUpdate(tap(cb.withdrawPaid.encode({ id })));
  await bot.handleUpdate(text('PAY-0002'));
  expect(await status()).toEqual({ status: 'paid', payout_ref: 'PAY-0002' });
});
