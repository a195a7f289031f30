/**
 * The payer's side of Telegram Payments (https://core.telegram.org/bots/payments#checkout):
 * the user confirms → the bot gets `pre_checkout_query` and must answer within 10 seconds →
 * only after `ok: true` does Telegram charge and send a `successful_payment` service message.
 */
import type { Message, SuccessfulPayment } from 'telegraf/types';
import { SimError, SimTimeoutError } from '../errors';
import { newChargeId, newQueryId } from '../ids';
import type { StoredMessage } from '../message-store';
import type { PayInvoiceInput, PaymentOutcome, RedeliverInput } from '../sim-types';
import type { FlowHost, PreCheckoutAnswer } from './flow-host';

/** Run a checkout. See Simulator.payInvoice. */
export async function payInvoice(sim: FlowHost, input: PayInvoiceInput): Promise<PaymentOutcome> {
  const user = sim.world.user(input.userId);
  const chat = sim.chatFor(user.id, input.chatId, input.botId);
  const invoiceMsg = findInvoice(chat.id, input.messageId, sim.store.list(chat));
  const invoice = invoiceMsg.raw as Message.InvoiceMessage;
  const bot = sim.world.bot(invoiceMsg.senderId);
  const id = newQueryId();
  chat.lastUserActionSeq = sim.store.nextSeq();
  const preCheckoutUpdateId = bot.queue.push({
    pre_checkout_query: {
      id, from: sim.world.userObject(user), currency: invoice.invoice.currency,
      total_amount: invoice.invoice.total_amount, invoice_payload: invoiceMsg.invoicePayload ?? '',
    },
  });
  const timeout = sim.opts.preCheckoutTimeoutMs;
  sim.preCheckouts.open(id, { botId: bot.id, userId: user.id, chatKey: chat.key }, timeout);
  const base = { preCheckoutQueryId: id, preCheckoutUpdateId: preCheckoutUpdateId ?? -1 };
  let answer: PreCheckoutAnswer;
  try {
    answer = await sim.preCheckouts.wait(id, timeout, true);
  } catch (e) {
    if (e instanceof SimTimeoutError) return { status: 'timeout', ...base };
    throw e;
  }
  if (!answer.ok) {
    const declined: PaymentOutcome = { status: 'declined', ...base };
    if (answer.errorMessage !== undefined) declined.errorMessage = answer.errorMessage;
    return declined;
  }
  const successful: SuccessfulPayment = {
    currency: invoice.invoice.currency,
    total_amount: invoice.invoice.total_amount,
    invoice_payload: invoiceMsg.invoicePayload ?? '',
    telegram_payment_charge_id: newChargeId(''),
    provider_payment_charge_id: newChargeId('prov_'),
  };
  const raw = { ...sim.userMessageBase(chat, user.id), successful_payment: successful } as unknown as Message;
  const stored = sim.store.add(chat, raw, { fromBot: false, senderId: user.id, paymentBotId: bot.id });
  chat.lastUserActionSeq = stored.seq;
  // The service message goes to the bot that issued the invoice, whatever its privacy mode.
  const updateId = bot.queue.push({ message: raw });
  const out: PaymentOutcome = {
    status: 'paid', ...base, chatId: chat.id, messageId: raw.message_id, successfulPayment: successful,
  };
  if (updateId !== null) out.updateId = updateId;
  return out;
}

/** Deliver a successful_payment message once more (what a retried delivery looks like to the bot). */
export function redeliverPayment(sim: FlowHost, input: RedeliverInput): { updateId: number } {
  const chat = sim.world.simChat(input.chatId, input.botId);
  const stored = sim.store.get(chat, input.messageId);
  const raw = stored?.raw as Partial<Message.SuccessfulPaymentMessage> | undefined;
  if (!stored || !raw?.successful_payment) throw new SimError(`message ${input.messageId} in chat ${chat.id} is not a successful payment`);
  const bot = sim.world.bot(stored.paymentBotId);
  const updateId = bot.queue.push({ message: structuredClone(stored.raw) });
  if (updateId === null) throw new SimError('the bot excluded message updates via allowed_updates');
  return { updateId };
}

function findInvoice(chatId: number, messageId: number | undefined, all: StoredMessage[]): StoredMessage {
  const isInvoice = (m: StoredMessage): boolean => m.fromBot && !m.deleted && 'invoice' in m.raw;
  const found = messageId === undefined ? all.filter(isInvoice).pop() : all.find((m) => m.raw.message_id === messageId);
  if (!found || !isInvoice(found)) {
    throw new SimError(messageId === undefined ? `no invoice in chat ${chatId}` : `message ${messageId} in chat ${chatId} is not an invoice`);
  }
  return found;
}
