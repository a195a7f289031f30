/**
 * What a committed matching batch means for price alerts and stop-loss / take-profit triggers
 * (issue 11). Called by matching.ts INSIDE the batch's transaction, after the batch is written,
 * with the YES price it committed: the alert states and fired events, and the triggers fired, are
 * written in the same transaction, so a batch that rolls back (and is retried) fires nothing, and a
 * batch re-run after its commit moves no price (its orders are known by key) and so fires nothing
 * again. Delivery happens after commit (workers/price-watch.ts).
 *
 * Cost: nothing when the batch moved no price; else one statement for the alerts whose state
 * changes (index price_alerts_eval_idx) and one for the triggers reached (price_triggers_eval_idx),
 * plus the writes for those that changed.
 */
import type { EntityManager } from 'typeorm';
import { stepAlert, type AlertKind } from '../alerts/alert-rules';
import { sellShares, type Side, type TriggerKind } from '../alerts/trigger-rules';
import type { CommandResult, MatchingCommand, PlaceOrderCommand } from './commands';

/** A fired alert crossing, to tell its owner about (dedupe key `alert-<alertId>-<seq>`). */
export interface AlertFire {
  fireId: number;
  alertId: number;
  seq: number;
  userId: number;
  marketId: number;
  kind: AlertKind;
  level: number;
  /** The committed YES price that fired it. */
  price: number;
  /** For `move`: the YES price 24 h before. */
  refPrice: number | null;
}

/** A trigger whose sell has been applied: what filled (dedupe key `trigger-<id>`). */
export interface TriggerDone {
  triggerId: number;
  userId: number;
  marketId: number;
  side: Side;
  kind: TriggerKind;
  level: number;
  /** Shares asked to sell and shares sold. */
  asked: number;
  filled: number;
  /** Received for the filled shares before fees, and the fee, kop. */
  proceedsKop: number;
  feeKop: number;
  /** Why nothing (or not all) was sold, when the sell failed outright. */
  code: string | null;
}

/** After-commit work of a batch: notifications and the trigger sells to queue (key `trigger:<id>`). */
export interface WatchOutcome {
  fires: AlertFire[];
  sells: PlaceOrderCommand[];
  done: TriggerDone[];
}

export const NO_WATCH: WatchOutcome = Object.freeze({ fires: [], sells: [], done: [] }) as WatchOutcome;

/** Both outcomes of batches run one after another (matching.ts retries a failed batch command by command). */
export function mergeWatch(a: WatchOutcome, b: WatchOutcome): WatchOutcome {
  if (a === NO_WATCH) return b;
  if (b === NO_WATCH) return a;
  return { fires: [...a.fires, ...b.fires], sells: [...a.sells, ...b.sells], done: [...a.done, ...b.done] };
}

/** The idempotency key of a trigger's sell command. */
export function triggerKey(triggerId: number): string {
  return `trigger:${triggerId}`;
}

const TRIGGER_KEY = /^trigger:(\d+)$/;

/** What the batch did that matters here. */
export interface BatchFacts {
  marketId: number;
  cmds: readonly MatchingCommand[];
  results: readonly CommandResult[];
  /** The YES price the batch committed (last fill), or null when nothing traded. */
  price: number | null;
  /** The batch closed the market. */
  closing: boolean;
  now: number;
}

/** Runs the hook for one batch (see the module comment). Must run in the batch's transaction. */
export async function watchBatch(m: EntityManager, f: BatchFacts): Promise<WatchOutcome> {
  const done = await finishTriggerSells(m, f);
  if (f.closing) {
    await m.query(`UPDATE price_triggers SET status = 'cancelled', cancel_reason = 'market_closed'
                    WHERE market_id = $1 AND status IN ('armed', 'fired')`, [f.marketId]);
    return { fires: [], sells: [], done };
  }
  if (f.price === null) return done.length ? { fires: [], sells: [], done } : NO_WATCH;
  const fires = await evaluateAlerts(m, f.marketId, f.price, f.now);
  const sells = await fireTriggers(m, f.marketId, f.price, f.now);
  return { fires, sells, done };
}

