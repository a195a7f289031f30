/**
 * The CSV export of a user's history (issue 11, /portfolio → History → CSV): one table of their
 * trades and ledger postings, RFC 4180 (comma separated, CRLF line ends, fields with a comma,
 * quote, CR or LF quoted and quotes doubled), UTF-8 with a BOM so spreadsheets read Cyrillic titles.
 * Column names are fixed English identifiers (a file for tools, the same in every language);
 * money is given twice: decimal roubles with 2 digits and raw kopecks; times are ISO 8601 UTC.
 */
import type { PostingEntry, TradeEntry } from '../domain/read/history';

/** The columns, in order. */
export const CSV_COLUMNS = [
  'record', 'id', 'time', 'market_id', 'market', 'intent', 'role', 'shares', 'price_kop',
  'amount_rub', 'amount_kop', 'fee_rub', 'fee_kop', 'delta_rub', 'delta_kop', 'kind', 'from_account', 'to_account', 'ref_type', 'ref_id',
] as const;

const BOM = '\uFEFF';
const CRLF = '\r\n';

/** One field per RFC 4180 §2: quoted when it holds a comma, a double quote, CR or LF; inner quotes doubled. */
export function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record: fields joined by commas (no line end). */
export function csvRecord(fields: ReadonlyArray<string | number | null | undefined>): string {
  return fields.map(csvField).join(',');
}

/** Kopecks as decimal roubles with exactly 2 digits and a dot: 123456 → "1234.56", −5 → "-0.05". */
export function rublesOf(kop: number): string {
  if (!Number.isSafeInteger(kop)) throw new RangeError(`not integer kopecks: ${kop}`);
  const abs = Math.abs(kop);
  return `${kop < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * The whole file: header, then trades and postings (each newest first, as given).
 * @returns UTF-8 bytes (BOM first).
 */
export function historyCsv(trades: readonly TradeEntry[], postings: readonly PostingEntry[]): Buffer {
  const lines = [csvRecord(CSV_COLUMNS)];
  for (const t of trades) {
    lines.push(csvRecord([
      'trade', t.fillId, t.at.toISOString(), t.marketId, t.title, t.intent, t.role, t.shares, t.price,
      rublesOf(t.amountKop), t.amountKop, rublesOf(t.feeKop), t.feeKop, '', '', '', '', '', '', '',
    ]));
  }
  for (const p of postings) {
    lines.push(csvRecord([
      'posting', p.id, p.at.toISOString(), '', '', '', '', '', '',
      rublesOf(p.amountKop), p.amountKop, '', '', rublesOf(p.deltaKop), p.deltaKop, p.kind, p.fromAccount, p.toAccount, p.refType, p.refId,
    ]));
  }
  return Buffer.from(BOM + lines.join(CRLF) + CRLF, 'utf8');
}
