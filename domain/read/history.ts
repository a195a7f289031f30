/**
 * A user's history (issue 11, /portfolio → History): their trades (fills, as maker or taker) and
 * the ledger postings of their accounts, newest first and paged, and the facts behind the daily
 * account value (domain/read/performance.ts). Days are Moscow calendar days (`yyyy-mm-dd`).
 */
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { isBuy, outcomeOf, ownPrice } from '../exchange/intent';
import type { Intent } from '../exchange/types';
import { kop, type Kop } from '../money';
import { dailyValues, maxDrawdown, performanceIndex, totalReturn, type DayValue, type Drawdown, type ShareChange } from './performance';
import { int, kopOf, type DbNumber } from './rows';

const MSK = 'Europe/Moscow';
const DAY_SQL = (col: string) => `to_char(${col} AT TIME ZONE '${MSK}', 'YYYY-MM-DD')`;

/** One fill of the user. */
export interface TradeEntry {
  fillId: number;
  at: Date;
  marketId: number;
  title: string;
  intent: Intent;
  role: 'maker' | 'taker';
  shares: number;
  /** Own price per share, kop (1..99). */
  price: number;
  /** Own price × shares, kop: paid for a buy, received for a sell. */
  amountKop: Kop;
  /** Taker fee paid (positive) or maker rebate received (negative), kop. */
  feeKop: Kop;
}

/** One posting touching the user's accounts. */
export interface PostingEntry {
  id: number;
  at: Date;
  kind: string;
  amountKop: Kop;
  fromAccount: string;
  toAccount: string;
  /** Change of the user's total money (all their accounts), kop: +amount in, −amount out, 0 between their own accounts. */
  deltaKop: Kop;
  refType: string;
  refId: number | null;
}

/** A page of entries and how many there are in all. */
export interface Page<T> {
  rows: T[];
  total: number;
}

/** Paging window: `offset` rows skipped, at most `limit` returned (newest first). */
export interface Window {
  offset: number;
  limit: number;
}

async function accountIds(m: EntityManager, userId: number): Promise<number[]> {
  const rows: { id: DbNumber }[] = await m.query(`SELECT id FROM accounts WHERE user_id = $1`, [userId]);
  return rows.map((r) => int(r.id));
}

const TRADES_SQL = `
  SELECT f.id, f.created_at, f.market_id, mk.title, o.intent, 'taker' AS role, f.price, f.qty, f.taker_fee_kop AS fee
    FROM fills f JOIN orders o ON o.id = f.taker_order_id JOIN markets mk ON mk.id = f.market_id WHERE f.taker_user_id = $1
  UNION ALL
  SELECT f.id, f.created_at, f.market_id, mk.title, o.intent, 'maker', f.price, f.qty, -f.maker_rebate_kop
    FROM fills f JOIN orders o ON o.id = f.maker_order_id JOIN markets mk ON mk.id = f.market_id WHERE f.maker_user_id = $1`;

/** The user's trades, newest first. */
export async function tradesOf(m: EntityManager, userId: number, w: Window): Promise<Page<TradeEntry>> {
  const rows: { id: DbNumber; created_at: Date; market_id: DbNumber; title: string; intent: Intent; role: 'maker' | 'taker'; price: number; qty: number; fee: DbNumber }[] =
    await m.query(`SELECT * FROM (${TRADES_SQL}) t ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`, [userId, w.limit, w.offset]);
  const [count] = await m.query(`SELECT count(*) AS n FROM (${TRADES_SQL}) t`, [userId]) as { n: DbNumber }[];
  return {
    total: int(count?.n ?? 0),
    rows: rows.map((r) => {
      const price = ownPrice(r.intent, r.price);
      return {
        fillId: int(r.id), at: r.created_at, marketId: int(r.market_id), title: r.title, intent: r.intent, role: r.role,
        shares: r.qty, price, amountKop: kop(price * r.qty), feeKop: kopOf(r.fee),
      };
    }),
  };
}

/** The postings of the user's accounts, newest first. */
export async function postingsOf(m: EntityManager, userId: number, w: Window): Promise<Page<PostingEntry>> {
  const ids = await accountIds(m, userId);
  if (ids.length === 0) return { rows: [], total: 0 };
  const rows: { id: DbNumber; created_at: Date; kind: string; amount: DbNumber; ref_type: string; ref_id: DbNumber | null; from_code: string; to_code: string; from_mine: boolean; to_mine: boolean }[] =
    await m.query(
      `SELECT p.id, p.created_at, p.kind, p.amount, p.ref_type, p.ref_id, fa.code AS from_code, ta.code AS to_code,
              p.from_account_id = ANY($1::bigint[]) AS from_mine, p.to_account_id = ANY($1::bigint[]) AS to_mine
         FROM postings p JOIN accounts fa ON fa.id = p.from_account_id JOIN accounts ta ON ta.id = p.to_account_id
        WHERE p.from_account_id = ANY($1::bigint[]) OR p.to_account_id = ANY($1::bigint[])
        ORDER BY p.id DESC LIMIT $2 OFFSET $3`, [ids, w.limit, w.offset]);
  const [count] = await m.query(
    `SELECT count(*) AS n FROM postings WHERE from_account_id = ANY($1::bigint[]) OR to_account_id = ANY($1::bigint[])`, [ids]) as { n: DbNumber }[];
  return {
    total: int(count?.n ?? 0),
    rows: rows.map((r) => {
      const amount = kopOf(r.amount);
      return {
        id: int(r.id), at: r.created_at, kind: r.kind, amountKop: amount, fromAccount: r.from_code, toAccount: r.to_code,
        deltaKop: kop(r.from_mine === r.to_mine ? 0 : r.to_mine ? amount : -amount),
        refType: r.ref_type, refId: r.ref_id === null ? null : int(r.ref_id),
      };
    }),
  };
}