/**
 * The alerts of a market whose state changes at `price`, with the 24 h reference price, in one
 * statement: one tight index range per (kind, armed) — armed ones at or past their level, disarmed
 * ones back past it by a point. The pure rule then decides each.
 */
async function evaluateAlerts(m: EntityManager, marketId: number, price: number, now: number): Promise<AlertFire[]> {
  const rows: { id: string; user_id: string; kind: AlertKind; level: number; armed: boolean; ref: number | null }[] = await m.query(
    `WITH ref AS (
       SELECT COALESCE(
         (SELECT price FROM price_points WHERE market_id = $1 AND at <= to_timestamp($3 / 1000.0) - interval '24 hours' ORDER BY at DESC LIMIT 1),
         (SELECT price FROM price_points WHERE market_id = $1 ORDER BY at LIMIT 1)) AS p)
     SELECT a.id, a.user_id, a.kind, a.level, a.armed, (SELECT p FROM ref) AS ref FROM price_alerts a
      WHERE a.market_id = $1 AND NOT a.paused AND (
        (a.kind = 'above' AND a.armed AND a.level <= $2) OR (a.kind = 'above' AND NOT a.armed AND a.level >= $2 + 1)
        OR (a.kind = 'below' AND a.armed AND a.level >= $2) OR (a.kind = 'below' AND NOT a.armed AND a.level <= $2 - 1)
        OR (a.kind = 'move' AND a.armed AND a.level <= abs($2 - (SELECT p FROM ref))) OR (a.kind = 'move' AND NOT a.armed AND a.level >= abs($2 - (SELECT p FROM ref)) + 1))`,
    [marketId, price, now]);
  if (rows.length === 0) return [];
  const ids: number[] = [];
  const armed: boolean[] = [];
  const fired: boolean[] = [];
  for (const r of rows) {
    const next = stepAlert({ kind: r.kind, level: r.level, armed: r.armed }, price, r.ref);
    if (next.armed === r.armed && !next.fired) continue;
    ids.push(Number(r.id));
    armed.push(next.armed);
    fired.push(next.fired);
  }
  if (ids.length === 0) return [];
  const ref = rows[0]!.ref;
  // Locks the alerts that still exist (one deleted meanwhile is simply skipped), then records the
  // fired crossings; (alert_id, seq) is the fired event's key.
  const [changed]: [{ id: string; user_id: string; kind: AlertKind; level: number; fired_count: number; fired: boolean }[]] = await m.query(
    `UPDATE price_alerts a SET armed = d.armed, fired_count = a.fired_count + CASE WHEN d.fired THEN 1 ELSE 0 END,
            last_fired_at = CASE WHEN d.fired THEN to_timestamp($4 / 1000.0) ELSE a.last_fired_at END
       FROM unnest($1::bigint[], $2::bool[], $3::bool[]) AS d(id, armed, fired)
      WHERE a.id = d.id AND NOT a.paused
      RETURNING a.id, a.user_id, a.kind, a.level, a.fired_count, d.fired`, [ids, armed, fired, now]);
  const hits = changed.filter((c) => c.fired);
  if (hits.length === 0) return [];
  const inserted: { id: string; alert_id: string; seq: number }[] = await m.query(
    `INSERT INTO alert_fires (alert_id, seq, user_id, market_id, kind, level, price, ref_price, fired_at)
     SELECT f.alert_id, f.seq, f.user_id, $1, f.kind, f.level, $2, $3, to_timestamp($4 / 1000.0)
       FROM unnest($5::bigint[], $6::int[], $7::bigint[], $8::text[], $9::smallint[]) AS f(alert_id, seq, user_id, kind, level)
     ON CONFLICT (alert_id, seq) DO NOTHING RETURNING id, alert_id, seq`,
    [marketId, price, hits.some((h) => h.kind === 'move') ? ref : null, now,
      hits.map((h) => Number(h.id)), hits.map((h) => h.fired_count), hits.map((h) => Number(h.user_id)), hits.map((h) => h.kind), hits.map((h) => h.level)]);
  const byAlert = new Map(hits.map((h) => [Number(h.id), h]));
  return inserted.map((r) => {
    const h = byAlert.get(Number(r.alert_id))!;
    return {
      fireId: Number(r.id), alertId: Number(r.alert_id), seq: r.seq, userId: Number(h.user_id), marketId,
      kind: h.kind, level: h.level, price, refPrice: h.kind === 'move' ? ref : null,
    };
  });
}

