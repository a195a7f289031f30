/**
 * A bot process killed (SIGKILL) while it handles a successful_payment loses nothing and credits
 * nothing twice: the runner (bot/polling.ts) does not confirm the batch holding a payment until the
 * payment was handled, and bot/middleware/idempotency.ts marks a payment's update id only after it
 * was handled, so a restarted process gets the same update again from the Bot API and handles it.
 *
 * Kill point 1: the credit transaction is in its INSERT INTO payments (held there by a sleeping
 * trigger), so nothing commits; the restarted process credits the deposit, once.
 * Kill point 2: the credit has committed, the reply is not sent yet (the post-credit referral read
 * waits for a table lock the test holds); the restarted process credits nothing more and tells the
 * user the payment is already credited.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { createBotApiServer, type BotApiServer } from '../../tools/botapi/server';
import type { BotInfo, SimUser } from '../../tools/botapi/sim-types';
import { runAudit } from '../../domain/read/audit';
import { balancesOf } from '../../domain/services/users';
import { freshDatabase } from '../helpers/db';
import { startNode, type Child } from '../helpers/processes';
import { REDIS_URL, WAIT_MS } from './harness';

let server: BotApiServer;
let apiUrl: string;
let botInfo: BotInfo;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let dbName: string;
let env: Record<string, string>;
let payer: SimUser;
const prefix = `e2e-depkill-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  db = await freshDatabase('depkill');
  dbName = new URL(db.url).pathname.slice(1);
  server = createBotApiServer();
  apiUrl = await server.listen();
  botInfo = server.sim.createBot({ username: 'pravda_depkill_bot', first_name: 'Pravda Market' });
  payer = server.sim.createUser({ first_name: 'Payer', language_code: 'ru' });
  env = {
    BOT_TOKEN: botInfo.token, TELEGRAM_API_ROOT: apiUrl, DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix,
    PAYMENT_PROVIDER_TOKEN: 'test-provider-token',
  };
});
afterAll(async () => {
  await server.close();
  await db.drop();
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  for (const pattern of [`${prefix}:*`, `{${prefix}}:*`]) for await (const key of redis.scanIterator({ MATCH: pattern })) await redis.del(key);
  await redis.quit();
});

function wait(text: string) {
  return server.sim.waitForBotMessage(payer.id, { textIncludes: text }, WAIT_MS);
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = WAIT_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Backends of this test's database (other than ours) whose query matches `like`, with what they wait on. */
async function backends(like: string): Promise<{ pid: number; wait_event_type: string | null; wait_event: string | null }[]> {
  return db.ds.query(
    `SELECT pid, wait_event_type, wait_event FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid() AND state = 'active' AND query ILIKE $2`, [dbName, like]);
}

/** Telegram's view: updates not yet confirmed by a getUpdates with a higher offset. */
async function pendingUpdates(): Promise<number> {
  const res = await fetch(`${apiUrl}/bot${botInfo.token}/getWebhookInfo`);
  const body = (await res.json()) as { result: { pending_update_count: number } };
  return body.result.pending_update_count;
}

async function userId(): Promise<number> {
  const [u] = await db.ds.query(`SELECT id FROM users WHERE telegram_id = $1`, [payer.id]);
  return Number(u.id);
}

/** Payments and deposit postings of one charge, the user's balance and the audit. */
async function state(chargeId: string, audit = true) {
  const id = await userId();
  const payments: { id: string; amount_kop: string }[] = await db.ds.query(
    `SELECT id, amount_kop FROM payments WHERE telegram_charge_id = $1`, [chargeId]);
  const postings: { amount: string }[] = await db.ds.query(
    `SELECT amount FROM postings WHERE kind = 'deposit' AND ref_type = 'payment' AND idempotency_key = $1`, [`payment:${chargeId}`]);
  return {
    payments: payments.map((p) => Number(p.amount_kop)),
    postings: postings.map((p) => Number(p.amount)),
    available: (await balancesOf(db.ds.manager, id)).available,
    // The audit reads referrals too: not while kill point 2 holds that table locked.
    ...(audit ? { auditOk: (await runAudit(db.ds.manager)).ok } : {}),
  };
}

async function invoiceFor(amountText: string) {
  server.sim.sendText({ userId: payer.id, text: amountText });
  return server.sim.waitForBotMessage(payer.id, { hasInvoice: true }, WAIT_MS);
}

