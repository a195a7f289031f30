import pino from 'pino';
import { Writable } from 'node:stream';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { BotContext } from '../../bot/context';
import { errorBoundary } from '../../bot/middleware/error-boundary';
import type { BotRuntime } from '../../bot/runtime';

const botInfo = { id: 1, is_bot: true, first_name: 'Bot', username: 'bot' } as UserFromGetMe;
const from = { id: 7, is_bot: false, first_name: 'Ann', language_code: 'en' };

/** A context whose Telegram client records calls instead of making them. */
function contextFor(update: Omit<Update, 'update_id'>) {
  const calls: [string, unknown[]][] = [];
  const telegram = new Proxy({}, {
    get: (_t, method) => (...args: unknown[]) => {
      calls.push([String(method), args]);
      return Promise.resolve(true);
    },
  });
  const ctx = new BotContext({ update_id: 1, ...update } as Update, telegram as never, botInfo);
  return { ctx, calls };
}

function runtime() {
  const logged: { msg: string }[] = [];
  const logger = pino({ level: 'error' }, new Writable({
    write(chunk: Buffer, _enc, done) {
      logged.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  }));
  return { rt: { logger } as unknown as BotRuntime, logged };
}

const boom = async () => {
  throw new Error('boom');
};

describe('error boundary', () => {
  it('a failing button: logged, answered with the localized "nothing was changed" alert, not rethrown', async () => {
    const { ctx, calls } = contextFor({ callback_query: { id: 'q1', from, chat_instance: '1', data: 'mk:1' } });
    const { rt, logged } = runtime();
    await errorBoundary(rt)(ctx, boom);
    expect(calls).toEqual([['answerCbQuery', ['q1', 'Something went wrong. Nothing was changed — please try again.', { show_alert: true }]]]);
    expect(logged.map((l) => l.msg)).toEqual(['update failed']);
  });

  it('a failing message: a reply in the sender\'s language', async () => {
    const { ctx, calls } = contextFor({
      message: { message_id: 3, date: 0, chat: { id: 7, type: 'private', first_name: 'Ann' }, from: { ...from, language_code: 'ru' }, text: 'x' },
    });
    await errorBoundary(runtime().rt)(ctx, boom);
    expect(calls).toEqual([['sendMessage', [7, 'Что-то пошло не так. Ничего не изменилось — попробуйте ещё раз.', expect.anything()]]]);
  });

  it('a failing pre-checkout query is refused (else the payment hangs until Telegram times out)', async () => {
    const { ctx, calls } = contextFor({
      pre_checkout_query: { id: 'p1', from, currency: 'RUB', total_amount: 10_000, invoice_payload: 'dep:x' },
    });
    await errorBoundary(runtime().rt)(ctx, boom);
    expect(calls).toEqual([['answerPreCheckoutQuery', ['p1', false, 'Something went wrong. Nothing was changed — please try again.']]]);
  });

  it('a button whose handler forgot to answer gets an empty answer, so the client stops spinning', async () => {
    const { ctx, calls } = contextFor({ callback_query: { id: 'q2', from, chat_instance: '1', data: 'hm' } });
    await errorBoundary(runtime().rt)(ctx, async () => undefined);
    expect(calls).toEqual([['answerCbQuery', ['q2']]]);
  });

  it('a button answered by its handler is not answered twice', async () => {
    const { ctx, calls } = contextFor({ callback_query: { id: 'q3', from, chat_instance: '1', data: 'hm' } });
    await errorBoundary(runtime().rt)(ctx, async () => {
      await ctx.answerCbQuery('done');
    });
    expect(calls).toEqual([['answerCbQuery', ['q3', 'done']]]);
  });
});
