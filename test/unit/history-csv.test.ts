/** issue 11: the history CSV — RFC 4180 quoting, money as roubles and kop, ISO times (messages/history-csv.ts). */
import fc from 'fast-check';
import { kop } from '../../domain/money';
import { CSV_COLUMNS, csvField, historyCsv, rublesOf } from '../../messages/history-csv';
import { parseCsv } from '../helpers/csv';


describe('csvField', () => {
  it('quotes only fields with a comma, a quote, CR or LF, doubling inner quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "да"')).toBe('"say ""да"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(null)).toBe('');
    expect(csvField(-42)).toBe('-42');
  });
  it('property: any text reads back the same', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', 'ё', ' ') }), { minLength: 1, maxLength: 5 }), (fields) => {
      expect(parseCsv(`${fields.map(csvField).join(',')}\r\n`)).toEqual([fields]);
    }));
  });
});

test('rublesOf: two digits, a dot, the sign in front', () => {
  expect([0, 5, 100, 123456, -5, -100050].map(rublesOf)).toEqual(['0.00', '0.05', '1.00', '1234.56', '-0.05', '-1000.50']);
  expect(() => rublesOf(1.5)).toThrow(RangeError);
});

test('historyCsv: BOM, header, a trade and a posting row with roubles, kop and ISO times', () => {
  const at = new Date('2026-03-10T09:30:00.000Z');
  const buf = historyCsv(
    [{ fillId: 7, at, marketId: 3, title: 'Дождь, "завтра"?', intent: 'BUY_YES', role: 'maker', shares: 10, price: 60, amountKop: kop(600), feeKop: kop(-1) }],
    [{ id: 9, at, kind: 'deposit', amountKop: kop(100_000), fromAccount: 'external:telegram:deposits', toAccount: 'user:1:available', deltaKop: kop(100_000), refType: 'payment', refId: 4 }],
  );
  const text = buf.toString('utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  const rows = parseCsv(text.slice(1));
  expect(rows[0]).toEqual([...CSV_COLUMNS]);
  const rec = (r: string[]) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]]));
  expect(rec(rows[1]!)).toMatchObject({ record: 'trade', id: '7', time: '2026-03-10T09:30:00.000Z', market: 'Дождь, "завтра"?', amount_rub: '6.00', amount_kop: '600', fee_rub: '-0.01', fee_kop: '-1' });
  expect(rec(rows[2]!)).toMatchObject({ record: 'posting', id: '9', amount_rub: '1000.00', amount_kop: '100000', delta_kop: '100000', kind: 'deposit', to_account: 'user:1:available', ref_id: '4' });
  expect(rows).toHaveLength(3);
});