/**
 * Fires the armed triggers the committed price reached (gap or not): each sells min(its shares,
 * the shares the user holds free now); one with nothing to sell is cancelled. The sells are
 * returned as place commands (market sell, IOC, worst price of the trigger) for the market's queue.
 */
async function fireTriggers(m: EntityManager, marketId: number, price: number, now: number): Promise<PlaceOrderCommand[]> {
  const rows: { id: string; user_id: string; side: Side; shares: number | null; worst_price: number; free: number | null }[] = await m.query(
    `SELECT t.id, t.user_id, t.side, t.shares, t.worst_price, p.shares - p.reserved AS free
       FROM price_triggers t
       LEFT JOIN positions p ON p.user_id = t.user_id AND p.market_id = t.market_id AND p.outcome = t.side
      WHERE t.market_id = $1 AND t.status = 'armed'
        AND ((t.direction = 'below' AND t.yes_level >= $2) OR (t.direction = 'above' AND t.yes_level <= $2))
      ORDER BY t.id FOR UPDATE OF t`, [marketId, price]);
  if (rows.length === 0) return [];
  // Two triggers of one position reached at once share its free shares (first set, first served).
  const left = new Map<string, number>();
  const ids: number[] = [];
  const qty: number[] = [];
  const sells: PlaceOrderCommand[] = [];
  for (const r of rows) {
    const key = `${r.user_id}:${r.side}`;
    const free = left.get(key) ?? Math.max(0, r.free ?? 0);
    const n = sellShares(r.shares, free);
    left.set(key, free - n);
    ids.push(Number(r.id));
    qty.push(n);
    if (n > 0) {
      sells.push({
        type: 'place', idempotencyKey: triggerKey(Number(r.id)), marketId, userId: Number(r.user_id),
        intent: r.side === 'YES' ? 'SELL_YES' : 'SELL_NO', kind: 'market', price: r.worst_price, qty: n, tif: 'IOC',
      });
    }
  }
  await m.query(
    `UPDATE price_triggers t SET status = CASE WHEN d.qty > 0 THEN 'fired' ELSE 'cancelled' END,
            cancel_reason = CASE WHEN d.qty > 0 THEN NULL ELSE 'no_position' END,
            sell_shares = d.qty, fired_price = $2, fired_at = to_timestamp($3 / 1000.0)
       FROM unnest($1::bigint[], $4::int[]) AS d(id, qty) WHERE t.id = d.id`, [ids, price, now, qty]);
  return sells;
}

/** Records the outcome of the trigger sells applied in this batch (their commands carry `trigger:<id>`). */
async function finishTriggerSells(m: EntityManager, f: BatchFacts): Promise<TriggerDone[]> {
  const ids: number[] = [];
  const filled: number[] = [];
  const proceeds: number[] = [];
  const fees: number[] = [];
  const codes: (string | null)[] = [];
  f.cmds.forEach((c, i) => {
    const hit = c.type === 'place' ? TRIGGER_KEY.exec(c.idempotencyKey) : null;
    const r = f.results[i];
    if (!hit || !r) return;
    ids.push(Number(hit[1]));
    const o = r.ok ? r.outcome : undefined;
    filled.push(o?.filled ?? 0);
    proceeds.push(o?.costKop ?? 0);
    fees.push(o?.feeKop ?? 0);
    codes.push(r.ok ? null : r.code);
  });
  if (ids.length === 0) return [];
  const [rows]: [{ id: string; user_id: string; side: Side; kind: TriggerKind; level: number; sell_shares: number; filled_shares: number; proceeds_kop: string; fee: string; cancel_reason: string | null }[]] = await m.query(
    `UPDATE price_triggers t SET status = 'done', filled_shares = d.filled, proceeds_kop = d.proceeds, fee_kop = d.fee, cancel_reason = d.code
       FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::bigint[], $5::text[]) AS d(id, filled, proceeds, fee, code)
      WHERE t.id = d.id AND t.status = 'fired'
      RETURNING t.id, t.user_id, t.side, t.kind, t.level, t.sell_shares, t.filled_shares, t.proceeds_kop, t.fee_kop AS fee, t.cancel_reason`,
    [ids, filled, proceeds, fees, codes]);
  return rows.map((r) => doneOf(r, f.marketId));
}

