/**
 * `SimClient`: the simulator's verbs over HTTP (`/_sim/*`), for processes that do not host the
 * server (the demo). Same interface as the in-process `Simulator` (`SimDriver`); every call returns
 * a promise. Errors: SimError (400), SimTimeoutError (408), Error for anything else.
 */
import type { Update } from 'telegraf/types';
import { SimError, SimTimeoutError } from './errors';
import type {
  ActionResult, ApiCallFilter, ApiCallRecord, BlockInput, BotInfo, CallbackAnswer, ChooseInlineInput, ChosenResult,
  CreateChannelInput, CreateGroupInput, CreateUserInput, InlineAnswer, InlineQueryInput, InlineQueryResultRef,
  MessageMatch, PayInvoiceInput, PaymentOutcome, PressButtonInput, PressResult, RateLimitReport, RedeliverInput,
  SendTextInput, SimChatInfo, SimDriver, SimMessage, SimUser, WaitOptions,
} from './sim-types';

/** HTTP client of the `/_sim` control API. `baseUrl` is the server URL (e.g. http://127.0.0.1:8081). */
export class SimClient implements SimDriver {
  constructor(private readonly baseUrl: string) {}

  createBot(input: { username: string; first_name?: string; token?: string }): Promise<BotInfo> {
    return this.post('bots', input);
  }

  createUser(input: CreateUserInput): Promise<SimUser> {
    return this.post('users', input);
  }

  createGroup(input: CreateGroupInput): Promise<SimChatInfo> {
    return this.post('groups', input);
  }

  createChannel(input: CreateChannelInput): Promise<SimChatInfo> {
    return this.post('channels', input);
  }

  sendText(input: SendTextInput): Promise<ActionResult> {
    return this.post('send-text', input);
  }

  pressButton(input: PressButtonInput): Promise<PressResult> {
    return this.post('press-button', input);
  }

  waitForCallbackAnswer(callbackQueryId: string, timeoutMs?: number): Promise<CallbackAnswer> {
    return this.post('callback-answer', { callbackQueryId, timeoutMs });
  }

  payInvoice(input: PayInvoiceInput): Promise<PaymentOutcome> {
    return this.post('pay-invoice', input);
  }

  redeliverPayment(input: RedeliverInput): Promise<{ updateId: number }> {
    return this.post('redeliver-payment', input);
  }

  inlineQuery(input: InlineQueryInput): Promise<InlineQueryResultRef> {
    return this.post('inline-query', input);
  }

  waitForInlineAnswer(inlineQueryId: string, timeoutMs?: number): Promise<InlineAnswer> {
    return this.post('inline-answer', { inlineQueryId, timeoutMs });
  }

  chooseInlineResult(input: ChooseInlineInput): Promise<ChosenResult> {
    return this.post('choose-inline-result', input);
  }

  blockBot(input: BlockInput): Promise<{ updateId: number | null }> {
    return this.post('block-bot', input);
  }

  unblockBot(input: BlockInput): Promise<{ updateId: number | null }> {
    return this.post('unblock-bot', input);
  }

  messages(chatId: number, opts: { botId?: number } = {}): Promise<SimMessage[]> {
    return this.get(`chats/${chatId}/messages`, opts);
  }

  async lastBotMessage(chatId: number, opts: { botId?: number } = {}): Promise<SimMessage | undefined> {
    return (await this.get<SimMessage | null>(`chats/${chatId}/last-bot-message`, opts)) ?? undefined;
  }

  /** Over HTTP only declarative matchers are possible (no functions). */
  waitForBotMessage(chatId: number, match: MessageMatch, timeoutMs?: number, opts: WaitOptions = {}): Promise<SimMessage> {
    return this.post('wait-bot-message', { chatId, match, timeoutMs, ...opts });
  }

  updates(botId?: number): Promise<Update[]> {
    return this.get('updates', { botId });
  }

  apiCalls(filter: ApiCallFilter = {}): Promise<ApiCallRecord[]> {
    return this.get('api-calls', filter);
  }

  rateLimits(): Promise<RateLimitReport> {
    return this.get('rate-limits', {});
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    return this.handle<T>(await fetch(`${this.baseUrl}/_sim/${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    }));
  }

  private async get<T>(path: string, query: object): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const suffix = qs.size ? `?${qs.toString()}` : '';
    return this.handle<T>(await fetch(`${this.baseUrl}/_sim/${path}${suffix}`));
  }

  private async handle<T>(res: Response): Promise<T> {
    const body = (await res.json()) as unknown;
    if (res.ok) return body as T;
    const message = (body as { error?: string }).error ?? `HTTP ${res.status}`;
    if (res.status === 408) throw new SimTimeoutError(message);
    if (res.status === 400) throw new SimError(message);
    throw new Error(message);
  }
}
