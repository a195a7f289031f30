/**
 * issue 11: /portfolio → History through the real bot, workers and local Bot API — trades and
 * ledger pages with prev/next, the account-value chart photo, and the CSV document whose rows
 * match the ledger (postings and fills in the database).
 */
import { CSV_COLUMNS } from '../../messages/history-csv';
import { parseCsv } from '../helpers/csv';
import { buttons, fund, market, press, restingOrder, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('history');
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

test('History: pages of trades and postings, the value chart, and a CSV that matches the ledger', async () => {
  const u = await startedUser(env, 'Historian');
  const userId = await fund(env, u, 1_000);
  const other = await fund(env, env.sim.createUser({ first_name: 'Other' }), 10_000);
  const rain = await market(env, 'Will it rain, "maybe", in Moscow?');
  // Four fills of the user's resting bids (maker) and one as a taker: many postings (reserve, mint, fee…).
  for (const price of [30, 31, 32, 33]) {
    await restingOrder(env, { marketId: rain, userId, intent: 'BUY_YES', price, qty: 50 });
    await restingOrder(env, { marketId: rain, userId: other, intent: 'BUY_NO', price: 100 - price, qty: 50 });
  }
  await restingOrder(env, { marketId: rain, userId: other, intent: 'BUY_NO', price: 60, qty: 40 });
  await restingOrder(env, { marketId: rain, userId, intent: 'BUY_YES', price: 40, qty: 40 });

  env.sim.sendText({ userId: u.id, text: '/portfolio' });
  await waitFor(env, u, { buttonText: '📜 История' });
  press(env, u, '📜 История');
  const trades = await waitFor(env, u, { textIncludes: 'История: сделки' });
  expect(trades.text).toContain('(стр. 1 из 1)');
  expect(trades.text).toMatch(/Счёт: [\d\s\u202f,]+\u00a0₽ · доходность [+−]?[\d,]+% · макс\. просадка [−]?[\d,]+%/);
  const tradeLines = (trades.text ?? '').split('\n').filter((l) => l.includes('Will it rain'));
  expect(tradeLines).toHaveLength(5);
  expect(tradeLines[0]).toContain('40 акций по 40% = 16,00\u00a0₽');
  expect(buttons(trades)).toEqual(['✓ Сделки', 'Проводки', '📈 График', '📄 CSV', '◀ К портфелю', '🏠 Меню']);

  const [{ n: postingCount }] = await env.ds.query(
    `SELECT count(*)::int AS n FROM postings p WHERE p.from_account_id IN (SELECT id FROM accounts WHERE user_id = $1)
        OR p.to_account_id IN (SELECT id FROM accounts WHERE user_id = $1)`, [userId]);
  expect(postingCount).toBeGreaterThan(10);
  const pages = Math.ceil(postingCount / 10);
  press(env, u, 'Проводки', trades.messageId);
  const ledger = await waitFor(env, u, { messageId: trades.messageId, textIncludes: `История: проводки</b>`.replace('</b>', '') });
  expect(ledger.text).toContain(`(стр. 1 из ${pages})`);
  expect(buttons(ledger).slice(0, 2)).toEqual([`1/${pages}`, 'Вперёд ▶']);
  press(env, u, 'Вперёд ▶', trades.messageId);
  const page2 = await waitFor(env, u, { messageId: trades.messageId, textIncludes: `(стр. 2 из ${pages})` });
  expect(buttons(page2)[0]).toBe('◀ Назад');
  // The oldest posting (the deposit) is on the last page.
  if (pages === 2) expect(page2.text).toContain('пополнение: +1\u202f000,00\u00a0₽');
  expect((page2.text ?? '').length).toBeLessThanOrEqual(4096);

  press(env, u, '📈 График', trades.messageId);
  const chart = await waitFor(env, u, { hasPhoto: true });
  expect(chart.caption).toContain('Стоимость счёта по дням (МСК)');
  expect(chart.caption).toContain('доходность');

  press(env, u, '📄 CSV', trades.messageId);
  const doc = await env.sim.waitForBotMessage(u.id, { hasDocument: true }, WAIT_MS);
  expect(doc.document).toMatchObject({ mime_type: 'text/csv' });
  expect(doc.document?.file_name).toMatch(/^pravda-history-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(doc.caption).toContain(`сделок 5, проводок ${postingCount}`);
  const bytes = env.sim.files.get(env.botInfo.id, doc.document!.file_id).bytes;
  const rows = parseCsv(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  expect(rows[0]).toEqual([...CSV_COLUMNS]);
  const records = rows.slice(1).map((r) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]])));

  const postings: { id: string; amount: string; kind: string; from_code: string; to_code: string; created_at: Date }[] = await env.ds.query(
    `SELECT p.id::text, p.amount::text, p.kind, fa.code AS from_code, ta.code AS to_code, p.created_at
       FROM postings p JOIN accounts fa ON fa.id = p.from_account_id JOIN accounts ta ON ta.id = p.to_account_id
      WHERE fa.user_id = $1 OR ta.user_id = $1 ORDER BY p.id DESC`, [userId]);
  const csvPostings = records.filter((r) => r.record === 'posting');
  expect(csvPostings.map((r) => [r.id, r.amount_kop, r.kind, r.from_account, r.to_account, r.time]))
    .toEqual(postings.map((p) => [p.id, p.amount, p.kind, p.from_code, p.to_code, p.created_at.toISOString()]));
  for (const r of csvPostings) expect(r.amount_rub).toBe((Number(r.amount_kop) / 100).toFixed(2));

  const fills: { id: string; qty: number }[] = await env.ds.query(
    `SELECT id::text, qty FROM fills WHERE maker_user_id = $1 OR taker_user_id = $1 ORDER BY created_at DESC, id DESC`, [userId]);
  const csvTrades = records.filter((r) => r.record === 'trade');
  expect(csvTrades.map((r) => [r.id, Number(r.shares)])).toEqual(fills.map((f) => [f.id, f.qty]));
  expect(csvTrades.every((r) => r.market === 'Will it rain, "maybe", in Moscow?')).toBe(true);
});
