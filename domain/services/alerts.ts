/**
 * Setting, pausing and deleting price alerts (issue 11). The state machine is
 * domain/alerts/alert-rules.ts; alerts fire inside matching batches (price-watch.ts).
 */
import type { DataSource, EntityManager } from 'typeorm';
import { initialArmed, type AlertKind } from '../alerts/alert-rules';
import { prices24hAgo } from '../read/watchlist';
import { quote } from '../read/quotes';
import { fail, type Result } from './result';

/** A new alert: above/below a YES price 1..99, or a 24 h move of 1..99 points. */
export interface NewAlert {
  userId: number;
  marketId: number;
  kind: AlertKind;
  level: number;
  /** ALERTS_PER_USER: the most alerts one user may have (paused ones count). */
  max: number;
}

/** The arming state at the market's current price (and its 24 h reference for moves). */
async function armedNow(m: EntityManager, marketId: number, kind: AlertKind, level: number): Promise<boolean> {
  const price = (await quote(m, marketId)).yesPrice;
  const ref = kind === 'move' ? (await prices24hAgo(m, [marketId])).get(marketId) ?? null : null;
  return initialArmed({ kind, level }, price, ref);
}

/**
 * Creates an alert, armed unless the price is already at or past its level (then it first has to
 * come back by a point). Failures: alert_level_invalid (level outside 1..99), market_not_found,
 * market_closed (not open), alert_limit {max} (the user already has `max` alerts).
 */
export async function createAlert(ds: DataSource, a: NewAlert): Promise<Result<{ alertId: number }>> {
  if (!Number.isInteger(a.level) || a.level < 1 || a.level > 99) return fail('alert_level_invalid');
  return ds.transaction(async (m) => {
    // The user row lock makes the count and the insert one step (two taps at once cannot pass the limit).
    await m.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [a.userId]);
    const [mk] = await m.query(`SELECT status FROM markets WHERE id = $1`, [a.marketId]);
    if (!mk) return fail('market_not_found');
    if (mk.status !== 'open') return fail('market_closed');
    const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM price_alerts WHERE user_id = $1`, [a.userId]);
    if (n >= a.max) return fail('alert_limit', { max: a.max });
    const armed = await armedNow(m, a.marketId, a.kind, a.level);
    const [row] = await m.query(
      `INSERT INTO price_alerts (user_id, market_id, kind, level, armed) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [a.userId, a.marketId, a.kind, a.level, armed]);
    return { ok: true, alertId: Number(row.id) };
  });
}

/**
 * Pauses or resumes one of the user's alerts; a resumed alert starts armed unless the price is
 * already past its level. Failure: alert_not_found (not theirs or gone).
 */
export async function setAlertPaused(m: EntityManager, userId: number, alertId: number, paused: boolean): Promise<Result<object>> {
  const [a] = await m.query(`SELECT market_id, kind, level FROM price_alerts WHERE id = $1 AND user_id = $2`, [alertId, userId]);
  if (!a) return fail('alert_not_found');
  const armed = paused ? false : await armedNow(m, Number(a.market_id), a.kind, a.level);
  await m.query(`UPDATE price_alerts SET paused = $3, armed = $4 WHERE id = $1 AND user_id = $2`, [alertId, userId, paused, armed]);
  return { ok: true };
}

/** Deletes one of the user's alerts. Failure: alert_not_found. */
export async function deleteAlert(m: EntityManager, userId: number, alertId: number): Promise<Result<object>> {
  const rows: unknown[] = await m.query(`DELETE FROM price_alerts WHERE id = $1 AND user_id = $2 RETURNING id`, [alertId, userId]);
  // pg through TypeORM: DELETE ... RETURNING gives [rows, count].
  const gone = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
  return gone > 0 ? { ok: true } : fail('alert_not_found');
}
