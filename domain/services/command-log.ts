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

/** The command recorded under `key` (applied or not), or null when none is (never, or pruned since). */
export async function recordedCommand(m: EntityManager | DataSource, key: string): Promise<MatchingCommand | null> {
  const [row]: { payload: Payload }[] = await m.query(`SELECT payload FROM commands WHERE idempotency_key = $1`, [key]);
  if (!row) return null;
  const { reqId: _reqId, ...cmd } = row.payload;
  return cmd as MatchingCommand;
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

/** A command the bot answered "queued" (commands.late_at), whose result is to be told in `replyChatId`. */
export interface LateCommand {
  seq: number;
  replyChatId: number;
}

/**
 * Marks commands applied with their results (same order), in the caller's transaction. Returns
 * those of them the bot had marked late ({@link markLate}): their results are owed to a chat, sent
 * after commit by the matching worker (and by its sweep if that is lost, {@link lateUnnotified}).
 */
export async function markApplied(m: EntityManager, seqs: readonly number[], results: readonly CommandResult[]): Promise<LateCommand[]> {
  if (seqs.length === 0) return [];
  const rows: { seq: DbNumber; reply_chat_id: DbNumber }[] = await m.query(
    `WITH u AS (
       UPDATE commands c SET applied_at = now(), result = v.e->1
         FROM jsonb_array_elements($1::jsonb) AS v(e) WHERE c.seq = (v.e->>0)::bigint AND c.applied_at IS NULL
       RETURNING c.seq, c.reply_chat_id, c.late_at)
     SELECT seq, reply_chat_id FROM u WHERE late_at IS NOT NULL ORDER BY seq`,
    [JSON.stringify(seqs.map((seq, i) => [seq, results[i]]))]);
  return rows.map((r) => ({ seq: int(r.seq), replyChatId: int(r.reply_chat_id) }));
}

/**
 * Asks for the result of command `key` to be sent to chat `replyChatId` once it applies (the bot
 * answered "queued"). Returns null when marked; when the command was applied already (the marking
 * and the drain's markApplied serialize on the row, so exactly one of them sees the other), returns
 * its stored result instead, which the caller then shows itself. Unknown keys: null (nothing to tell).
 */
export async function markLate(m: EntityManager | DataSource, key: string, replyChatId: number): Promise<CommandResult | null> {
  const [, marked] = await m.query(
    `UPDATE commands SET late_at = now(), reply_chat_id = $2 WHERE idempotency_key = $1 AND applied_at IS NULL`,
    [key, replyChatId]) as [unknown, number];
  if (marked > 0) return null;
  return (await appliedResults(m, [key])).get(key) ?? null;
}

/** A late command applied, with what is needed to word its result. */
export interface LateResult extends LateCommand {
  cmd: MatchingCommand;
  result: CommandResult;
}

/**
 * Applied late commands whose result notice is not marked sent, applied more than `olderThanMs`
 * ago (the after-commit step had its chance), oldest first, at most `limit`.
 */
export async function lateUnnotified(m: EntityManager | DataSource, olderThanMs: number, limit: number): Promise<LateResult[]> {
  const rows: { seq: DbNumber; reply_chat_id: DbNumber; payload: Payload; result: CommandResult }[] = await m.query(
    `SELECT seq, reply_chat_id, payload, result FROM commands
      WHERE late_at IS NOT NULL AND late_notified_at IS NULL AND applied_at < now() - $1 * interval '1 millisecond'
      ORDER BY seq LIMIT $2`, [olderThanMs, limit]);
  return rows.map((r) => {
    const { reqId: _reqId, ...cmd } = r.payload;
    return { seq: int(r.seq), replyChatId: int(r.reply_chat_id), cmd: cmd as MatchingCommand, result: r.result };
  });
}

/** Marks the result notices of late commands `seqs` sent (after they were handed to the notifier). */
export async function markLateNotified(m: EntityManager | DataSource, seqs: readonly number[]): Promise<void> {
  if (seqs.length === 0) return;
  await m.query(`UPDATE commands SET late_notified_at = now() WHERE seq = ANY($1::bigint[]) AND late_notified_at IS NULL`, [seqs]);
}

/**
 * Deletes up to `limit` commands applied before `appliedBefore` (retention, issue 13), oldest
 * first; unapplied commands are never deleted, however old, nor late ones whose result notice is
 * not sent yet (it is still owed). Returns how many were deleted. A key
 * deleted here is unknown afterwards, so the retention must outlast any repeat of a key
 * (COMMANDS_RETENTION ≥ 1 day); a repeated place still cannot make a second order (the orders
 * table's own unique key).
 */
export async function pruneCommands(m: EntityManager | DataSource, appliedBefore: Date, limit: number): Promise<number> {
  const [, deleted] = await m.query(
    `DELETE FROM commands WHERE seq IN (
       SELECT seq FROM commands WHERE applied_at < $1 AND NOT (late_at IS NOT NULL AND late_notified_at IS NULL)
        ORDER BY seq LIMIT $2)`, [appliedBefore, limit]) as [unknown, number];
  return deleted;
}

/** Postgres SQLSTATEs of a lost or refused connection: class 08, and 57P01–57P03 (shut down, starting up). */
const CONNECTION_STATES = /^(08...|57P0[123])$/;
/** Node socket errors of a connection that cannot be made or was cut. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when `e` says the database connection failed rather than the statement (an outage, not a
 * bad command): a connection SQLSTATE, a socket error, or pg's "Connection terminated". Looks
 * through TypeORM's QueryFailedError (`driverError`).
 */
export function isConnectionError(e: unknown): boolean {
  for (let x = e as { code?: unknown; message?: unknown; driverError?: unknown } | undefined, depth = 0; x && depth < 3; depth++) {
    const code = typeof x.code === 'string' ? x.code : '';
    if (CONNECTION_STATES.test(code) || SOCKET_CODES.has(code)) return true;
    if (typeof x.message === 'string' && /Connection terminated|terminating connection|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(x.message)) return true;
    x = x.driverError as typeof x;
  }
  return false;
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
