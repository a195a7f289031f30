/**
 * Typed codecs for inline-button callback data.
 *
 * Bot API: `callback_data` is 1-64 bytes. Every button's data is `<prefix>[:<field>...]`, the fields
 * in a fixed order, each with its own codec; decoding validates every field, so junk, data from an
 * older keyboard layout or from another bot decodes to `undefined` (the bot then answers "this
 * button is outdated"). Button data comes from the client and can be forged (any client may send
 * any data for a message with an inline keyboard), so handlers still re-check permissions and
 * ownership; the codec only guarantees shape.
 */
import type { TimeInForce } from '../domain/exchange/types';
import { CATEGORIES } from '../domain/services/markets';
import type { NotificationTopic } from '../domain/services/notification-rules';

/** Bot API: callback_data 1-64 bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;

/** Encodes one field value to text without ':' and decodes it back, or `undefined` if invalid. */
export interface FieldCodec<T> {
  encode(value: T): string;
  decode(text: string): T | undefined;
}

/** A non-negative safe integer in decimal (ids, pages, kop, shares). */
export const uint: FieldCodec<number> = {
  encode: (v) => {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`not a non-negative integer: ${v}`);
    return String(v);
  },
  decode: (s) => {
    if (!/^(0|[1-9]\d{0,15})$/.test(s)) return undefined;
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : undefined;
  },
};

/** One of a fixed set of values, each written as a short code (so long enum names do not eat the 64 bytes). */
export function oneOf<T extends string>(codes: Readonly<Record<T, string>>): FieldCodec<T> {
  const back = new Map<string, T>(Object.entries(codes).map(([value, code]) => [code as string, value as T]));
  return {
    encode: (v) => codes[v],
    decode: (s) => back.get(s),
  };
}

/** A lowercase hex token of exactly `length` characters (draft ids). */
export function hexToken(length: number): FieldCodec<string> {
  const re = new RegExp(`^[0-9a-f]{${length}}$`);
  return {
    encode: (v) => {
      if (!re.test(v)) throw new RangeError(`not a ${length}-char hex token: ${v}`);
      return v;
    },
    decode: (s) => (re.test(s) ? s : undefined),
  };
}

// `any` here only lets codecs of different value types sit in one record; DataOf recovers each type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Fields = Record<string, FieldCodec<any>>;
type ValueOf<C> = C extends FieldCodec<infer T> ? T : never;
/** The decoded value of a codec with fields `F`. */
export type DataOf<F> = { [K in keyof F]: ValueOf<F[K]> };

/** A callback-data kind: its prefix, encoder and validating decoder. */
export interface CallbackCodec<F extends Fields> {
  readonly prefix: string;
  /** Matches data of this kind (valid or not), for `composer.action`. */
  readonly trigger: RegExp;
  /** @throws RangeError for an invalid field or a result over 64 bytes: a bug in the caller. */
  encode(values: DataOf<F>): string;
  /** The fields, or `undefined` unless the data is exactly this kind with valid fields. */
  decode(data: string | undefined): DataOf<F> | undefined;
}

/**
 * Declares a callback-data kind. `prefix` must be unique among {@link cb} (a unit test checks)
 * and free of ':'; fields are encoded in declaration order.
 */
export function callbackCodec<F extends Fields>(prefix: string, fields: F): CallbackCodec<F> {
  const names = Object.keys(fields) as (keyof F & string)[];
  return {
    prefix,
    trigger: new RegExp(`^${prefix}(?::|$)`),
    encode(values) {
      const parts = [prefix, ...names.map((n) => (fields[n] as FieldCodec<unknown>).encode(values[n]))];
      const data = parts.join(':');
      if (Buffer.byteLength(data, 'utf8') > CALLBACK_DATA_MAX_BYTES) throw new RangeError(`callback data over 64 bytes: ${data}`);
      return data;
    },
    decode(data) {
      if (data === undefined) return undefined;
      const parts = data.split(':');
      if (parts[0] !== prefix || parts.length !== names.length + 1) return undefined;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const value = (fields[names[i]] as FieldCodec<unknown>).decode(parts[i + 1]);
        if (value === undefined) return undefined;
        out[names[i]] = value;
      }
      return out as DataOf<F>;
    },
  };
}

/** A market list filter: one category or all of them. */
export type CategoryFilter = (typeof CATEGORIES)[number] | 'all';
const category = oneOf<CategoryFilter>({
  all: 'all', crypto: 'cr', sports: 'sp', weather: 'we', politics: 'po', economy: 'ec', other: 'ot',
});
const newMarketCategory = oneOf<(typeof CATEGORIES)[number]>({
  crypto: 'cr', sports: 'sp', weather: 'we', politics: 'po', economy: 'ec', other: 'ot',
});

