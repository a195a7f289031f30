/**
 * Inline mode through the local Bot API: inline_query → answerInlineQuery → the chosen result is
 * posted "via" the bot with an inline_message_id → chosen_inline_result → edits and callbacks by
 * inline_message_id.
 */
import { Markup, TelegramError } from 'telegraf';
import type { CallbackQuery, InlineQueryResult, Update } from 'telegraf/types';
import { SimError } from '../../tools/botapi/errors';
import { launchBot, makePng, startHarness, until, type Harness } from '../helpers/botapiHarness';

describe('local Bot API inline mode', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ limits: false });
  });

  afterEach(async () => {
    await h.close();
  });

  it('posts the chosen result via the bot, sends chosen_inline_result, and edits it by inline_message_id', async () => {
    const group = h.server.sim.createGroup({ title: 'Friends', creatorId: h.alice.id, memberIds: [h.bob.id] });
    const chosen: string[] = [];
    const running = launchBot(h.url, h.bot.token, (bot) => {
      bot.on('inline_query', (ctx) => ctx.answerInlineQuery([{
        type: 'article', id: 'm-7', title: 'Will BTC hit 100k?',
        input_message_content: { message_text: '<b>BTC 100k?</b> YES 62%', parse_mode: 'HTML' },
        ...Markup.inlineKeyboard([Markup.button.callback('Bet YES', 'yes:7')]),
      }], { cache_time: 0, is_personal: true }));
      bot.on('chosen_inline_result', async (ctx) => {
        chosen.push(ctx.chosenInlineResult.inline_message_id ?? '');
        await ctx.editMessageText('<b>BTC 100k?</b> YES 63%', { parse_mode: 'HTML', ...Markup.inlineKeyboard([Markup.button.callback('Bet YES', 'yes:7')]) });
      });
      bot.action('yes:7', async (ctx) => {
        await ctx.answerCbQuery('Bet accepted');
        await ctx.editMessageReplyMarkup(undefined);
      });
    });
    try {
      const q = h.server.sim.inlineQuery({ userId: h.bob.id, chatId: group.id, query: 'btc' });
      const update = h.server.sim.updates().find((u) => u.update_id === q.updateId) as Update.InlineQueryUpdate;
      expect(update.inline_query).toMatchObject({ id: q.inlineQueryId, from: { id: h.bob.id }, query: 'btc', offset: '', chat_type: 'supergroup' });
      const answer = await h.server.sim.waitForInlineAnswer(q.inlineQueryId);
      expect(answer).toMatchObject({ cacheTime: 0, isPersonal: true });
      expect(answer.results.map((r) => r.id)).toEqual(['m-7']);

      const posted = await h.server.sim.chooseInlineResult({ inlineQueryId: q.inlineQueryId, resultId: 'm-7' });
      const message = h.server.sim.messages(group.id).find((m) => m.messageId === posted.messageId);
      expect(message).toMatchObject({ fromId: h.bob.id, viaBotId: h.bot.id, inlineMessageId: posted.inlineMessageId, text: 'BTC 100k? YES 62%' });
      expect(message?.raw).toMatchObject({ from: { id: h.bob.id }, via_bot: { id: h.bot.id, is_bot: true } });

      const edited = await h.server.sim.waitForBotMessage(group.id, { text: 'BTC 100k? YES 63%' });
      expect(edited.messageId).toBe(posted.messageId);
      expect(chosen).toEqual([posted.inlineMessageId]);
      const chosenUpdate = h.server.sim.updates().find((u): u is Update.ChosenInlineResultUpdate => 'chosen_inline_result' in u);
      expect(chosenUpdate?.chosen_inline_result).toEqual({
        result_id: 'm-7', from: expect.objectContaining({ id: h.bob.id }), query: 'btc', inline_message_id: posted.inlineMessageId,
      });
      expect(h.server.sim.apiCalls({ method: 'editMessageText' })[0]).toMatchObject({ ok: true, chatId: group.id });

      // A button on the inline message: callback_query carries inline_message_id and no message.
      const press = h.server.sim.pressButton({ userId: h.alice.id, inlineMessageId: posted.inlineMessageId, text: 'Bet YES' });
      expect(await press.answered()).toMatchObject({ text: 'Bet accepted', showAlert: false });
      const cb = h.server.sim.updates().find((u) => u.update_id === press.updateId) as Update.CallbackQueryUpdate;
      const query = cb.callback_query as CallbackQuery.DataQuery;
      expect(query.inline_message_id).toBe(posted.inlineMessageId);
      expect(query.message).toBeUndefined();
      expect(query.data).toBe('yes:7');
      const cleared = await h.server.sim.waitForBotMessage(group.id, { messageId: posted.messageId, hasKeyboard: false });
      expect(cleared.text).toBe('BTC 100k? YES 63%');
    } finally {
      await running.stop();
    }
    expect(running.errors).toEqual([]);
  });

  it('edits by inline_message_id answer true; "not modified" applies too', async () => {
    const q = h.server.sim.inlineQuery({ userId: h.alice.id, query: '' });
    await h.tg.answerInlineQuery(q.inlineQueryId, [{
      type: 'article', id: '1', title: 'Card', input_message_content: { message_text: 'Card v1' },
      reply_markup: { inline_keyboard: [[{ text: 'Open', url: 'https://t.me/pravda_test_bot?start=m1' }]] },
    }]);
    const posted = await h.server.sim.chooseInlineResult({ inlineQueryId: q.inlineQueryId, resultId: '1' });
    expect(h.server.sim.messages(h.alice.id).find((m) => m.messageId === posted.messageId)?.raw.chat).toMatchObject({ type: 'private' });
    const markup = { inline_keyboard: [[{ text: 'Open', url: 'https://t.me/pravda_test_bot?start=m1' }]] };
    expect(await h.tg.editMessageText(undefined, undefined, posted.inlineMessageId, 'Card v2', { reply_markup: markup })).toBe(true);
    const same = await h.tg.editMessageText(undefined, undefined, posted.inlineMessageId, 'Card v2', { reply_markup: markup }).catch((e: TelegramError) => e);
    expect((same as TelegramError).description).toMatch(/^Bad Request: message is not modified/);
    const unknown = await h.tg.editMessageText(undefined, undefined, 'AgAAAnotAnInlineId', 'x').catch((e: TelegramError) => e);
    expect((unknown as TelegramError).description).toBe('Bad Request: message to edit not found');
    expect(h.server.sim.messages(h.alice.id).find((m) => m.messageId === posted.messageId)?.text).toBe('Card v2');
  });

  it('validates answers: at most 50 results, unique ids, one answer per query', async () => {
    const q = h.server.sim.inlineQuery({ userId: h.alice.id, query: 'all' });
    const article = (id: string): InlineQueryResult => ({ type: 'article', id, title: id, input_message_content: { message_text: id } });
    const tooMany = await h.tg.answerInlineQuery(q.inlineQueryId, Array.from({ length: 51 }, (_, i) => article(`r${i}`))).catch((e: TelegramError) => e);
    expect((tooMany as TelegramError).description).toBe('Bad Request: RESULTS_TOO_MUCH');
    const dup = await h.tg.answerInlineQuery(q.inlineQueryId, [article('a'), article('a')]).catch((e: TelegramError) => e);
    expect((dup as TelegramError).description).toBe('Bad Request: RESULT_ID_DUPLICATE');
    const badHtml = await h.tg.answerInlineQuery(q.inlineQueryId, [{
      type: 'article', id: 'x', title: 'x', input_message_content: { message_text: '<b>x', parse_mode: 'HTML' },
    }]).catch((e: TelegramError) => e);
    expect((badHtml as TelegramError).description).toMatch(/^Bad Request: can't parse entities/);
    expect(await h.tg.answerInlineQuery(q.inlineQueryId, Array.from({ length: 50 }, (_, i) => article(`r${i}`)))).toBe(true);
    const twice = await h.tg.answerInlineQuery(q.inlineQueryId, [article('z')]).catch((e: TelegramError) => e);
    expect((twice as TelegramError).code).toBe(400);
    expect((await h.server.sim.waitForInlineAnswer(q.inlineQueryId)).results).toHaveLength(50);
    await expect(h.server.sim.chooseInlineResult({ inlineQueryId: q.inlineQueryId, resultId: 'nope' })).rejects.toThrow(SimError);
  });

  it('posts photo results by cached file_id, without chosen_inline_result inline id when there is no keyboard', async () => {
    h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
    const uploaded = await h.tg.sendPhoto(h.alice.id, { source: makePng(16, 9) });
    const fileId = (uploaded.photo[0] as { file_id: string }).file_id;
    const q = h.server.sim.inlineQuery({ userId: h.alice.id, query: 'chart' });
    await h.tg.answerInlineQuery(q.inlineQueryId, [{ type: 'photo', id: 'p', photo_file_id: fileId, caption: 'Chart' }]);
    const posted = await h.server.sim.chooseInlineResult({ inlineQueryId: q.inlineQueryId, resultId: 'p' });
    const msg = h.server.sim.messages(h.alice.id).find((m) => m.messageId === posted.messageId);
    expect(msg).toMatchObject({ photoFileId: fileId, caption: 'Chart', viaBotId: h.bot.id });
    await until(() => h.server.sim.updates().some((u) => 'chosen_inline_result' in u), 'chosen_inline_result');
    const chosen = h.server.sim.updates().find((u): u is Update.ChosenInlineResultUpdate => 'chosen_inline_result' in u);
    expect(chosen?.chosen_inline_result.inline_message_id).toBeUndefined();
    // The message itself reached the bot too (it was posted in the bot's private chat).
    expect(h.server.sim.updates().some((u) => 'message' in u && u.message.message_id === posted.messageId)).toBe(true);
  });
});