test('SIGKILL while a successful_payment is handled: the restarted bot gets it again and credits it exactly once', async () => {
  let bot: Child = startNode('bin/start.js', ['bot'], env);
  try {
    server.sim.sendText({ userId: payer.id, text: '/start' });
    await server.sim.waitForBotMessage(payer.id, { hasKeyboard: true }, WAIT_MS);
    server.sim.sendText({ userId: payer.id, text: '/deposit' });
    await wait('Перед первым пополнением');
    server.sim.pressButton({ userId: payer.id, text: '✅ Принимаю (18+)' });
    await wait('Пополнение');
    const invoice = await invoiceFor('500');
    expect(invoice.invoice).toMatchObject({ currency: 'RUB', total_amount: 50_000 });

    // ---- Kill point 1: inside the credit transaction, before anything commits. ----
    await db.ds.query(`CREATE FUNCTION e2e_hold() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$`);
    await db.ds.query(`CREATE TRIGGER e2e_hold BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION e2e_hold()`);
    const paid = await server.sim.payInvoice({ userId: payer.id, messageId: invoice.messageId });
    expect(paid.status).toBe('paid');
    const chargeId = paid.successfulPayment!.telegram_payment_charge_id;
    const [held] = await until('the credit to sleep in INSERT INTO payments', async () => {
      const b = await backends('%INSERT INTO payments%');
      return b.length > 0 && b[0].wait_event === 'PgSleep' ? b : null;
    });
    await bot.kill('SIGKILL');
    // The dead process's backend sleeps on (Postgres notices the closed socket only when it next
    // talks to it): end it, so its transaction rolls back and its locks go, then remove the trigger.
    await db.ds.query(`SELECT pg_terminate_backend($1)`, [held.pid]);
    await until('the held backend to end', async () => (await backends('%INSERT INTO payments%')).length === 0);
    await db.ds.query(`DROP TRIGGER e2e_hold ON payments`);
    await db.ds.query(`DROP FUNCTION e2e_hold()`);

    expect(await state(chargeId)).toEqual({ payments: [], postings: [], available: 0, auditOk: true });
    // Never confirmed to Telegram: the next getUpdates of any process gets it.
    expect(await pendingUpdates()).toBeGreaterThanOrEqual(1);
    expect(server.sim.messages(payer.id).some((m) => m.fromBot && m.text?.includes('Зачислено'))).toBe(false);

    bot = startNode('bin/start.js', ['bot'], env);
    const credited = await wait('Зачислено');
    expect(credited.text).toBe('✅ Зачислено 500,00\u00a0₽. Доступно: 500,00\u00a0₽');
    expect(await state(chargeId)).toEqual({ payments: [50_000], postings: [50_000], available: 50_000, auditOk: true });

    // ---- Kill point 2: the credit committed, the reply not sent yet. ----
    server.sim.sendText({ userId: payer.id, text: '/deposit' });
    await wait('Пополнение');
    const invoice2 = await invoiceFor('300');
    // The handler's first read after the commit is rewardAfterDeposit's `FROM referrals`; the
    // credit transaction itself never touches that table. Hold it locked until the process is dead.
    const lock = db.ds.createQueryRunner();
    await lock.connect();
    await lock.startTransaction();
    await lock.query(`LOCK TABLE referrals IN ACCESS EXCLUSIVE MODE`);
    let charge2: string;
    try {
      const paid2 = await server.sim.payInvoice({ userId: payer.id, messageId: invoice2.messageId });
      expect(paid2.status).toBe('paid');
      charge2 = paid2.successfulPayment!.telegram_payment_charge_id;
      await until('the reply to wait on the referrals lock', async () =>
        (await backends('%FROM referrals%')).some((b) => b.wait_event_type === 'Lock'));
      // Committed (a new snapshot sees it) and not yet answered.
      expect(await state(charge2, false)).toEqual({ payments: [30_000], postings: [30_000], available: 80_000 });
      await bot.kill('SIGKILL');
    } finally {
      await lock.rollbackTransaction();
      await lock.release();
    }
    expect(await state(charge2!)).toEqual({ payments: [30_000], postings: [30_000], available: 80_000, auditOk: true });
    expect(await pendingUpdates()).toBeGreaterThanOrEqual(1);
    expect(server.sim.messages(payer.id).some((m) => m.fromBot && m.text?.includes('Зачислено 300'))).toBe(false);

    bot = startNode('bin/start.js', ['bot'], env);
    const again = await wait('уже зачислен');
    expect(again.text).toBe('Этот платёж уже зачислен (300,00\u00a0₽), повторно ничего не начислено. Доступно: 800,00\u00a0₽');
    expect(await state(charge2!)).toEqual({ payments: [30_000], postings: [30_000], available: 80_000, auditOk: true });
    expect(await state(chargeId)).toEqual({ payments: [50_000], postings: [50_000], available: 80_000, auditOk: true });

    // Handled now: a clean stop confirms it to Telegram; the user got one answer per payment.
    await bot.kill('SIGTERM');
    expect(await pendingUpdates()).toBe(0);
    const answers = server.sim.messages(payer.id).filter((m) => m.fromBot && /Зачислено|уже зачислен/.test(m.text ?? ''));
    expect(answers.map((m) => m.text)).toEqual([
      '✅ Зачислено 500,00\u00a0₽. Доступно: 500,00\u00a0₽',
      'Этот платёж уже зачислен (300,00\u00a0₽), повторно ничего не начислено. Доступно: 800,00\u00a0₽',
    ]);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- bot output ---\n${bot.output()}`, { cause: err });
  } finally {
    await bot.kill('SIGKILL');
  }
}, 60_000);
