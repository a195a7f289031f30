/**
 * Payments through the local Bot API: invoice → pre_checkout_query → successful_payment only after
 * the bot approves within the (configurable) 10 s window; re-delivery keeps the charge ids.
 */
import { message } from 'telegraf/filters';
import { TelegramError } from 'telegraf';
import type { Message, SuccessfulPayment, Update } from 'telegraf/types';
import { launchBot, startHarness, until, type Harness, type RunningBot } from '../helpers/botapiHarness';

const PRE_CHECKOUT_MS = 400;

const invoice = {
  title: 'Pravda Pro',
  description: '30 days of Pro',
  payload: 'order:42',
  provider_token: 'TEST:provider',
  currency: 'RUB',
  prices: [{ label: 'Pro', amount: 29900 }, { label: 'Fee', amount: 100 }],
};

describe('local Bot API payments', () => {
  let h: Harness;
  let running: RunningBot | undefined;
  const paid: SuccessfulPayment[] = [];

  beforeEach(async () => {
    h = await startHarness({ limits: false, preCheckoutTimeoutMs: PRE_CHECKOUT_MS });
    paid.length = 0;
    running = undefined;
  });

  afterEach(async () => {
    await running?.stop();
    expect(running?.errors ?? []).toEqual([]);
    await h.close();
  });

  /** A bot that sells on /buy and approves or declines the checkout. */
  function startShop(decision: 'approve' | 'decline'): void {
    running = launchBot(h.url, h.bot.token, (bot) => {
      bot.command('buy', (ctx) => ctx.replyWithInvoice(invoice));
      bot.on('pre_checkout_query', (ctx) =>
        decision === 'approve' ? ctx.answerPreCheckoutQuery(true) : ctx.answerPreCheckoutQuery(false, 'Market closed'));
      bot.on(message('successful_payment'), (ctx) => {
        paid.push(ctx.message.successful_payment);
      });
    });
  }

  async function invoiceMessage(): Promise<number> {
    h.server.sim.sendText({ userId: h.alice.id, text: '/buy' });
    const m = await h.server.sim.waitForBotMessage(h.alice.id, { hasInvoice: true });
    expect(m.invoice).toEqual({ title: 'Pravda Pro', description: '30 days of Pro', start_parameter: '', currency: 'RUB', total_amount: 30000 });
    expect(m.invoicePayload).toBe('order:42');
    return m.messageId;
  }

  it('delivers successful_payment only after the bot approved the pre_checkout_query', async () => {
    startShop('approve');
    const messageId = await invoiceMessage();
    const outcome = await h.server.sim.payInvoice({ userId: h.alice.id, messageId });
    expect(outcome.status).toBe('paid');
    expect(outcome.successfulPayment).toMatchObject({ currency: 'RUB', total_amount: 30000, invoice_payload: 'order:42' });

    const updates = h.server.sim.updates();
    const pre = updates.find((u): u is Update.PreCheckoutQueryUpdate => 'pre_checkout_query' in u);
    expect(pre?.pre_checkout_query).toMatchObject({
      id: outcome.preCheckoutQueryId, from: { id: h.alice.id }, currency: 'RUB', total_amount: 30000, invoice_payload: 'order:42',
    });
    const payment = updates.find((u) => u.update_id === outcome.updateId) as Update.MessageUpdate;
    expect(payment.update_id).toBeGreaterThan(pre?.update_id ?? Infinity);
    expect((payment.message as Message.SuccessfulPaymentMessage).successful_payment.telegram_payment_charge_id).toEqual(expect.any(String));

    expect(h.server.sim.apiCalls({ method: 'answerPreCheckoutQuery' })).toEqual([
      expect.objectContaining({ ok: true, params: expect.objectContaining({ pre_checkout_query_id: outcome.preCheckoutQueryId, ok: true }) }),
    ]);
    await until(() => paid.length > 0, 'the bot to handle successful_payment');
    expect(paid).toEqual([outcome.successfulPayment]);
  });

  it('re-delivers the same successful_payment (same charge ids) so idempotency can be tested', async () => {
    startShop('approve');
    const messageId = await invoiceMessage();
    const outcome = await h.server.sim.payInvoice({ userId: h.alice.id, messageId });
    const again = h.server.sim.redeliverPayment({ chatId: h.alice.id, messageId: outcome.messageId as number });
    expect(again.updateId).toBeGreaterThan(outcome.updateId as number);
    await until(() => paid.length >= 2, 'the bot to handle both deliveries');
    expect(paid).toHaveLength(2);
    expect(paid[1]).toEqual(paid[0]);
  });

  it('sends no successful_payment when the bot declines', async () => {
    startShop('decline');
    const messageId = await invoiceMessage();
    const outcome = await h.server.sim.payInvoice({ userId: h.alice.id, messageId });
    expect(outcome).toMatchObject({ status: 'declined', errorMessage: 'Market closed' });
    expect(outcome.successfulPayment).toBeUndefined();
    expect(h.server.sim.updates().some((u) => 'message' in u && 'successful_payment' in u.message)).toBe(false);
    expect(h.server.sim.messages(h.alice.id).some((m) => m.successfulPayment)).toBe(false);
  });

  it('sends no successful_payment when the bot does not answer in time; a late answer gets 400', async () => {
    // No bot is polling: the pre_checkout_query stays unanswered.
    h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
    const inv = await h.tg.sendInvoice(h.alice.id, invoice);
    const outcome = await h.server.sim.payInvoice({ userId: h.alice.id, messageId: inv.message_id });
    expect(outcome.status).toBe('timeout');
    expect(h.server.sim.messages(h.alice.id).some((m) => m.successfulPayment)).toBe(false);
    const late = await h.tg.answerPreCheckoutQuery(outcome.preCheckoutQueryId, true).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(TelegramError);
    expect((late as TelegramError).description).toBe('Bad Request: query is too old and response timeout expired or query ID is invalid');
    expect(h.server.sim.updates().filter((u) => 'message' in u && 'successful_payment' in u.message)).toEqual([]);
  });

  it('validates sendInvoice parameters', async () => {
    h.server.sim.sendText({ userId: h.alice.id, text: '/start' });
    const fail = (over: Record<string, unknown>): Promise<string> =>
      h.tg.callApi('sendInvoice', { chat_id: h.alice.id, ...invoice, ...over } as never).then(() => 'ok', (e: TelegramError) => e.description);
    expect(await fail({ payload: 'x'.repeat(129) })).toBe('Bad Request: PAYLOAD_INVALID');
    expect(await fail({ payload: '' })).toBe('Bad Request: PAYLOAD_INVALID');
    expect(await fail({ provider_token: '' })).toBe('Bad Request: PAYMENT_PROVIDER_INVALID');
    expect(await fail({ currency: 'ZZZ' })).toBe('Bad Request: CURRENCY_INVALID');
    expect(await fail({ prices: [] })).toBe('Bad Request: parameter "prices" is required');
    expect(await fail({ prices: [{ label: 'Free', amount: 0 }] })).toBe('Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID');
    expect(await fail({ payload: 'x'.repeat(128) })).toBe('ok');
    expect(h.server.sim.messages(h.alice.id).filter((m) => m.invoice)).toHaveLength(1);
  });
});