const side = oneOf<'YES' | 'NO'>({ YES: 'y', NO: 'n' });
const resolution = oneOf<'YES' | 'NO' | 'VOID'>({ YES: 'y', NO: 'n', VOID: 'v' });
const flag = oneOf<'yes' | 'no'>({ yes: '1', no: '0' });
/** Which face of a market's photo message is shown: the card caption or the order book. */
const cardView = oneOf<'card' | 'book'>({ card: 'c', book: 'b' });
const language = oneOf<'ru' | 'en'>({ ru: 'ru', en: 'en' });
const notifyMode = oneOf<'instant' | 'hourly' | 'daily'>({ instant: 'i', hourly: 'h', daily: 'd' });
const topic = oneOf<NotificationTopic>({ fills: 'f', outcomes: 'o', alerts: 'a', triggers: 't', digests: 'd' });
const topicSwitch = oneOf<'off' | 'silent'>({ off: 'o', silent: 's' });

/** Time in force of a limit order, chosen on the order preview. */
const timeInForce = oneOf<TimeInForce>({ GTC: 'c', GTD: 'd', IOC: 'i', FOK: 'f' });
/** GTD expiry presets of the order preview: in 1 hour, at 23:59 Moscow time today, in 24 hours, in 7 days. */
export type ExpiryPreset = '1h' | 'eod' | '24h' | '7d';
const expiryPreset = oneOf<ExpiryPreset>({ '1h': 'h', eod: 'e', '24h': 'd', '7d': 'w' });
/** Where "cancel all my orders in this market" was tapped: the screen to redraw afterwards. */
const cancelAllFrom = oneOf<'portfolio' | 'card' | 'book'>({ portfolio: 'p', card: 'c', book: 'b' });

/** Draft ids: 8 random bytes in hex; they become order idempotency keys (`bet:<draftId>`). */
export const DRAFT_ID_LENGTH = 16;
const draftId = hexToken(DRAFT_ID_LENGTH);

/** Self-exclusion periods (responsible use). */
const exclusion = oneOf<'24h' | '7d' | '30d' | 'forever'>({ '24h': 'd', '7d': 'w', '30d': 'm', forever: 'f' });

/** Price alert kinds (domain/alerts/alert-rules.ts). */
const alertKind = oneOf<'above' | 'below' | 'move'>({ above: 'a', below: 'b', move: 'm' });
/** Stop-loss or take-profit (domain/alerts/trigger-rules.ts). */
const triggerKind = oneOf<'stop' | 'take'>({ stop: 's', take: 't' });