/** The account's value per Moscow day, and its time-weighted return and maximum drawdown. */
export interface ValueHistory {
  values: DayValue[];
  /** Time-weighted return over the days shown (0.1 = +10 %). */
  returnRatio: number;
  /** Maximum drawdown of the performance index (0.2 = −20 % from a peak), with the days it ran. */
  drawdown: Drawdown & { peakDay: string | null; troughDay: string | null };
}

/** Days shown on the chart at most (a year); value is still carried from the start. */
export const HISTORY_MAX_DAYS = 366;

/**
 * Daily values of the user's account from their first posting to `now` (Moscow days): cash from
 * postings, positions from fills at each day's last price point (performance.ts `dailyValues`).
 * Deposits (from outside and promo accounts) and paid withdrawals are outside flows.
 */
export async function valueHistory(m: EntityManager, userId: number, now: Date = new Date()): Promise<ValueHistory> {
  const ids = await accountIds(m, userId);
  const cash: { day: string; delta: DbNumber; flow: DbNumber }[] = ids.length === 0 ? [] : await m.query(
    `SELECT ${DAY_SQL('p.created_at')} AS day,
            SUM(CASE WHEN ta.user_id = $2 THEN p.amount ELSE 0 END) - SUM(CASE WHEN fa.user_id = $2 THEN p.amount ELSE 0 END) AS delta,
            SUM(CASE WHEN ta.user_id = $2 AND fa.user_id IS DISTINCT FROM $2 AND fa.kind IN ('deposits', 'promo') THEN p.amount
                     WHEN fa.user_id = $2 AND ta.user_id IS DISTINCT FROM $2 AND ta.kind = 'withdrawals' THEN -p.amount ELSE 0 END) AS flow
       FROM postings p JOIN accounts fa ON fa.id = p.from_account_id JOIN accounts ta ON ta.id = p.to_account_id
      WHERE p.from_account_id = ANY($1::bigint[]) OR p.to_account_id = ANY($1::bigint[])
      GROUP BY 1`, [ids, userId]);
  const fills: { day: string; market_id: DbNumber; intent: Intent; qty: DbNumber; price: number }[] = await m.query(
    `SELECT ${DAY_SQL('created_at')} AS day, market_id, intent, SUM(qty) AS qty, (array_agg(price ORDER BY id DESC))[1] AS price
       FROM (${TRADES_SQL}) t GROUP BY 1, 2, 3`, [userId]);
  const marketIds = [...new Set(fills.map((f) => int(f.market_id)))];
  const marks: { market_id: DbNumber; day: string; price: number }[] = marketIds.length === 0 ? [] : await m.query(
    `SELECT DISTINCT ON (market_id, day) market_id, day, price
       FROM (SELECT market_id, ${DAY_SQL('at')} AS day, price, at FROM price_points WHERE market_id = ANY($1::bigint[])) x
      ORDER BY market_id, day, at DESC`, [marketIds]);
  const settled: { market_id: DbNumber; day: string }[] = await m.query(
    `SELECT market_id, ${DAY_SQL('min(settled_at)')} AS day FROM positions WHERE user_id = $1 AND settled_at IS NOT NULL GROUP BY market_id`, [userId]);

  const shares: ShareChange[] = fills.map((f) => ({
    day: f.day, marketId: int(f.market_id), outcome: outcomeOf(f.intent), delta: (isBuy(f.intent) ? 1 : -1) * int(f.qty), price: f.price,
  }));
  const markMap = new Map<number, Map<string, number>>();
  for (const r of marks) {
    const id = int(r.market_id);
    markMap.set(id, (markMap.get(id) ?? new Map()).set(r.day, r.price));
  }
  const firstDay = [...cash.map((c) => c.day), ...fills.map((f) => f.day)].sort()[0];
  const today = DateTime.fromJSDate(now, { zone: MSK }).toISODate() as string;
  const days: string[] = [];
  if (firstDay !== undefined) {
    for (let d = DateTime.fromISO(firstDay, { zone: MSK }); (d.toISODate() as string) <= today; d = d.plus({ days: 1 })) days.push(d.toISODate() as string);
  }
  const all = dailyValues({
    days,
    cashDelta: new Map(cash.map((c) => [c.day, int(c.delta)])),
    flow: new Map(cash.map((c) => [c.day, int(c.flow)])),
    shares, marks: markMap,
    settledOn: new Map(settled.map((s) => [int(s.market_id), s.day])),
  });
  const values = all.slice(-HISTORY_MAX_DAYS);
  const index = performanceIndex(values);
  const dd = maxDrawdown(index);
  return {
    values, returnRatio: totalReturn(index),
    drawdown: { ...dd, peakDay: values[dd.peak]?.day ?? null, troughDay: values[dd.trough]?.day ?? null },
  };
}
