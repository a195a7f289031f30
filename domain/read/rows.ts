/**
 * Row mapping for raw SQL results, in one place. Postgres returns bigint and numeric columns (and
 * aggregates such as SUM/COUNT) as strings through pg; these turn them into numbers once, checked,
 * so read models never hand-write `Number(r.x)`.
 */
import { kop, type Kop } from '../money';

/** A column that pg returns as a string (bigint, numeric, aggregates) or already as a number. */
export type DbNumber = string | number | bigint;

/** Thrown when a numeric column does not hold a safe integer: a schema or query bug, never user input. */
export class RowError extends Error {}

/**
 * An integer column (ids, counts, shares, prices, Telegram ids) as a number.
 * @throws RowError if it is not a safe integer.
 */
export function int(v: DbNumber): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n)) throw new RowError(`not a safe integer: ${String(v)}`);
  return n;
}

/** An integer column, or null for SQL NULL. @throws RowError as {@link int}. */
export function intOrNull(v: DbNumber | null | undefined): number | null {
  return v === null || v === undefined ? null : int(v);
}

/** A kopeck amount column (balances, volumes, SUM of postings). @throws RowError / MoneyError if not integer kopecks. */
export function kopOf(v: DbNumber | null | undefined): Kop {
  return kop(v === null || v === undefined ? 0 : int(v));
}