/** Every kind of button data the bot emits. */
export const cb = {
  /** Main menu. */
  home: callbackCodec('hm', {}),
  /** Help screen. */
  help: callbackCodec('hp', {}),
  /** Language picker. */
  languages: callbackCodec('lm', {}),
  /** Switch the interface language. */
  language: callbackCodec('lg', { lang: language }),
  /** Market categories (the markets root). */
  categories: callbackCodec('ct', {}),
  /** Positions, open orders, balance and fee tier. */
  portfolio: callbackCodec('pf', {}),
  /** Balance with the deposit button. */
  balance: callbackCodec('bl', {}),
  /** Page `page` (0-based) of open markets in a category. */
  list: callbackCodec('ls', { category, page: uint }),
  /** Open a market card as a new photo message. */
  market: callbackCodec('mk', { marketId: uint }),
  /** Redraw the market's photo message in place: its card or its order book. */
  view: callbackCodec('mv', { marketId: uint, view: cardView }),
  /** Send a market's whole rules (description and every clarification) as new messages. */
  rules: callbackCodec('mr', { marketId: uint }),
  /** Start a buy (YES or NO) of a market. */
  buy: callbackCodec('bt', { marketId: uint, side }),
  /** Start a sale of held YES or NO shares of a market. */
  sell: callbackCodec('sl', { marketId: uint, side }),
  /** Bet scene: a preset amount in kop. */
  amount: callbackCodec('ba', { kop: uint }),
  /** Sell scene: a share count. */
  shares: callbackCodec('sq', { shares: uint }),
  /** Order scenes: a market order with the shown slippage guard `price` (own price, 1..99). */
  marketPrice: callbackCodec('bm', { price: uint }),
  /** Order scenes: confirm the preview `draft`; the draft id is the order's idempotency key. */
  confirm: callbackCodec('bc', { draft: draftId }),
  /** Any scene: back to the previous step. */
  back: callbackCodec('bb', {}),
  /** Any scene: cancel. */
  cancel: callbackCodec('bx', {}),
  /** Cancel one open order (portfolio). */
  cancelOrder: callbackCodec('oc', { orderId: uint, marketId: uint }),
  /** Start a deposit. */
  deposit: callbackCodec('dp', {}),
  /** Deposit scene: a preset amount in kop. */
  depositAmount: callbackCodec('da', { kop: uint }),
  /** /newmarket scene: the category. */
  newMarketCategory: callbackCodec('nc', { category: newMarketCategory }),
  /** /newmarket scene: create the market of `draft`. */
  newMarketConfirm: callbackCodec('nm', { draft: draftId }),
  /** /resolve: the list of markets to resolve. */
  resolveList: callbackCodec('rl', {}),
  /** /resolve: market picked. */
  resolvePick: callbackCodec('rp', { marketId: uint }),
  /** /resolve: outcome picked (a probability is typed: `/resolve <id> <r>`). */
  resolveOutcome: callbackCodec('ro', { marketId: uint, outcome: resolution }),
  /** /resolve: how to propose a probability outcome. */
  resolveProbability: callbackCodec('rq', { marketId: uint }),
  /** /resolve: propose the proposal `draft` (kept in Redis); `early` is the explicit consent to resolve a market that is still open. */
  resolveConfirm: callbackCodec('rx', { draft: draftId, early: flag }),
  /** /resolve: a second admin backs proposal round `round`. */
  resolveApprove: callbackCodec('ra', { marketId: uint, round: uint }),
  /** /resolve: an admin keeps disputed proposal round `round`. */
  resolveUphold: callbackCodec('ru', { marketId: uint, round: uint }),
  /** /resolve: the market's audit trail. */
  resolveHistory: callbackCodec('rh', { marketId: uint }),
  /** A button that only labels (page counter): answered silently. */
  noop: callbackCodec('no', {}),
  /** A market card in a group or an inline message: quick bet of the tapper's default stake (two taps). */
  quickBet: callbackCodec('qb', { marketId: uint, side }),
  /** /settings screen. */
  settings: callbackCodec('st', {}),
  /** /settings: a preset quick-bet stake, kop. */
  settingsStake: callbackCodec('ss', { kop: uint }),
  /** /settings: type the stake instead. */
  settingsStakeTyped: callbackCodec('sk', {}),
  /** /settings: how notifications arrive. */
  settingsNotify: callbackCodec('sn', { mode: notifyMode }),
  /** /settings: interface language. */
  settingsLanguage: callbackCodec('sg', { lang: language }),
  /** /portfolio → History: page `page` (0-based) of the trades or the ledger postings (issue 11). */
  history: callbackCodec('hy', { view: oneOf<'trades' | 'ledger'>({ trades: 't', ledger: 'l' }), page: uint }),
  /** /portfolio → History: the account-value chart photo. */
  historyChart: callbackCodec('hc', {}),
  /** /portfolio → History: the CSV export (a document). */
  historyCsv: callbackCodec('hv', {}),
  /** /settings → Notifications: per-topic switches and quiet hours (issue 11). */
  settingsTopics: callbackCodec('sv', {}),
  /** /settings → Notifications: set a topic's switch (`what` off / silent) to `on`. */
  settingsTopic: callbackCodec('sx', { topic, what: topicSwitch, on: flag }),
  /** /settings → Notifications: type quiet hours. */
  settingsQuietTyped: callbackCodec('sh', {}),
  /** /settings → Notifications: no quiet hours. */
  settingsQuietOff: callbackCodec('sz', {}),
  /** /resolve in a group: the chat's markets to resolve. */
  groupResolveList: callbackCodec('gl', {}),
  /** /resolve in a group: market picked. */
  groupResolvePick: callbackCodec('gp', { marketId: uint }),
  /** /resolve in a group: outcome picked, to confirm. */
  groupResolveOutcome: callbackCodec('go', { marketId: uint, outcome: resolution }),
  /** /resolve in a group: confirmed; `early` is the explicit consent to stop a market still open. */
  groupResolveConfirm: callbackCodec('gx', { marketId: uint, outcome: resolution, early: flag }),
  /** /resolve in a group: a chat admin keeps disputed proposal round `round`. */
  groupResolveUphold: callbackCodec('gu', { marketId: uint, round: uint }),
  /** /newmarket scene: a preset liquidity budget, kop. */
  newMarketBudget: callbackCodec('nb', { kop: uint }),
  /** /newmarket scene: a preset opening price, 1..99. */
  newMarketPrice: callbackCodec('np', { price: uint }),
  /** Order preview (limit orders): the time in force. */
  orderTif: callbackCodec('ot', { tif: timeInForce }),
  /** Order preview (GTD): an expiry preset. */
  orderExpiry: callbackCodec('oe', { preset: expiryPreset }),
  /** Order preview (GTC/GTD): post-only on or off. */
  orderPostOnly: callbackCodec('op', { on: flag }),
  /** Cancel every open order of the tapping user in a market; `from` is the screen to redraw. */
  cancelAll: callbackCodec('ca', { marketId: uint, from: cancelAllFrom }),
  /** Start a withdrawal (Balance → Withdraw). */
  withdraw: callbackCodec('wd', {}),
  /** Withdraw scene: a preset amount in kop. */
  withdrawAmount: callbackCodec('wa', { kop: uint }),
  /** Withdraw scene: the payout destination kind. */
  withdrawMethod: callbackCodec('wm', { kind: oneOf<'sbp' | 'card'>({ sbp: 's', card: 'c' }) }),
  /** Withdraw scene: confirm the preview `draft`; the draft id is the request's idempotency key. */
  withdrawConfirm: callbackCodec('wc', { draft: draftId }),
  /** The owner cancels their pending request. */
  withdrawCancel: callbackCodec('wx', { id: uint }),
  /** Admin: approve a request. */
  withdrawApprove: callbackCodec('wp', { id: uint }),
  /** Admin: reject a request (the reason is typed next). */
  withdrawReject: callbackCodec('wr', { id: uint }),
  /** Admin: mark an approved request paid (the payout reference is typed next). */
  withdrawPaid: callbackCodec('wy', { id: uint }),
  /** Admin: open one request from /withdrawals. */
  withdrawOpen: callbackCodec('wo', { id: uint }),
  /** Admin: the /withdrawals list. */
  withdrawList: callbackCodec('wl', {}),
  /** /settings: the responsible-use screen. */
  responsible: callbackCodec('ur', {}),
  /** Deposit: accept terms version `version`, then go on to the deposit. */
  termsAccept: callbackCodec('ut', { version: uint }),
  /** Responsible use: type a new day or month deposit limit. */
  limitSet: callbackCodec('ul', { period: oneOf<'day' | 'month'>({ day: 'd', month: 'm' }) }),
  /** Responsible use: remove the day or month deposit limit (applies after 24 h). */
  limitNone: callbackCodec('un', { period: oneOf<'day' | 'month'>({ day: 'd', month: 'm' }) }),
  /** Responsible use: a self-exclusion period picked (asks to confirm). */
  excludePick: callbackCodec('ue', { period: exclusion }),
  /** Responsible use: self-exclusion confirmed. */
  excludeConfirm: callbackCodec('uf', { period: exclusion }),
  /** Card: add the market to the watchlist, or remove it (issue 11). */
  watch: callbackCodec('wt', { marketId: uint }),
  /** /watchlist: remove a market from it. */
  unwatch: callbackCodec('wu', { marketId: uint }),
  /** The /watchlist screen. */
  watchlist: callbackCodec('wv', {}),
  /** Card: the alert presets of a market (and typing a level). */
  alertMenu: callbackCodec('am', { marketId: uint }),
  /** Set a preset alert: `level` is a YES price (above/below) or points (move). */
  alertSet: callbackCodec('as', { marketId: uint, kind: alertKind, level: uint }),
  /** The /alerts screen. */
  alerts: callbackCodec('al', {}),
  /** /alerts: pause (`on` no) or resume (`on` yes) an alert. */
  alertPause: callbackCodec('ap', { alertId: uint, on: flag }),
  /** /alerts: delete an alert. */
  alertDelete: callbackCodec('ad', { alertId: uint }),
  /** Card / portfolio: the stop-loss / take-profit screen of a position. */
  protect: callbackCodec('pt', { marketId: uint, side }),
  /** Preview a trigger: level in the side's own price, `shares` 0 = the whole position. */
  triggerPreview: callbackCodec('tp', { marketId: uint, side, kind: triggerKind, level: uint, shares: uint }),
  /** Set the previewed trigger. */
  triggerConfirm: callbackCodec('tc', { marketId: uint, side, kind: triggerKind, level: uint, shares: uint }),
  /** /alerts: cancel a waiting trigger. */
  triggerCancel: callbackCodec('tx', { triggerId: uint }),
} as const;
