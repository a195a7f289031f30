/**
 * The `/_sim` control API through `SimClient` (what the demo uses from another process), and the
 * `tools/botapi/main.ts` CLI started as a real child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Markup, Telegram } from 'telegraf';
import { SimClient } from '../../tools/botapi/client';
import { SimError, SimTimeoutError } from '../../tools/botapi/errors';
import { launchBot, startHarness, type Harness } from '../helpers/botapiHarness';

describe('SimClient over /_sim', () => {
  let h: Harness;
  let client: SimClient;

  beforeEach(async () => {
    h = await startHarness({ limits: false, preCheckoutTimeoutMs: 2000 });
    client = new SimClient(h.url);
  });

  afterEach(async () => {
    await h.close();
  });

  it('plays users against a polling bot: text, buttons, payments, inline, reads', async () => {
    const running = launchBot(h.url, h.bot.token, (bot) => {
      bot.command('market', (ctx) => ctx.reply('Rain tomorrow?', Markup.inlineKeyboard([Markup.button.callback('Yes', 'y')])));
      bot.action('y', (ctx) => ctx.answerCbQuery('Noted'));
      bot.command('buy', (ctx) => ctx.replyWithInvoice({
        title: 'Pro', description: 'Pro plan', payload: 'p1', provider_token: 'TEST', currency: 'RUB', prices: [{ label: 'Pro', amount: 10000 }],
      }));
      bot.on('pre_checkout_query', (ctx) => ctx.answerPreCheckoutQuery(true));
      bot.on('inline_query', (ctx) => ctx.answerInlineQuery([{ type: 'article', id: 'a', title: 'A', input_message_content: { message_text: 'Shared A' } }]));
    });
    try {
      const carol = await client.createUser({ first_name: 'Carol', username: 'carol' });
      const group = await client.createGroup({ title: 'Club', creatorId: carol.id, memberIds: [h.alice.id] });
      expect(group.members).toEqual(expect.arrayContaining([{ id: h.bot.id, status: 'member', is_bot: true }]));

      const sent = await client.sendText({ userId: carol.id, text: '/market' });
      expect(sent.updateIds).toHaveLength(1);
      const card = await client.waitForBotMessage(carol.id, { textIncludes: 'Rain', buttonText: 'Yes' });
      const press = await client.pressButton({ userId: carol.id, messageId: card.messageId, text: 'Yes' });
      expect(await client.waitForCallbackAnswer(press.callbackQueryId)).toMatchObject({ text: 'Noted', showAlert: false });
      await expect(client.pressButton({ userId: carol.id, text: 'Maybe' })).rejects.toThrow(SimError);

      await client.sendText({ userId: carol.id, text: '/buy' });
      const inv = await client.waitForBotMessage(carol.id, { hasInvoice: true });
      const payment = await client.payInvoice({ userId: carol.id, messageId: inv.messageId });
      expect(payment).toMatchObject({ status: 'paid', successfulPayment: { total_amount: 10000, invoice_payload: 'p1' } });
      expect(await client.redeliverPayment({ chatId: carol.id, messageId: payment.messageId as number })).toEqual({ updateId: expect.any(Number) });

      const q = await client.inlineQuery({ userId: h.alice.id, chatId: group.id, query: 'a' });
      expect((await client.waitForInlineAnswer(q.inlineQueryId)).results).toHaveLength(1);
      const chosen = await client.chooseInlineResult({ inlineQueryId: q.inlineQueryId, resultId: 'a' });
      expect((await client.messages(group.id)).find((m) => m.messageId === chosen.messageId)).toMatchObject({ text: 'Shared A', viaBotId: h.bot.id });
      expect((await client.lastBotMessage(group.id))?.inlineMessageId).toBe(chosen.inlineMessageId);

      const calls = await client.apiCalls({ method: 'answerCallbackQuery' });
      expect(calls).toEqual([expect.objectContaining({ ok: true, botId: h.bot.id })]);
      expect((await client.updates()).some((u) => 'inline_query' in u)).toBe(true);
      expect(await client.rateLimits()).toMatchObject({ enabled: false });
      await expect(client.waitForBotMessage(carol.id, { text: 'never sent' }, 50)).rejects.toThrow(SimTimeoutError);
    } finally {
      await running.stop();
    }
    expect(running.errors).toEqual([]);
  });

  it('blocks and unblocks over HTTP', async () => {
    await client.sendText({ userId: h.bob.id, text: '/start' });
    expect((await client.blockBot({ userId: h.bob.id })).updateId).toEqual(expect.any(Number));
    await expect(h.tg.sendMessage(h.bob.id, 'x')).rejects.toMatchObject({ code: 403 });
    await client.unblockBot({ userId: h.bob.id });
    expect((await h.tg.sendMessage(h.bob.id, 'back')).text).toBe('back');
  });
});

describe('tools/botapi/main.ts CLI', () => {
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('starts on BOTAPI_PORT, registers BOT_TOKEN and prints one JSON line', async () => {
    const root = path.resolve(__dirname, '../..');
    // Compile TypeScript on the fly with @swc/core (already installed for jest).
    const hook = `const swc=require('@swc/core');require.extensions['.ts']=(m,f)=>m._compile(swc.transformFileSync(f,{jsc:{parser:{syntax:'typescript'},target:'es2022'},module:{type:'commonjs'}}).code,f);require(${JSON.stringify(path.join(root, 'tools/botapi/main.ts'))});`;
    const token = '5123456789:AAtestTokenForTheCliCheck_0123456789';
    child = spawn(process.execPath, ['-e', hook], {
      cwd: root, env: { ...process.env, BOTAPI_PORT: '0', BOT_TOKEN: token, BOT_USERNAME: 'cli_test_bot' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const [first] = (await once(lines, 'line')) as [string];
    const ready = JSON.parse(first) as { botapi: string; url: string; bot: { id: number; username: string } };
    expect(ready).toMatchObject({ botapi: 'listening', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), bot: { id: 5123456789, username: 'cli_test_bot' } });
    const me = await new Telegram(token, { apiRoot: ready.url }).getMe();
    expect(me).toMatchObject({ id: 5123456789, username: 'cli_test_bot', is_bot: true });
  });
});
