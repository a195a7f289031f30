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

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `review-dep-${randomBytes(4).toString('hex')}`;

let db: Awaited<ReturnType<typeof freshDatabase>>;
let server: BotApiServer;
let bot: PravdaBot;
let telegramUserId: number;

beforeAll(async () => {
  db = await freshDatabase('reviewdep');
  server = createBotApiServer();
  const url = await server.listen();
  const info = server.sim.createBot({ username: 'pravda_reviewdep_bot', first_name: 'Pravda' });
  const u = server.sim.createUser({ first_name: 'Payer', language_code: 'en' });
  telegramUserId = u.id;
  // The user has opened the chat (else the bot may not write first); nobody polls this update.
  server.sim.sendText({ userId: u.id, text: '/start' });
  const config = loadConfig({
    BOT_TOKEN: info.token, TELEGRAM_API_ROOT: url, DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix,
    ADMIN_IDS: '1', PAYMENT_PROVIDER_TOKEN: 'test-provider-token',
  });
  bot = createBot({ ds: db.ds, queues: {} as never, config, redisUrl: REDIS_URL, logger: pino({ level: process.env.REVIEW_LOG ?? 'silent' }) });
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
