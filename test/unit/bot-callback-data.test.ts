import { CALLBACK_DATA_MAX_BYTES, callbackCodec, cb, hexToken, oneOf, uint } from '../../messages/callback-data';

const DRAFT = '0123456789abcdef';

/** One valid value per codec, with every numeric field at its largest, so the 64-byte bound is tested at the extreme. */
const SAMPLES: { [K in keyof typeof cb]: Parameters<(typeof cb)[K]['encode']>[0] } = {
  home: {}, help: {}, languages: {}, language: { lang: 'en' }, categories: {}, portfolio: {}, balance: {},
  list: { category: 'politics', page: Number.MAX_SAFE_INTEGER },
  market: { marketId: Number.MAX_SAFE_INTEGER },
  view: { marketId: Number.MAX_SAFE_INTEGER, view: 'book' },
  rules: { marketId: Number.MAX_SAFE_INTEGER },
  buy: { marketId: Number.MAX_SAFE_INTEGER, side: 'NO' },
  sell: { marketId: Number.MAX_SAFE_INTEGER, side: 'YES' },
  amount: { kop: Number.MAX_SAFE_INTEGER },
  shares: { shares: Number.MAX_SAFE_INTEGER },
  marketPrice: { price: 99 },
  confirm: { draft: DRAFT },
  back: {}, cancel: {},
  cancelOrder: { orderId: Number.MAX_SAFE_INTEGER, marketId: Number.MAX_SAFE_INTEGER },
  deposit: {}, depositAmount: { kop: 100_000 },
  newMarketCategory: { category: 'weather' },
  newMarketConfirm: { draft: DRAFT },
  resolveList: {},
  resolvePick: { marketId: Number.MAX_SAFE_INTEGER },
  resolveOutcome: { marketId: 7, outcome: 'VOID' },
  resolveProbability: { marketId: Number.MAX_SAFE_INTEGER },
  resolveConfirm: { draft: DRAFT, early: 'yes' },
  resolveApprove: { marketId: Number.MAX_SAFE_INTEGER, round: Number.MAX_SAFE_INTEGER },
  resolveUphold: { marketId: Number.MAX_SAFE_INTEGER, round: 3 },
  resolveHistory: { marketId: 12 },
  noop: {},
  quickBet: { marketId: Number.MAX_SAFE_INTEGER, side: 'NO' },
  settings: {},
  settingsStake: { kop: Number.MAX_SAFE_INTEGER },
  settingsStakeTyped: {},
  settingsNotify: { mode: 'daily' },
  settingsLanguage: { lang: 'ru' },
  settingsTopics: {},
  history: { view: 'ledger', page: 12 },
  historyChart: {},
  historyCsv: {},
  settingsTopic: { topic: 'triggers', what: 'silent', on: 'yes' },
  settingsQuietTyped: {},
  settingsQuietOff: {},
  groupResolveList: {},
  groupResolvePick: { marketId: Number.MAX_SAFE_INTEGER },
  groupResolveOutcome: { marketId: Number.MAX_SAFE_INTEGER, outcome: 'NO' },
  groupResolveConfirm: { marketId: Number.MAX_SAFE_INTEGER, outcome: 'VOID', early: 'yes' },
  groupResolveUphold: { marketId: Number.MAX_SAFE_INTEGER, round: Number.MAX_SAFE_INTEGER },
  newMarketBudget: { kop: Number.MAX_SAFE_INTEGER }, newMarketPrice: { price: 99 },
  orderTif: { tif: 'FOK' },
  orderExpiry: { preset: '24h' },
  orderPostOnly: { on: 'yes' },
  cancelAll: { marketId: Number.MAX_SAFE_INTEGER, from: 'book' },
  withdraw: {}, withdrawAmount: { kop: Number.MAX_SAFE_INTEGER }, withdrawMethod: { kind: 'card' }, withdrawConfirm: { draft: DRAFT },
  withdrawCancel: { id: Number.MAX_SAFE_INTEGER }, withdrawApprove: { id: Number.MAX_SAFE_INTEGER }, withdrawReject: { id: Number.MAX_SAFE_INTEGER }, withdrawPaid: { id: Number.MAX_SAFE_INTEGER },
  withdrawOpen: { id: Number.MAX_SAFE_INTEGER }, withdrawList: {}, responsible: {}, termsAccept: { version: Number.MAX_SAFE_INTEGER },
  limitSet: { period: 'month' }, limitNone: { period: 'day' }, excludePick: { period: 'forever' }, excludeConfirm: { period: '30d' },
  watch: { marketId: Number.MAX_SAFE_INTEGER }, unwatch: { marketId: Number.MAX_SAFE_INTEGER }, watchlist: {},
  alertMenu: { marketId: Number.MAX_SAFE_INTEGER }, alertSet: { marketId: Number.MAX_SAFE_INTEGER, kind: 'move', level: 99 }, alerts: {},
  alertPause: { alertId: Number.MAX_SAFE_INTEGER, on: 'yes' }, alertDelete: { alertId: Number.MAX_SAFE_INTEGER },
  protect: { marketId: Number.MAX_SAFE_INTEGER, side: 'NO' },
  triggerPreview: { marketId: Number.MAX_SAFE_INTEGER, side: 'NO', kind: 'take', level: 99, shares: Number.MAX_SAFE_INTEGER },
  triggerConfirm: { marketId: Number.MAX_SAFE_INTEGER, side: 'YES', kind: 'stop', level: 99, shares: Number.MAX_SAFE_INTEGER },
  triggerCancel: { triggerId: Number.MAX_SAFE_INTEGER },
};

