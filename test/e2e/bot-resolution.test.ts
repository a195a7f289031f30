/**
 * Resolution through the real bot, workers and local Bot API (docs/RESOLUTION.md): two admins
 * (RESOLVE_QUORUM=2), a 3 s dispute window, holders told of the proposal, a dispute that pauses
 * finalization, the scheduled close at a deadline, pause and clarifications; every bad input gets
 * its localized answer and changes nothing.
 */
import { getMarket } from '../../domain/read/markets';
import { finalizeDue } from '../../domain/services/resolution';
import { balancesOf } from '../../domain/services/users';
import { buttons, eventually, fund, market, press, restingOrder, startEnv, startedUser, waitFor, WAIT_MS, type Env } from './harness';

let env: Env;
beforeAll(async () => {
  env = await startEnv('resolution', { resolution: { quorum: 2, disputeWindow: '3s', admins: 2 } });
  for (const a of env.admins) {
    env.sim.sendText({ userId: a.id, text: '/start' });
    await waitFor(env, a, { hasKeyboard: true });
  }
});
afterAll(async () => env.close());
afterEach(() => expect(env.errors).toEqual([]));

/** Sends a command and waits for the answer that includes `expected`. */
async function say(user: { id: number }, text: string, expected: string) {
  env.sim.sendText({ userId: user.id, text });
  return waitFor(env, user as never, { textIncludes: expected });
}

/** An open market where `yes` holds 30 YES and `no` 30 NO shares (a mint at 60), both started users. */
async function tradedMarket(title: string, hours = 48) {
  const id = await market(env, title, 'sports', hours);
  const yes = await startedUser(env, 'Yes');
  const no = await startedUser(env, 'No');
  const yesId = await fund(env, yes, 100);
  const noId = await fund(env, no, 100);
  await restingOrder(env, { marketId: id, userId: noId, intent: 'BUY_NO', price: 40, qty: 30 });
  await restingOrder(env, { marketId: id, userId: yesId, intent: 'BUY_YES', price: 60, qty: 30 });
  return { id, yes, no, yesId, noId };
}

test('trading stops by itself at the deadline: orders cancelled, reserves released, the card says so', async () => {
  const { id, yes, yesId } = await tradedMarket('Will the derby end in a draw?', 2 / 3600);
  await restingOrder(env, { marketId: id, userId: yesId, intent: 'BUY_YES', price: 30, qty: 40 }); // rests, reserves 12 ₽
  expect((await balancesOf(env.ds.manager, yesId)).reserved).toBe(1200);
  // The maintenance tick (every 5 s) enqueues the close on the market's own matching queue.
  await eventually(async () => (await getMarket(env.ds.manager, id))?.status === 'closed', 'market closed by the scheduler');
  const [{ open }] = await env.ds.query(`SELECT count(*)::int AS open FROM orders WHERE market_id = $1 AND status = 'open'`, [id]);
  expect(open).toBe(0);
  expect((await balancesOf(env.ds.manager, yesId)).reserved).toBe(0);
  await env.sim.waitForBotMessage(yes.id, { textIncludes: 'Торги на рынке «Will the derby end in a draw?» закрыты' }, WAIT_MS, { since: 0 });
  env.sim.sendText({ userId: yes.id, text: `/start m${id}` });
  const card = await waitFor(env, yes, { hasPhoto: true });
  expect(card.caption).toContain('Торги закрыты, ждём итога');
  expect(buttons(card).some((b) => b.includes('Купить'))).toBe(false);
  const [event] = await env.ds.query(`SELECT data FROM market_events WHERE market_id = $1 AND kind = 'closed'`, [id]);
  expect(event.data).toEqual({ cancelled: 1 });
});