function doneOf(r: { id: string; user_id: string; market_id?: string; side: Side; kind: TriggerKind; level: number; sell_shares: number; filled_shares: number; proceeds_kop: string; fee: string | null; cancel_reason: string | null }, marketId?: number): TriggerDone {
  return {
    triggerId: Number(r.id), userId: Number(r.user_id), marketId: marketId ?? Number(r.market_id ?? 0), side: r.side, kind: r.kind, level: r.level,
    asked: r.sell_shares ?? 0, filled: r.filled_shares ?? 0, proceedsKop: Number(r.proceeds_kop ?? 0), feeKop: Number(r.fee ?? 0), code: r.cancel_reason,
  };
}

/** Fired alerts not yet handed to the notifications pipeline (a crash between commit and delivery). */
export async function undeliveredFires(m: EntityManager, limit = 500): Promise<AlertFire[]> {
  const rows: { id: string; alert_id: string; seq: number; user_id: string; market_id: string; kind: AlertKind; level: number; price: number; ref_price: number | null }[] =
    await m.query(`SELECT id, alert_id, seq, user_id, market_id, kind, level, price, ref_price FROM alert_fires
                    WHERE delivered_at IS NULL ORDER BY id LIMIT $1`, [limit]);
  return rows.map((r) => ({
    fireId: Number(r.id), alertId: Number(r.alert_id), seq: r.seq, userId: Number(r.user_id), marketId: Number(r.market_id),
    kind: r.kind, level: r.level, price: r.price, refPrice: r.ref_price,
  }));
}

/** Marks fired alerts delivered (their notifications are queued; the pipeline dedupes a repeat). */
export async function markFiresDelivered(m: EntityManager, fireIds: readonly number[]): Promise<void> {
  if (fireIds.length === 0) return;
  await m.query(`UPDATE alert_fires SET delivered_at = now() WHERE id = ANY($1::bigint[]) AND delivered_at IS NULL`, [fireIds]);
}

/** Marks finished triggers told (their notifications are queued). */
export async function markTriggersNotified(m: EntityManager, triggerIds: readonly number[]): Promise<void> {
  if (triggerIds.length === 0) return;
  await m.query(`UPDATE price_triggers SET notified_at = now() WHERE id = ANY($1::bigint[]) AND notified_at IS NULL`, [triggerIds]);
}

/**
 * Triggers left half-way by a crash: fired ones whose sell may not be queued (queued again: the
 * job id and the order key `trigger:<id>` make that harmless), and finished ones not yet told.
 */
export async function pendingTriggers(m: EntityManager, limit = 500): Promise<{ sells: PlaceOrderCommand[]; done: TriggerDone[] }> {
  const rows: { id: string; user_id: string; market_id: string; side: Side; kind: TriggerKind; level: number; status: string; worst_price: number; sell_shares: number; filled_shares: number; proceeds_kop: string; fee: string | null; cancel_reason: string | null }[] =
    await m.query(`SELECT id, user_id, market_id, side, kind, level, status, worst_price, sell_shares, filled_shares, proceeds_kop, fee_kop AS fee, cancel_reason
                     FROM price_triggers WHERE status = 'fired' OR (status = 'done' AND notified_at IS NULL) ORDER BY id LIMIT $1`, [limit]);
  const sells: PlaceOrderCommand[] = [];
  const done: TriggerDone[] = [];
  for (const r of rows) {
    if (r.status === 'fired') {
      sells.push({
        type: 'place', idempotencyKey: triggerKey(Number(r.id)), marketId: Number(r.market_id), userId: Number(r.user_id),
        intent: r.side === 'YES' ? 'SELL_YES' : 'SELL_NO', kind: 'market', price: r.worst_price, qty: r.sell_shares, tif: 'IOC',
      });
    } else {
      done.push(doneOf(r));
    }
  }
  return { sells, done };
}
