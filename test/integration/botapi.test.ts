/**
 * The local Bot API behaves as Telegram documents: driven by telegraf's own client (`Telegram`) and
 * by a real `Telegraf` bot doing long polling, never by calling the server's internals for the bot side.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Markup, TelegramError } from 'telegraf';
import type { CallbackQuery, Message, Update } from 'telegraf/types';
import { SimError } from '../../tools/botapi/errors';
import { launchBot, makeJpegHeader, makePng, rawCall, startHarness, until, type Harness } from '../helpers/botapiHarness';

/** The error telegraf throws for a failed call (code + description + parameters). */
async function apiError(p: Promise<unknown>): Promise<TelegramError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TelegramError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('local Bot API', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ limits: false });
  });

  afterEach(async () => {
    await h.close();
  });

  describe('transport', () => {
    it('answers 401 Unauthorized for unknown tokens and 404 Not Found for unknown methods', async () => {
      const badToken = await rawCall(h.url, '123456:AAnotARealTokenAtAllXXXXXXXX', 'getMe');
      expect(badToken).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
      const unknown = await rawCall(h.url, h.bot.token, 'sendTelepathy');
      expect(unknown).toEqual({ status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } });
    });

    it('accepts parameters as query string, url-encoded form and JSON; method names are case-insensitive', async () => {
      h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
      const viaGet = await rawCall(h.url, h.bot.token, 'sendMessage', { query: { chat_id: String(h.alice.id), text: 'from GET' } });
      const viaForm = await rawCall(h.url, h.bot.token, 'SENDMESSAGE', {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ chat_id: String(h.alice.id), text: 'from form', reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] }) }).toString(),
      });
      const viaJson = await rawCall(h.url, h.bot.token, 'sendMessage', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: h.alice.id, text: 'from JSON' }),
      });
      expect([viaGet.status, viaForm.status, viaJson.status]).toEqual([200, 200, 200]);
      expect(viaForm.body.result.reply_markup).toEqual({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] });
      expect(h.server.sim.messages(h.alice.id).filter((m) => m.fromBot).map((m) => m.text)).toEqual(['from GET', 'from form', 'from JSON']);
    });

    it('reports missing parameters and unknown chats with Telegram wording', async () => {
      expect((await apiError(h.tg.callApi('sendMessage', { text: 'x' } as never))).description).toBe('Bad Request: chat_id is empty');
      expect((await apiError(h.tg.sendMessage(777, 'x'))).description).toBe('Bad Request: chat not found');
      h.server.sim.sendText({ userId: h.alice.id, text: 'hi' });
      const empty = await apiError(h.tg.sendMessage(h.alice.id, '   '));
      expect([empty.code, empty.description]).toEqual([400, 'Bad Request: message text is empty']);
      expect((await apiError(h.tg.sendMessage(h.alice.id, 'x'.repeat(4097)))).description).toBe('Bad Request: message is too long');
    });
  });

  describe('getUpdates', () => {
    it('long polling returns as soon as an update arrives, and offset confirms earlier updates', async () => {
      const queue = h.server.sim.world.bot(h.bot.id).queue;
      const poll = h.tg.callApi('getUpdates', { timeout: 50, offset: 0 });
      await until(() => queue.isPolling, 'the long poll to be waiting');
      h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
      const updates = await poll;
      expect(updates).toHaveLength(1);
      const msg = (updates[0] as Update.MessageUpdate).message as Message.TextMessage;
      expect(msg.text).toBe('/start');
      expect(msg.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
      expect(msg.chat).toEqual({ id: h.alice.id, type: 'private', first_name: 'Alice', username: 'alice' });

      // Not confirmed yet: delivered again. Confirmed by offset: gone.
      expect(await h.tg.callApi('getUpdates', { timeout: 0 })).toHaveLength(1);
      const next = (updates[0] as Update).update_id + 1;
      expect(await h.tg.callApi('getUpdates', { offset: next, timeout: 0 })).toEqual([]);
    });

    it('a newer getUpdates terminates a pending one with 409 Conflict; a webhook blocks polling', async () => {
      const queue = h.server.sim.world.bot(h.bot.id).queue;
      const first = apiError(h.tg.callApi('getUpdates', { timeout: 50 }));
      await until(() => queue.isPolling, 'the first poll to be waiting');
      const second = h.tg.callApi('getUpdates', { timeout: 0 });
      const conflict = await first;
      expect(conflict.code).toBe(409);
      expect(conflict.description).toBe('Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
      expect(await second).toEqual([]);

      await h.tg.setWebhook('https://example.org/hook', { secret_token: 'abc' });
      expect(await h.tg.getWebhookInfo()).toMatchObject({ url: 'https://example.org/hook', pending_update_count: 0 });
      expect((await apiError(h.tg.callApi('getUpdates', {}))).code).toBe(409);
      expect((await apiError(h.tg.setWebhook('http://example.org/hook'))).description).toBe('Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
      await h.tg.deleteWebhook();
      expect((await h.tg.getWebhookInfo()).url).toBe('');
    });

    it('allowed_updates filters update types created afterwards', async () => {
      await h.tg.callApi('getUpdates', { timeout: 0, allowed_updates: ['callback_query'] });
      const sent = h.server.sim.sendText({ userId: h.alice.id, text: 'ignored' });
      expect(sent.updateIds).toEqual([]);
      expect(await h.tg.callApi('getUpdates', { timeout: 0 })).toEqual([]);
    });
  });

  describe('with a Telegraf bot polling', () => {
    it('delivers a command to bot.launch() long polling and records the reply', async () => {
      const running = launchBot(h.url, h.bot.token, (bot) => {
        bot.start((ctx) => ctx.reply(`Welcome, ${ctx.from.first_name}`));
      });
      try {
        h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
        const reply = await h.server.sim.waitForBotMessage(h.alice.id, { text: 'Welcome, Alice' });
        expect(reply.raw).toMatchObject({ from: { id: h.bot.id, is_bot: true }, chat: { id: h.alice.id } });
        const methods = h.server.sim.apiCalls().map((c) => c.method);
        expect(methods.slice(0, 2)).toEqual(['getMe', 'deleteWebhook']);
        expect(methods).toContain('getUpdates');
      } finally {
        await running.stop();
      }
      expect(running.errors).toEqual([]);
    });

    it('a pressed button produces a callback_query that the bot answers', async () => {
      const running = launchBot(h.url, h.bot.token, (bot) => {
        bot.command('market', (ctx) => ctx.reply('Will it rain?', Markup.inlineKeyboard([
          Markup.button.callback('Yes', 'bet:yes'), Markup.button.callback('No', 'bet:no'), Markup.button.url('Rules', 'https://example.org/rules'),
        ])));
        bot.action(/^bet:(yes|no)$/, async (ctx) => {
          await ctx.answerCbQuery(`You bet ${ctx.match[1]}`, { show_alert: true });
          await ctx.editMessageText(`Bet placed: ${ctx.match[1]}`);
        });
      });
      try {
        h.server.sim.sendText({ userId: h.alice.id, text: '/market' });
        const card = await h.server.sim.waitForBotMessage(h.alice.id, { buttonText: 'Yes' });
        const press = h.server.sim.pressButton({ userId: h.alice.id, text: 'Yes' });
        expect(await press.answered()).toMatchObject({ text: 'You bet yes', showAlert: true });
        const edited = await h.server.sim.waitForBotMessage(h.alice.id, { text: 'Bet placed: yes' });
        expect(edited.messageId).toBe(card.messageId);
        expect(edited.replyMarkup).toBeUndefined(); // editMessageText without reply_markup drops the keyboard
        expect(edited.edits).toEqual([expect.objectContaining({ text: 'Will it rain?' })]);

        const update = h.server.sim.updates().find((u): u is Update.CallbackQueryUpdate => 'callback_query' in u);
        const query = update?.callback_query as CallbackQuery.DataQuery;
        expect(query).toMatchObject({ id: press.callbackQueryId, data: 'bet:yes', from: { id: h.alice.id }, message: { message_id: card.messageId } });
        expect(typeof query.chat_instance).toBe('string');

        // The button is gone after the edit: pressing it is the test's mistake.
        expect(() => h.server.sim.pressButton({ userId: h.alice.id, messageId: card.messageId, text: 'No' })).toThrow(SimError);
      } finally {
        await running.stop();
      }
      expect(running.errors).toEqual([]);
    });
  });

  describe('callback queries', () => {
    it('refuses unknown query ids and a second answer with 400', async () => {
      h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
      await h.tg.sendMessage(h.alice.id, 'Pick', Markup.inlineKeyboard([Markup.button.callback('Go', 'go')]));
      const press = h.server.sim.pressButton({ userId: h.alice.id, data: 'go' });
      const tooOld = 'Bad Request: query is too old and response timeout expired or query ID is invalid';
      expect((await apiError(h.tg.answerCbQuery('123456789'))).description).toBe(tooOld);
      expect(await h.tg.answerCbQuery(press.callbackQueryId, 'ok')).toBe(true);
      expect((await apiError(h.tg.answerCbQuery(press.callbackQueryId, 'again'))).description).toBe(tooOld);
      expect(() => h.server.sim.pressButton({ userId: h.alice.id, text: 'Nope' })).toThrow(SimError);
    });

    it('validates inline keyboards: callback_data 1..64 bytes, url buttons need a URL', async () => {
      h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
      const longData = await apiError(h.tg.sendMessage(h.alice.id, 'x', { reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'я'.repeat(33) }]] } }));
      expect([longData.code, longData.description]).toEqual([400, 'Bad Request: BUTTON_DATA_INVALID']);
      const emptyData = await apiError(h.tg.sendMessage(h.alice.id, 'x', { reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: '' }]] } }));
      expect(emptyData.description).toBe('Bad Request: BUTTON_DATA_INVALID');
      const badUrl = await apiError(h.tg.sendMessage(h.alice.id, 'x', { reply_markup: { inline_keyboard: [[{ text: 'A', url: 'not a url' }]] } }));
      expect(badUrl.description).toBe('Bad Request: BUTTON_URL_INVALID');
      const ok = await h.tg.sendMessage(h.alice.id, 'x', { reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'b'.repeat(64) }, { text: 'Site', url: 'https://t.me/pravda' }]] } });
      expect(ok.reply_markup?.inline_keyboard[0]).toHaveLength(2);
      expect(h.server.sim.messages(h.alice.id).filter((m) => m.fromBot)).toHaveLength(1);
    });
  });

  describe('formatting', () => {
    it('parses HTML into text + entities and rejects unbalanced or unsupported tags', async () => {
      h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
      const m = await h.tg.sendMessage(h.alice.id, '<b>Yes</b> 62% &amp; <a href="https://t.me/x">link</a>', { parse_mode: 'HTML' });
      expect(m.text).toBe('Yes 62% & link');
      expect(m.entities).toEqual([
        { type: 'bold', offset: 0, length: 3 },
        { type: 'text_link', offset: 10, length: 4, url: 'https://t.me/x' },
      ]);
      const unclosed = await apiError(h.tg.sendMessage(h.alice.id, '<b>Yes', { parse_mode: 'HTML' }));
      expect(unclosed.description).toBe('Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"');
      const crossed = await apiError(h.tg.sendMessage(h.alice.id, '<b><i>x</b></i>', { parse_mode: 'HTML' }));
      expect(crossed.description).toBe('Bad Request: can\'t parse entities: Unmatched end tag at byte offset 7, expected "</i>", found "</b>"');
      const unsupported = await apiError(h.tg.sendMessage(h.alice.id, 'a <div>b</div>', { parse_mode: 'HTML' }));
      expect(unsupported.description).toBe('Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 2');
      const bareLt = await apiError(h.tg.sendMessage(h.alice.id, 'price < 5', { parse_mode: 'HTML' }));
      expect(bareLt.description).toBe('Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 6');
      expect(h.server.sim.messages(h.alice.id).filter((x) => x.fromBot)).toHaveLength(1);
    });
  });

  describe('photos and files', () => {
    it('uploads a photo by multipart, re-sends it by file_id, and serves it through getFile', async () => {
      h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
      const png = makePng(40, 30);
      const first = await h.tg.sendPhoto(h.alice.id, { source: png, filename: 'chart.png' }, { caption: '<i>Odds</i>', parse_mode: 'HTML' });
      expect(first.photo).toEqual([{ file_id: expect.any(String), file_unique_id: expect.any(String), width: 40, height: 30, file_size: png.length }]);
      expect(first.caption).toBe('Odds');
      expect(first.caption_entities).toEqual([{ type: 'italic', offset: 0, length: 4 }]);
      const sentAs = h.server.sim.apiCalls({ method: 'sendPhoto' })[0]?.params.photo;
      expect(sentAs).toEqual({ file: 'chart.png', size: png.length }); // it really was a multipart upload

      const fileId = (first.photo[0] as { file_id: string }).file_id;
      const again = await h.tg.sendPhoto(h.alice.id, fileId);
      expect(again.photo).toEqual(first.photo);

      const file = await h.tg.getFile(fileId);
      expect(file).toMatchObject({ file_id: fileId, file_size: png.length });
      const download = await fetch(`${h.url}/file/bot${h.bot.token}/${file.file_path}`);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
    });

    it('reads JPEG dimensions, fetches http URLs, and rejects bad files and foreign file ids', async () => {
      h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
      const jpeg = await h.tg.sendPhoto(h.alice.id, { source: makeJpegHeader(1280, 720) });
      expect(jpeg.photo[0]).toMatchObject({ width: 1280, height: 720 });

      const png = makePng(8, 8);
      const site: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
      await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
      try {
        const byUrl = await h.tg.sendPhoto(h.alice.id, `http://127.0.0.1:${(site.address() as AddressInfo).port}/p.png`);
        expect(byUrl.photo[0]).toMatchObject({ width: 8, height: 8, file_size: png.length });
      } finally {
        await new Promise((r) => site.close(r));
      }

      const notImage = await apiError(h.tg.sendPhoto(h.alice.id, { source: Buffer.from('hello, not a picture') }));
      expect(notImage.description).toBe('Bad Request: IMAGE_PROCESS_FAILED');
      const unknownId = await apiError(h.tg.sendPhoto(h.alice.id, 'AgACAgIAAxkDAAnope'));
      expect(unknownId.description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
      // file_ids are bot specific
      const other = h.server.sim.createBot({ username: 'other_test_bot' });
      h.server.sim.sendText({ userId: h.alice.id, text: '/start', botId: other.id });
      const otherTg = new (h.tg.constructor as typeof import('telegraf').Telegram)(other.token, { apiRoot: h.url });
      const foreign = await apiError(otherTg.sendPhoto(h.alice.id, (jpeg.photo[0] as { file_id: string }).file_id));
      expect(foreign.description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
    });
  });

  describe('editing', () => {
    it('answers "message is not modified" when nothing changes, and "message to edit not found" for unknown ids', async () => {
      h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
      const kb = Markup.inlineKeyboard([Markup.button.callback('Refresh', 'r')]);
      const m = await h.tg.sendMessage(h.alice.id, '<b>Price</b>: 50', { parse_mode: 'HTML', ...kb });
      const same = await apiError(h.tg.editMessageText(h.alice.id, m.message_id, undefined, '<b>Price</b>: 50', { parse_mode: 'HTML', ...kb }));
      expect([same.code, same.description]).toEqual([400,
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message']);
      // Same text but dropping the keyboard is a modification.
      const dropped = await h.tg.editMessageText(h.alice.id, m.message_id, undefined, '<b>Price</b>: 50', { parse_mode: 'HTML' });
      expect(dropped).toMatchObject({ text: 'Price: 50', edit_date: expect.any(Number) });
      expect((dropped as Message.TextMessage & { reply_markup?: unknown }).reply_markup).toBeUndefined();
      const markupOnly = await h.tg.editMessageReplyMarkup(h.alice.id, m.message_id, undefined, kb.reply_markup);
      // Unknown button fields (telegraf adds `hide`) are dropped, as Telegram does.
      expect((markupOnly as Message.TextMessage).reply_markup).toEqual({ inline_keyboard: [[{ text: 'Refresh', callback_data: 'r' }]] });
      expect((await apiError(h.tg.editMessageReplyMarkup(h.alice.id, m.message_id, undefined, kb.reply_markup))).description).toMatch(/^Bad Request: message is not modified/);

      expect((await apiError(h.tg.editMessageText(h.alice.id, 9999, undefined, 'x'))).description).toBe('Bad Request: message to edit not found');
      expect((await apiError(h.tg.editMessageCaption(h.alice.id, m.message_id, undefined, 'cap'))).description).toBe('Bad Request: there is no caption in the message to edit');
      const history = h.server.sim.messages(h.alice.id).find((x) => x.messageId === m.message_id);
      expect(history?.edits).toHaveLength(2);
    });

    it('edits captions and media of photo messages; deleted messages cannot be edited', async () => {
      h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
      const photo = await h.tg.sendPhoto(h.alice.id, { source: makePng(10, 10) }, { caption: 'v1' });
      expect((await apiError(h.tg.editMessageText(h.alice.id, photo.message_id, undefined, 'x'))).description).toBe('Bad Request: there is no text in the message to edit');
      const cap = await h.tg.editMessageCaption(h.alice.id, photo.message_id, undefined, 'v2');
      expect((cap as Message.PhotoMessage).caption).toBe('v2');
      const media = await h.tg.editMessageMedia(h.alice.id, photo.message_id, undefined, { type: 'photo', media: { source: makePng(20, 12) }, caption: 'v3' });
      expect((media as Message.PhotoMessage).photo[0]).toMatchObject({ width: 20, height: 12 });
      expect((media as Message.PhotoMessage).caption).toBe('v3');

      expect(await h.tg.deleteMessage(h.alice.id, photo.message_id)).toBe(true);
      expect((await apiError(h.tg.deleteMessage(h.alice.id, photo.message_id))).description).toBe('Bad Request: message to delete not found');
      expect((await apiError(h.tg.editMessageCaption(h.alice.id, photo.message_id, undefined, 'v4'))).description).toBe('Bad Request: message to edit not found');
      expect(h.server.sim.messages(h.alice.id).find((x) => x.messageId === photo.message_id)?.deleted).toBe(true);
    });
  });

  describe('users and chats', () => {
    it('a bot cannot start a private chat; after the user blocks it, sends get 403', async () => {
      const neverStarted = await apiError(h.tg.sendMessage(h.bob.id, 'hello'));
      expect([neverStarted.code, neverStarted.description]).toEqual([403, "Forbidden: bot can't initiate conversation with a user"]);

      h.server.sim.sendText({ userId: h.bob.id, text: '/start' });
      await h.tg.sendMessage(h.bob.id, 'hello');
      const { updateId } = h.server.sim.blockBot({ userId: h.bob.id });
      const blocked = await apiError(h.tg.sendMessage(h.bob.id, 'still there?'));
      expect([blocked.code, blocked.description]).toEqual([403, 'Forbidden: bot was blocked by the user']);
      expect((await apiError(h.tg.sendPhoto(h.bob.id, { source: makePng(2, 2) }))).code).toBe(403);
      const memberUpdate = h.server.sim.updates().find((u) => u.update_id === updateId) as Update.MyChatMemberUpdate;
      expect(memberUpdate.my_chat_member).toMatchObject({
        chat: { id: h.bob.id, type: 'private' }, from: { id: h.bob.id },
        old_chat_member: { status: 'member' }, new_chat_member: { status: 'kicked', user: { id: h.bot.id } },
      });
      expect(() => h.server.sim.sendText({ userId: h.bob.id, text: 'hi' })).toThrow(SimError);
      h.server.sim.unblockBot({ userId: h.bob.id });
      expect((await h.tg.sendMessage(h.bob.id, 'welcome back')).text).toBe('welcome back');
    });

    it('getChatMember reports creator, administrator, member and left in a group', async () => {
      const carol = h.server.sim.createUser({ first_name: 'Carol' });
      const group = h.server.sim.createGroup({ title: 'Forecasters', creatorId: h.alice.id, adminIds: [h.bob.id], memberIds: [carol.id] });
      expect(group.id).toBeLessThan(-1_000_000_000_000); // supergroup ids look like -100…
      const status = async (id: number): Promise<string> => (await h.tg.getChatMember(group.id, id)).status;
      expect(await status(h.alice.id)).toBe('creator');
      expect(await status(h.bob.id)).toBe('administrator');
      expect(await status(carol.id)).toBe('member');
      expect(await status(h.bot.id)).toBe('member');
      const dave = h.server.sim.createUser({ first_name: 'Dave' });
      expect(await status(dave.id)).toBe('left');
      expect((await apiError(h.tg.getChatMember(group.id, 424242))).description).toBe('Bad Request: user not found');
      const admins = await h.tg.getChatAdministrators(group.id);
      expect(admins.map((a) => [a.user.id, a.status]).sort()).toEqual([[h.alice.id, 'creator'], [h.bob.id, 'administrator']].sort());
      expect(await h.tg.getChat(group.id)).toMatchObject({ id: group.id, type: 'supergroup', title: 'Forecasters' });
      expect((await apiError(h.tg.getChatAdministrators(h.alice.id))).code).toBe(400);
    });

    it('in groups (privacy mode) the bot gets commands for it and mentions, not other chatter', async () => {
      const group = h.server.sim.createGroup({ title: 'Chat', creatorId: h.alice.id, memberIds: [h.bob.id] });
      const sim = h.server.sim;
      expect(sim.sendText({ userId: h.bob.id, chatId: group.id, text: 'just talking' }).updateIds).toEqual([]);
      expect(sim.sendText({ userId: h.bob.id, chatId: group.id, text: '/markets@other_bot' }).updateIds).toEqual([]);
      const mine = sim.sendText({ userId: h.bob.id, chatId: group.id, text: '/markets@pravda_test_bot now' });
      expect(mine.updateIds).toHaveLength(1);
      const update = sim.updates().find((u) => u.update_id === mine.updateIds[0]) as Update.MessageUpdate;
      expect((update.message as Message.TextMessage).entities).toEqual([{ type: 'bot_command', offset: 0, length: '/markets@pravda_test_bot'.length }]);
      expect(sim.sendText({ userId: h.bob.id, chatId: group.id, text: 'hey @pravda_test_bot' }).updateIds).toHaveLength(1);
      const botMsg = await h.tg.sendMessage(group.id, 'Hi all');
      expect(sim.sendText({ userId: h.bob.id, chatId: group.id, text: 'reply', replyToMessageId: botMsg.message_id }).updateIds).toHaveLength(1);
      // group message ids are shared by users and bots and increase
      expect(sim.messages(group.id).map((m) => m.messageId)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('channels need the bot to be an admin; posts are recorded with sender_chat', async () => {
      const channel = h.server.sim.createChannel({ title: 'Pravda News', username: 'pravda_news', creatorId: h.alice.id });
      const post = await h.tg.sendMessage('@pravda_news', 'Market resolved: YES');
      expect(post).toMatchObject({ chat: { id: channel.id, type: 'channel' }, sender_chat: { id: channel.id } });
      expect(h.server.sim.lastBotMessage(channel.id)?.text).toBe('Market resolved: YES');
      const quiet = h.server.sim.createChannel({ title: 'Other', creatorId: h.alice.id, botIds: [] });
      expect((await apiError(h.tg.sendMessage(quiet.id, 'x'))).description).toBe('Forbidden: bot is not a member of the channel chat');
    });

    it('stores bot commands per scope and language', async () => {
      await h.tg.setMyCommands([{ command: 'start', description: 'Start' }, { command: 'markets', description: 'Open markets' }]);
      await h.tg.setMyCommands([{ command: 'start', description: 'Старт' }], { language_code: 'ru' });
      expect(await h.tg.getMyCommands()).toHaveLength(2);
      expect(await h.tg.getMyCommands({ language_code: 'ru' })).toEqual([{ command: 'start', description: 'Старт' }]);
      expect((await apiError(h.tg.setMyCommands([{ command: 'Bad-Name', description: 'x' }]))).description).toBe('Bad Request: BOT_COMMAND_INVALID');
      await h.tg.deleteMyCommands();
      expect(await h.tg.getMyCommands()).toEqual([]);
    });

    it('stores the menu button: a web_app needs an https URL and 1–64 characters of text', async () => {
      expect(await h.tg.getChatMenuButton()).toEqual({ type: 'commands' });
      await h.tg.setChatMenuButton({ menuButton: { type: 'web_app', text: 'x'.repeat(64), web_app: { url: 'https://pravda.example/app/' } } });
      expect(await h.tg.getChatMenuButton({ chatId: h.alice.id })).toEqual({ type: 'web_app', text: 'x'.repeat(64), web_app: { url: 'https://pravda.example/app/' } });
      expect((await apiError(h.tg.setChatMenuButton({ menuButton: { type: 'web_app', text: 'x'.repeat(65), web_app: { url: 'https://pravda.example/app/' } } }))).description)
        .toBe('Bad Request: BUTTON_TEXT_INVALID');
      expect((await apiError(h.tg.setChatMenuButton({ menuButton: { type: 'web_app', text: 'App', web_app: { url: 'http://pravda.example/app/' } } }))).description)
        .toBe('Bad Request: BUTTON_URL_INVALID');
      await h.tg.setChatMenuButton({ menuButton: { type: 'default' } });
      expect(await h.tg.getChatMenuButton()).toEqual({ type: 'commands' });
    });
  });
});