test('quorum 2 + dispute window: propose early → holders told → own confirm refused → second admin → dispute pauses → upheld → settled', async () => {
  const { id, yes, no, yesId } = await tradedMarket('Will Spartak win on Sunday?');
  const [a1, a2] = env.admins;
  const outsider = await startedUser(env, 'Outsider');

  // Bad input first: a probability outside 0..100, a non-admin, disputing with nothing proposed.
  await say(a1, `/resolve ${id} 150`, 'Вероятность должна быть от 0 до 100.');
  await say(outsider, `/resolve ${id} yes`, 'Эта команда только для администраторов.');
  await say(no, `/dispute ${id} too early`, 'итог ещё не предложен');
  // Typing an outcome for an open market only offers "resolve early"; nothing changes until pressed.
  const ask = await say(a1, `/resolve ${id} yes https://sport.example/result`, 'ещё открыт');
  expect(buttons(ask)).toEqual(['⚠️ Разрешить досрочно: ДА', '◀ Назад']);
  expect(await getMarket(env.ds.manager, id)).toMatchObject({ status: 'open', proposalRound: 0 });
  press(env, a1, '⚠️ Разрешить досрочно: ДА', ask.messageId);
  await waitFor(env, a1, { messageId: ask.messageId, textIncludes: 'ждём другого админа' });
  expect(await getMarket(env.ds.manager, id)).toMatchObject({ status: 'proposed', outcome: 'YES', proposalNote: 'https://sport.example/result' });

  // Every holder hears the proposal with its source; the other admin is asked to confirm.
  for (const holder of [yes, no]) {
    await env.sim.waitForBotMessage(holder.id, { textIncludes: 'предложен итог ДА, ждёт подтверждения админов. Источник: https://sport.example/result.' }, WAIT_MS, { since: 0 });
  }
  await env.sim.waitForBotMessage(a2.id, { textIncludes: `Нужно ваше подтверждение: /resolve ${id}` }, WAIT_MS, { since: 0 });

  // The proposer cannot confirm their own proposal.
  const own = await say(a1, `/resolve ${id}`, 'Подтвердили 1 из 2 админов');
  press(env, a1, '✅ Подтвердить: ДА', own.messageId);
  await waitFor(env, a1, { messageId: own.messageId, textIncludes: 'Этот итог предложили вы сами' });
  expect((await getMarket(env.ds.manager, id))!.approvals).toHaveLength(1);

  const view = await say(a2, `/resolve ${id}`, 'Подтвердили 1 из 2 админов');
  press(env, a2, '✅ Подтвердить: ДА', view.messageId);
  await waitFor(env, a2, { messageId: view.messageId, textIncludes: 'станет окончательным' });
  await env.sim.waitForBotMessage(yes.id, { textIncludes: 'подтверждён и станет окончательным' }, WAIT_MS, { since: 0 });

  // Only holders may dispute, once; the dispute reaches both admins.
  await say(outsider, `/dispute ${id} I just do not like it`, 'Оспорить итог могут только держатели');
  await say(no, `/dispute ${id} The match was abandoned`, 'Ваш спор');
  await say(no, `/dispute ${id} again`, 'Вы уже оспорили этот итог');
  for (const a of env.admins) {
    await env.sim.waitForBotMessage(a.id, { textIncludes: 'оспаривает итог ДА: «The match was abandoned»' }, WAIT_MS, { since: 0 });
  }
  // The window runs out, but a pending dispute keeps the outcome from becoming final.
  const { disputeUntil } = (await getMarket(env.ds.manager, id))!;
  await eventually(async () => Date.now() > disputeUntil!.getTime(), 'the dispute window to end');
  expect(await finalizeDue(env.ds)).not.toContain(id);
  expect((await getMarket(env.ds.manager, id))!.status).toBe('proposed');
  env.sim.sendText({ userId: yes.id, text: `/start m${id}` });
  expect((await waitFor(env, yes, { hasPhoto: true })).caption).toContain('оспорен, на рассмотрении');

  // An admin upholds it: the window is over, so it is final now and settlement runs.
  const review = await say(a1, `/resolve ${id}`, 'Споров: 1');
  expect(review.text).toContain('The match was abandoned');
  press(env, a1, '👍 Оставить: ДА', review.messageId);
  await waitFor(env, a1, { messageId: review.messageId, textIncludes: 'Спор рассмотрен' });
  await eventually(async () => (await getMarket(env.ds.manager, id))?.status === 'settled', 'market settled');
  await env.sim.waitForBotMessage(no.id, { textIncludes: 'оставили итог ДА' }, WAIT_MS, { since: 0 });
  const settled = await env.sim.waitForBotMessage(yes.id, { textIncludes: 'завершён: ДА' }, WAIT_MS, { since: 0 });
  // Issue 11: the holder's realized P&L, the same as their balance change (paid 18 ₽ + 2 kop fee, got 30 ₽).
  expect(settled.text).toContain('📊 Итог по рынку: +11,98\u00a0₽ (вложено 18,02\u00a0₽, получено 30,00\u00a0₽). С начала месяца (МСК): +11,98\u00a0₽.');
  await env.sim.waitForBotMessage(a1.id, { textIncludes: 'Выплаты по рынку «Will Spartak win on Sunday?» завершены' }, WAIT_MS, { since: 0 });
  expect((await balancesOf(env.ds.manager, yesId)).available).toBe(10_000 - 1800 - 2 + 3000);

  // After settlement: resolving again is refused; the history shows every step with its actor.
  await say(a1, `/resolve ${id} no`, 'Рынок уже разрешён.');
  const history = await say(a2, `/history ${id}`, 'История');
  for (const step of ['рынок создан', 'торги закрыты', 'предложен итог ДА', 'подтверждение (2 из 2)', 'спор: The match was abandoned', 'спор рассмотрен', 'окончательный итог: ДА', 'все позиции выплачены']) {
    expect(history.text).toContain(step);
  }
  expect(history.text).toContain('@admin2');
});

test('pause, clarifications and their refusals: admins only, shown on the card, recorded', async () => {
  const { id, yes } = await tradedMarket('Will the final go to penalties?');
  const a = env.admin;
  // A card opened before the pause: its Buy button is tapped while trading is paused.
  env.sim.sendText({ userId: yes.id, text: `/start m${id}` });
  const before = await waitFor(env, yes, { hasPhoto: true });
  const buy = buttons(before).find((b) => b.startsWith('✅ Купить ДА'))!;
  await say(yes, `/pause ${id}`, 'Эта команда только для администраторов.');
  await say(a, `/pause ${id}`, 'приостановлены');
  // Told it is paused (not "closed"), and no order screen opens.
  expect((await press(env, yes, buy, before.messageId).answered(WAIT_MS)).text).toBe('Торги на этом рынке приостановлены. Ничего не изменилось.');
  await say(a, `/pause ${id}`, 'уже приостановлены');
  await say(a, `/clarify ${id} Extra time counts, penalties do not.`, 'Пояснение добавлено');
  await say(a, '/clarify', 'Как пользоваться');
  env.sim.sendText({ userId: yes.id, text: `/start m${id}` });
  const card = await waitFor(env, yes, { hasPhoto: true });
  expect(card.caption).toContain('Торги приостановлены');
  expect(card.caption).toContain('Extra time counts, penalties do not.');
  await say(a, `/unpause ${id}`, 'возобновлены');
  expect(await getMarket(env.ds.manager, id)).toMatchObject({ tradingPaused: false });
  const kinds = (await env.ds.query(`SELECT kind FROM market_events WHERE market_id = $1 ORDER BY id`, [id])).map((r: { kind: string }) => r.kind);
  expect(kinds).toEqual(['created', 'paused', 'clarified', 'unpaused']);
});
