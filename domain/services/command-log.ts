/**
 * The command log (issue 13, migration 1764500000000): matching commands are recorded in Postgres
 * before anything but "placing…" is said, and applied from here in `seq` order by the drain
 * (matching.ts `drainMarket`). The batching recorder that groups concurrent submits into one
 * INSERT lives in jobs/command-log.ts; this module is its SQL.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { int, type DbNumber } from '../read/rows';
import type { CommandResult, MatchingCommand } from './commands';

/** A command as recorded: the command and the request id of the update that caused it (issue 15). */
export interface LoggedCommand {
  cmd: MatchingCommand;
  reqId: string;
}

/** What recording one command found: its `seq` when newly recorded, else null; its result when already applied. */
export interface Recorded {
  seq: number | null;
  result: CommandResult | null;
}

type Payload = MatchingCommand & { reqId?: string };

/**
 * Records commands with ONE multi-row INSERT (one statement, one transaction: the group commit),
 * in the given order, so their `seq` follow it. A key already recorded is skipped (ON CONFLICT DO
 * NOTHING, also for a key repeated within `items`); for those the stored result is looked up when
 * they were applied. Returns one `Recorded` per item, in order.
 */
export async function recordCommands(m: EntityManager | DataSource, items: readonly LoggedCommand[]): Promise<Recorded[]> {
  if (items.length === 0) return [];
  // One JSON document for the whole group, not a jsonb[] literal: the driver would escape every
  // quote of every payload, the hottest part of recording a burst.
  const rows: { seq: DbNumber; idempotency_key: string }[] = await m.query(
    `INSERT INTO commands (market_id, idempotency_key, payload)
     SELECT (e->>'marketId')::bigint, e->>'idempotencyKey', e
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, i) ORDER BY i
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING seq, idempotency_key`,
    [JSON.stringify(items.map((i) => ({ ...i.cmd, reqId: i.reqId })))]);
  const seqOf = new Map(rows.map((r) => [r.idempotency_key, int(r.seq)]));
  const known = items.filter((i) => !seqOf.has(i.cmd.idempotencyKey)).map((i) => i.cmd.idempotencyKey);
  const stored = known.length > 0 ? await appliedResults(m, known) : new Map<string, CommandResult>();
  const first = new Set<string>();
  return items.map((i) => {
    const k = i.cmd.idempotencyKey;
    const seq = seqOf.get(k);
    // A key twice in one batch: the first occurrence got the seq, the second is a repeat.
    if (seq !== undefined && !first.has(k)) {
      first.add(k);
      return { seq, result: null };
    }
    return { seq: null, result: stored.get(k) ?? null };
  });
}

/** The stored results of those of `keys` that were applied (keys not applied or unknown are absent). */
export async function appliedResults(m: EntityManager | DataSource, keys: readonly string[]): Promise<Map<string, CommandResult>> {
  const rows: { idempotency_key: string; result: CommandResult }[] = await m.query(
    `SELECT idempotency_key, result FROM commands WHERE idempotency_key = ANY($1::text[]) AND applied_at IS NOT NULL`, [keys]);
  return new Map(rows.map((r) => [r.idempotency_key, r.result]));
}

/** A recorded, unapplied command. */
export interface PendingCommand {
  seq: number;
  cmd: MatchingCommand;
  reqId: string;
}

/** The oldest `limit` unapplied commands of a market, in `seq` order. Call under the market row lock. */
export async function pendingCommands(m: EntityManager, marketId: number, limit: number): Promise<PendingCommand[]> {
  const rows: { seq: DbNumber; payload: Payload }[] = await m.query(
    `SELECT seq, payload FROM commands WHERE market_id = $1 AND applied_at IS NULL ORDER BY seq LIMIT $2`, [marketId, limit]);
  return rows.map((r) => {
    const { reqId, ...cmd } = r.payload;
    return { seq: int(r.seq), cmd: cmd as MatchingCommand, reqId: reqId ?? cmd.idempotencyKey };
  });
}

/**
 * The oldest `limit` unapplied commands of all the markets `marketIds` together, in `seq` order
 * (so each market's are the oldest of its own), with their market. Call under those markets' row locks.
 */
export async function pendingCommandsOf(
  m: EntityManager, marketIds: readonly number[], limit: number,
): Promise<(PendingCommand & { marketId: number })[]> {
  const rows: { seq: DbNumber; market_id: DbNumber; payload: Payload }[] = await m.query(
    `SELECT seq, market_id, payload FROM commands WHERE market_id = ANY($1::bigint[]) AND applied_at IS NULL ORDER BY seq LIMIT $2`,
    [marketIds, limit]);
  return rows.map((r) => {
    const { reqId, ...cmd } = r.payload;
    return { seq: int(r.seq), marketId: int(r.market_id), cmd: cmd as MatchingCommand, reqId: reqId ?? cmd.idempotencyKey };
  });
}

/** Marks commands applied with their results (same order), in the caller's transaction. */
export async function markApplied(m: EntityManager, seqs: readonly number[], results: readonly CommandResult[]): Promise<void> {
  if (seqs.length === 0) return;
  await m.query(
    `UPDATE commands c SET applied_at = now(), result = v.e->1
       FROM jsonb_array_elements($1::jsonb) AS v(e) WHERE c.seq = (v.e->>0)::bigint AND c.applied_at IS NULL`,
    [JSON.stringify(seqs.map((seq, i) => [seq, results[i]]))]);
}

/**
 * Deletes up to `limit` commands applied before `appliedBefore` (retention, issue 13), oldest
 * first; unapplied commands are never deleted, however old. Returns how many were deleted. A key
 * deleted here is unknown afterwards, so the retention must outlast any repeat of a key
 * (COMMANDS_RETENTION ≥ 1 day); a repeated place still cannot make a second order (the orders
 * table's own unique key).
 */
export async function pruneCommands(m: EntityManager | DataSource, appliedBefore: Date, limit: number): Promise<number> {
  const [, deleted] = await m.query(
    `DELETE FROM commands WHERE seq IN (
       SELECT seq FROM commands WHERE applied_at < $1 ORDER BY seq LIMIT $2)`, [appliedBefore, limit]) as [unknown, number];
  return deleted;
}

/**
 * Whether the database answers at all: after a command failed on its own, this tells a poison
 * command (the database is fine: answer it with an error) from an outage (keep it for later).
 */
export async function databaseAnswers(ds: DataSource): Promise<boolean> {
  try {
    await ds.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
