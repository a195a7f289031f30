/**
 * issue 9: a bot process killed (SIGKILL) between Approve and Mark paid, and again right after the
 * payout reference was sent, leaves nothing half done: each step is one transaction, so after
 * every kill the request is in exactly one state, its money is in exactly one account, the audit
 * is clean, and a restarted process finishes the payout exactly once.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { createBotApiServer, type BotApiServer } from '../../tools/botapi/server';
import type { SimUser } from '../../tools/botapi/sim-types';
import { ensureUserAccounts, post, systemAccountId } from '../../domain/ledger/ledger';
import { kop } from '../../domain/money';
import { runAudit } from '../../domain/read/audit';
import { upsertUser } from '../../domain/services/users';
import { requestWithdrawal } from '../../domain/services/withdrawals';
import { DEFAULT_WITHDRAW_POLICY } from '../../domain/services/withdrawal-rules';
import { freshDatabase } from '../helpers/db';
import { startNode, type Child } from '../helpers/processes';
import { REDIS_URL, WAIT_MS } from './harness';

let server: BotApiServer;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let env: Record<string, string>;
let admin: SimUser;
const prefix = `e2e-wdkill-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  db = await freshDatabase('wdkill');
  server = createBotApiServer();
  const url = await server.listen();
  const bot = server.sim.createBot({ username: 'pravda_wdkill_bot', first_name: 'Pravda Market' });
  admin = server.sim.createUser({ first_name: 'Admin', language_code: 'ru' });
  env = { BOT_TOKEN: bot.token, TELEGRAM_API_ROOT: url, DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix, ADMIN_IDS: String(admin.id) };
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
  return server.sim.waitForBotMessage(admin.id, { textIncludes: text }, WAIT_MS);
}

async function state(id: number) {
  const [w] = await db.ds.query(`SELECT status, payout_ref FROM withdrawals WHERE id = $1`, [id]);
  const posts: { kind: string }[] = await db.ds.query(`SELECT kind FROM postings WHERE ref_type = 'withdrawal' AND ref_id = $1 ORDER BY id`, [id]);
  const audit = await runAudit(db.ds.manager);
  return { status: w.status as string, ref: w.payout_ref as string | null, kinds: posts.map((p) => p.kind), auditOk: audit.ok };
}

test('issue 9: SIGKILL between approve and paid, and right after the reference, pays exactly once', async () => {
  const { user } = await upsertUser(db.ds, { id: 777_000_001, first_name: 'Winner', language_code: 'ru' });
  const acc = await ensureUserAccounts(db.ds.manager, user.id);
  const from = await systemAccountId(db.ds.manager, 'external:telegram:deposits');
  await db.ds.transaction((m) => post(m, [{ from, to: acc.available, amount: kop(200_000), kind: 'deposit', refType: 'test' }]));
  const placed = await requestWithdrawal(db.ds, DEFAULT_WITHDRAW_POLICY, {
    userId: user.id, amount: kop(150_000), destination: { kind: 'card', number: '4111111111111111' }, idempotencyKey: 'kill-test',
  });
  if (!placed.ok) throw new Error(placed.code);
  const id = placed.withdrawal.id;

  let bot: Child = startNode('bin/start.js', ['bot'], env);
  try {
    server.sim.sendText({ userId: admin.id, text: '/withdrawals' });
    await wait('Выводы');
    server.sim.pressButton({ userId: admin.id, text: `№${id} 1\u202f500,00\u00a0₽` });
    await wait('Одобрений: 0 из 1');
    server.sim.pressButton({ userId: admin.id, text: '✅ Одобрить' });
    await wait('Одобрено');
    await bot.kill('SIGKILL');
    expect(await state(id)).toEqual({ status: 'approved', ref: null, kinds: ['withdrawal_hold'], auditOk: true });

    // A new process: Mark paid, the reference, and a kill at once (before or after the commit).
    bot = startNode('bin/start.js', ['bot'], env);
    server.sim.pressButton({ userId: admin.id, text: '💸 Выплачено' });
    await wait('номер выплаты');
    server.sim.sendText({ userId: admin.id, text: 'REF-KILL-1' });
    await bot.kill('SIGKILL');
    const mid = await state(id);
    expect(mid.auditOk).toBe(true);
    expect([
      { status: 'approved', ref: null, kinds: ['withdrawal_hold'], auditOk: true },
      { status: 'paid', ref: 'REF-KILL-1', kinds: ['withdrawal_hold', 'withdrawal_payout'], auditOk: true },
    ]).toContainEqual(mid);

    // Restarted: the unconfirmed update may be redelivered; the admin also repeats the step. Paid once.
    bot = startNode('bin/start.js', ['bot'], env);
    const tap = server.sim.pressButton({ userId: admin.id, text: '💸 Выплачено' });
    const answer = await tap.answered(WAIT_MS);
    if ((await state(id)).status === 'approved') {
      await wait('номер выплаты');
      server.sim.sendText({ userId: admin.id, text: 'REF-KILL-2' });
      await wait('Отмечено как выплаченное');
    } else {
      expect(answer.text).toBe('Уже сделано; ничего не изменилось.');
    }
    const end = await state(id);
    expect(end.status).toBe('paid');
    expect(end.kinds).toEqual(['withdrawal_hold', 'withdrawal_payout']);
    expect(end.auditOk).toBe(true);
    await bot.kill('SIGTERM');
  } finally {
    await bot.kill('SIGKILL');
  }
}, 90_000);
