/**
 * A successful_payment whose handling fails (the database away) must be credited when Telegram
 * delivers the same update again (bot/redelivery.ts): the update is not claimed before it is
 * handled, the user hears "delayed" once, and a delivery after the credit changes nothing.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Update } from 'telegraf/types';
import { createBot, type PravdaBot } from '../../bot';
import { RedeliveryNeeded } from '../../bot/redelivery';
import { kop } from '../../domain/money';
import { createInvoice } from '../../domain/services/payments';
import { balancesOf, upsertUser } from '../../domain/services/users';
import { loadConfig } from '../../infra/config';
import { createBotApiServer, type BotApiServer } from '../../tools/botapi/server';
import { freshDatabase } from '../helpers/db';
import { dropKeys } from '../helpers/redis-keys';
import { paymentFailuresKey } from '../../infra/ops-keys';
import { createClient } from 'redis';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `deposit-redelivery-${randomBytes(4).toString('hex')}`;

let db: Awaited<ReturnType<typeof freshDatabase>>;
let server: BotApiServer;
let bot: PravdaBot;
let telegramUserId: number;
let adminId: number;

beforeAll(async () => {
  db = await freshDatabase('depredeliv');
  server = createBotApiServer();
  const url = await server.listen();
  const info = server.sim.createBot({ username: 'pravda_depredeliv_bot', first_name: 'Pravda' });
  const u = server.sim.createUser({ first_name: 'Payer', language_code: 'en' });
  telegramUserId = u.id;
  const admin = server.sim.createUser({ first_name: 'Admin', language_code: 'en' });
  adminId = admin.id;
  server.sim.sendText({ userId: admin.id, text: '/start' });
  // The user has opened the chat (else the bot may not write first); nobody polls this update.
  server.sim.sendText({ userId: u.id, text: '/start' });
  const config = loadConfig({
    BOT_TOKEN: info.token, TELEGRAM_API_ROOT: url, DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix,
    ADMIN_IDS: String(admin.id), PAYMENT_PROVIDER_TOKEN: 'test-provider-token',
  });
  bot = createBot({ ds: db.ds, queues: {} as never, config, redisUrl: REDIS_URL, logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }) });
});
afterAll(async () => {
  await bot.close();
  await server.close();
  await db.drop();
  await dropKeys(REDIS_URL, prefix);
});

function paymentUpdate(updateId: number, payload: string, amount: number, chargeId: string): Update {
  return {
    update_id: updateId,
    message: {
      message_id: 100 + updateId, date: Math.floor(Date.now() / 1000),
      chat: { id: telegramUserId, type: 'private', first_name: 'Payer' },
      from: { id: telegramUserId, is_bot: false, first_name: 'Payer', language_code: 'en' },
      successful_payment: {
        currency: 'RUB', total_amount: amount, invoice_payload: payload,
        telegram_payment_charge_id: chargeId, provider_payment_charge_id: `prov-${chargeId}`,
      },
    },
  } as unknown as Update;
}

test('a payment the database could not record is credited once when its update comes again', async () => {
  const { user } = await upsertUser(db.ds, { id: telegramUserId, first_name: 'Payer', language_code: 'en' });
  const inv = await createInvoice(db.ds, user.id, kop(50_000));
  if (!inv.ok) throw new Error(inv.code);
  const update = paymentUpdate(424_242, inv.invoice.payload, 50_000, 'charge-redelivery-1');
  const texts = () => server.sim.messages(telegramUserId).map((m) => m.text ?? '');

  // The database refuses the payment's row as a cut connection would (SQLSTATE 08006), twice.
  await db.ds.query(`CREATE FUNCTION outage_fail() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN RAISE EXCEPTION 'simulated outage' USING ERRCODE = '08006'; END $$`);
  await db.ds.query(`CREATE TRIGGER outage_fail BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION outage_fail()`);
  await expect(bot.handleUpdate(update)).rejects.toBeInstanceOf(RedeliveryNeeded);
  await expect(bot.handleUpdate(update)).rejects.toBeInstanceOf(RedeliveryNeeded);
  expect(await balancesOf(db.ds.manager, user.id)).toEqual({ available: 0, reserved: 0 });
  // Told once, not "nothing changed, try again".
  expect(texts().filter((t) => t.includes('crediting is delayed'))).toHaveLength(1);
  expect(texts().some((t) => t.includes('Nothing was changed'))).toBe(false);

  // The database is back; the same update comes again: credited.
  await db.ds.query(`DROP TRIGGER outage_fail ON payments`);
  await bot.handleUpdate(update);
  expect(await balancesOf(db.ds.manager, user.id)).toEqual({ available: 50_000, reserved: 0 });
  expect(texts().at(-1)).toContain('Credited');

  // Once more (a webhook retry racing the answer): dropped, nothing credited or said again.
  const said = texts().length;
  await bot.handleUpdate(update);
  expect(await balancesOf(db.ds.manager, user.id)).toEqual({ available: 50_000, reserved: 0 });
  expect(texts()).toHaveLength(said);
});

test('a payment that fails for another reason is not "nothing changed, try again": the admins are alerted, the payer told not to pay again', async () => {
  const { user } = await upsertUser(db.ds, { id: telegramUserId, first_name: 'Payer', language_code: 'en' });
  const before = await balancesOf(db.ds.manager, user.id);
  const inv = await createInvoice(db.ds, user.id, kop(20_000));
  if (!inv.ok) throw new Error(inv.code);
  const update = paymentUpdate(424_300, inv.invoice.payload, 20_000, 'charge-bug-1');
  const said = server.sim.messages(telegramUserId).length;

  // A bug, not an outage: the database answers, the error is no connection error.
  await db.ds.query(`CREATE FUNCTION bug_fail() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN RAISE EXCEPTION 'simulated bug'; END $$`);
  await db.ds.query(`CREATE TRIGGER bug_fail BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION bug_fail()`);
  try {
    await bot.handleUpdate(update); // handled (no redelivery: it would fail again)
  } finally {
    await db.ds.query(`DROP TRIGGER bug_fail ON payments`);
  }
  expect(await balancesOf(db.ds.manager, user.id)).toEqual(before);
  const told = server.sim.messages(telegramUserId).slice(said).map((m) => m.text ?? '');
  expect(told).toEqual([expect.stringContaining('could not be credited automatically')]);
  expect(told[0]).toContain('do not pay again');
  const alert = server.sim.messages(adminId).filter((m) => m.fromBot).map((m) => m.text ?? '');
  expect(alert).toEqual([expect.stringContaining('charge-bug-1')]);
  expect(alert[0]).toContain('200,00');
  expect(alert[0]).toContain(String(telegramUserId));
  // Counted by the money monitor's failed-payments alert.
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  try {
    expect(await redis.zRange(paymentFailuresKey(prefix), 0, -1)).toContain('charge-bug-1');
  } finally {
    await redis.quit();
  }
});