describe('callback data codecs', () => {
  it.each(Object.keys(cb) as (keyof typeof cb)[])('%s round-trips within 64 bytes (Bot API limit)', (name) => {
    const codec = cb[name] as { encode(v: unknown): string; decode(d: string): unknown; trigger: RegExp };
    const data = codec.encode(SAMPLES[name]);
    expect(Buffer.byteLength(data, 'utf8')).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    expect(codec.trigger.test(data)).toBe(true);
    expect(codec.decode(data)).toEqual(SAMPLES[name]);
  });

  it('gives every kind its own prefix, and no prefix matches another kind\'s data', () => {
    const prefixes = Object.values(cb).map((c) => c.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const [name, codec] of Object.entries(cb)) {
      const data = (codec as { encode(v: unknown): string }).encode(SAMPLES[name as keyof typeof cb]);
      const claimants = Object.values(cb).filter((c) => c.trigger.test(data));
      expect(claimants).toEqual([codec]);
    }
  });

  it.each([
    ['empty', ''],
    ['another bot\'s data', 'buy_yes_42'],
    ['prefix only', 'mk'],
    ['non-numeric id', 'mk:abc'],
    ['negative id', 'mk:-1'],
    ['leading zero', 'mk:007'],
    ['float', 'mk:1.5'],
    ['beyond safe integers', 'mk:99999999999999999'],
    ['extra field', 'mk:1:2'],
    ['missing field', 'mv:1'],
    ['unknown enum code', 'mv:1:x'],
    ['upper-case draft id', `bc:${DRAFT.toUpperCase()}`],
    ['short draft id', 'bc:abc'],
    ['unknown category', 'ls:casino:0'],
  ])('rejects %s', (_label, data) => {
    for (const codec of Object.values(cb)) expect((codec as { decode(d: string): unknown }).decode(data)).toBeUndefined();
  });

  it('rejects undefined (a callback query without data, e.g. a game button)', () => {
    expect(cb.market.decode(undefined)).toBeUndefined();
  });

  it('refuses to encode values it could not decode', () => {
    expect(() => cb.market.encode({ marketId: -1 })).toThrow(RangeError);
    expect(() => cb.market.encode({ marketId: 1.5 })).toThrow(RangeError);
    expect(() => cb.confirm.encode({ draft: 'not-hex' })).toThrow(RangeError);
  });

  it('refuses to encode more than 64 bytes', () => {
    const wide = callbackCodec('w', { a: uint, b: uint, c: uint, d: uint });
    const max = Number.MAX_SAFE_INTEGER;
    expect(() => wide.encode({ a: max, b: max, c: max, d: max })).toThrow(/64 bytes/);
  });

  it('field codecs validate on their own', () => {
    expect(uint.decode('0')).toBe(0);
    expect(uint.decode('')).toBeUndefined();
    expect(oneOf({ a: 'x' }).decode('a')).toBeUndefined();
    expect(hexToken(4).decode('beef')).toBe('beef');
    expect(hexToken(4).decode('beefs')).toBeUndefined();
  });
});
