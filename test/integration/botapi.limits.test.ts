/**
 * Flood control of the local Bot API: over-budget sends get 429 with retry_after, are not delivered,
 * and every 429 is recorded with the time it ends so tests can prove nobody sent early.
 */
import { Markup, TelegramError } from 'telegraf';
import { startHarness, type Harness } from '../helpers/botapiHarness';

async function error429(p: Promise<unknown>): Promise<TelegramError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof TelegramError)) throw new Error(`expected a TelegramError, got ${String(e)}`);
  return e;
}

describe('local Bot API flood control', () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('allows a short burst in a chat, then answers 429 retry_after; a retry after that time succeeds', async () => {
    h = await startHarness(); // default limits: 1/s per chat, burst 3
    const { sim } = h.server;
    sim.sendText({ userId: h.alice.id, text: '/start' });
    for (const n of [1, 2, 3]) await h.tg.sendMessage(h.alice.id, `msg ${n}`);
    const refused = await error429(h.tg.sendMessage(h.alice.id, 'msg 4'));
    expect(refused.code).toBe(429);
    expect(refused.description).toBe(`Too Many Requests: retry after ${refused.parameters?.retry_after}`);
    expect(refused.parameters?.retry_after).toBe(1);
    expect(refused.response).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    expect(sim.messages(h.alice.id).filter((m) => m.fromBot).map((m) => m.text)).toEqual(['msg 1', 'msg 2', 'msg 3']);

    const { rejections } = sim.rateLimits();
    expect(rejections).toEqual([expect.objectContaining({ method: 'sendMessage', chatId: h.alice.id, scope: 'chat', retryAfter: 1, early: false })]);
    const until = rejections[0]?.until as number;

    // Wait what Telegram asked for (timers may fire a millisecond early, so finish on the clock), then retry.
    await new Promise((r) => setTimeout(r, (refused.parameters?.retry_after ?? 0) * 1000));
    while (Date.now() < until) await new Promise((r) => setImmediate(r));
    const retried = await h.tg.sendMessage(h.alice.id, 'msg 4');
    expect(retried.text).toBe('msg 4');
    const retryCall = sim.apiCalls({ method: 'sendMessage' }).filter((c) => c.ok).pop();
    expect(retryCall?.at).toBeGreaterThanOrEqual(until);
    expect(sim.rateLimits().earlyRetries).toEqual([]);
  });

  it('records retries made before retry_after expired, and keeps refusing them', async () => {
    h = await startHarness();
    const { sim } = h.server;
    sim.sendText({ userId: h.alice.id, text: '/start' });
    for (const n of [1, 2, 3]) await h.tg.sendMessage(h.alice.id, `msg ${n}`);
    await error429(h.tg.sendMessage(h.alice.id, 'too soon'));
    const impatient = await error429(h.tg.sendMessage(h.alice.id, 'even sooner'));
    expect(impatient.code).toBe(429);
    const report = sim.rateLimits();
    expect(report.rejections).toHaveLength(2);
    expect(report.earlyRetries).toEqual([expect.objectContaining({ chatId: h.alice.id, early: true, until: report.rejections[0]?.until })]);
    expect(sim.apiCalls({ method: 'sendMessage' }).filter((c) => !c.ok).map((c) => c.retryAfter)).toEqual([1, 1]);
    // Other chats are not affected by this chat's penalty.
    sim.sendText({ userId: h.bob.id, text: '/start' });
    expect((await h.tg.sendMessage(h.bob.id, 'hi Bob')).text).toBe('hi Bob');
  });

  it('edits count against the chat; answerCallbackQuery does not', async () => {
    h = await startHarness();
    const { sim } = h.server;
    sim.sendText({ userId: h.alice.id, text: '/start' });
    const card = await h.tg.sendMessage(h.alice.id, 'v0', Markup.inlineKeyboard([Markup.button.callback('Tap', 'tap')]));
    const press = sim.pressButton({ userId: h.alice.id, data: 'tap' });
    await h.tg.editMessageText(h.alice.id, card.message_id, undefined, 'v1');
    await h.tg.editMessageText(h.alice.id, card.message_id, undefined, 'v2');
    expect((await error429(h.tg.editMessageText(h.alice.id, card.message_id, undefined, 'v3'))).code).toBe(429);
    expect(await h.tg.answerCbQuery(press.callbackQueryId, 'still fine')).toBe(true);
    expect(sim.lastBotMessage(h.alice.id)?.text).toBe('v2');
  });

  it('limits groups per minute and the bot globally per second', async () => {
    h = await startHarness({ limits: { perChatBurst: 100, perChatPerSec: 100, groupPerMin: 3, globalPerSec: 1000 } });
    const { sim } = h.server;
    const group = sim.createGroup({ title: 'G', creatorId: h.alice.id });
    for (const n of [1, 2, 3]) await h.tg.sendMessage(group.id, `g${n}`);
    const refused = await error429(h.tg.sendMessage(group.id, 'g4'));
    expect(refused.parameters?.retry_after).toBeGreaterThan(55);
    expect(refused.parameters?.retry_after).toBeLessThanOrEqual(60);
    expect(sim.rateLimits().rejections).toEqual([expect.objectContaining({ scope: 'group', chatId: group.id })]);
    await h.close();

    h = await startHarness({ limits: { globalPerSec: 2 } });
    const sim2 = h.server.sim;
    const carol = sim2.createUser({ first_name: 'Carol' });
    for (const u of [h.alice, h.bob, carol]) sim2.sendText({ userId: u.id, text: '/start' });
    await h.tg.sendMessage(h.alice.id, 'a');
    await h.tg.sendMessage(h.bob.id, 'b');
    const global = await error429(h.tg.sendMessage(carol.id, 'c'));
    expect(global.parameters?.retry_after).toBe(1);
    expect(sim2.rateLimits().rejections).toEqual([expect.objectContaining({ scope: 'global', chatId: carol.id })]);
  });

  it('can be switched off', async () => {
    h = await startHarness({ limits: false });
    h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
    for (let n = 0; n < 10; n++) await h.tg.sendMessage(h.alice.id, `m${n}`);
    expect(h.server.sim.rateLimits()).toMatchObject({ enabled: false, rejections: [] });
  });
});
