/**
 * Trust in group markets (issue 8, docs/GROUPS.md): a group market is resolved by its creator or by
 * the chat's administrators, and its house maker makes a false resolution profitable against
 * friends. So a creator who resolves their own market always leaves holders a dispute window, a
 * dispute goes to the chat's administrators, and a creator who holds a position cannot decide a
 * dispute alone. The rules are pure; the queries below read what they need.
 */
import type { EntityManager } from 'typeorm';
import type { ResolutionPolicy } from './resolution';

/** Shares of one user in one market, per outcome. */
export interface Holding {
  YES: number;
  NO: number;
}

/**
 * The policy of a group market's resolution: the group's word backs it at once (quorum 1), and the
 * dispute window is the exchange's (`disputeWindowMs`) or, when the market's own creator resolves
 * it, at least `groupWindowMs` (GROUP_DISPUTE_WINDOW).
 */
export function groupResolutionPolicy(
  windows: { disputeWindowMs: number; groupWindowMs: number }, byCreator: boolean,
): ResolutionPolicy {
  return { quorum: 1, disputeWindowMs: byCreator ? Math.max(windows.groupWindowMs, windows.disputeWindowMs) : windows.disputeWindowMs };
}

/** Who is acting on a group market, as the bot checked it (chat membership through the Bot API). */
export interface GroupActor {
  isCreator: boolean;
  isChatAdmin: boolean;
  /** Whether the market's creator holds shares of it. */
  creatorHolds: boolean;
}

/**
 * May `actor` fix or change a group market's outcome? `disputed`: a holder disputed the current
 * proposal, so deciding it settles the dispute. Creator and chat admins may resolve; a disputed
 * proposal is decided by a chat administrator, or by the creator only when they hold nothing
 * (a creator with a position is never the only one to decide: another admin, of the chat or of
 * the exchange, must). Returns `refused`, `creator_conflicted` (the creator holds a position) or `allowed`.
 */
export function groupDecision(actor: GroupActor, disputed: boolean): 'allowed' | 'refused' | 'creator_conflicted' {
  if (!actor.isCreator && !actor.isChatAdmin) return 'refused';
  if (disputed && actor.isCreator && actor.creatorHolds) return 'creator_conflicted';
  return 'allowed';
}

/** The shares `userId` holds in `marketId` (0 for none). */
export async function holdingOf(m: EntityManager, marketId: number, userId: number): Promise<Holding> {
  const rows: { outcome: 'YES' | 'NO'; shares: number }[] = await m.query(
    `SELECT outcome, shares FROM positions WHERE market_id = $1 AND user_id = $2`, [marketId, userId]);
  const h: Holding = { YES: 0, NO: 0 };
  for (const r of rows) h[r.outcome] = r.shares;
  return h;
}

/** For group markets among `marketIds` whose creator holds shares: the creator's holding. */
export async function creatorHoldingsOf(m: EntityManager, marketIds: readonly number[]): Promise<Map<number, Holding>> {
  if (marketIds.length === 0) return new Map();
  const rows: { market_id: string; outcome: 'YES' | 'NO'; shares: number }[] = await m.query(
    `SELECT p.market_id, p.outcome, p.shares FROM positions p JOIN markets mk ON mk.id = p.market_id
      WHERE p.market_id = ANY($1::bigint[]) AND mk.chat_id IS NOT NULL AND p.user_id = mk.created_by AND p.shares > 0`,
    [marketIds]);
  const out = new Map<number, Holding>();
  for (const r of rows) {
    const id = Number(r.market_id);
    const h = out.get(id) ?? { YES: 0, NO: 0 };
    h[r.outcome] = r.shares;
    out.set(id, h);
  }
  return out;
}

/** The disputes of round `round` of a market's proposal, oldest first: who (@username or first name) and why. */
export async function disputesOf(m: EntityManager, marketId: number, round: number): Promise<{ who: string; reason: string }[]> {
  const rows: { reason: string; first_name: string; username: string | null }[] = await m.query(
    `SELECT d.reason, u.first_name, u.username FROM market_disputes d JOIN users u ON u.id = d.user_id
      WHERE d.market_id = $1 AND d.round = $2 ORDER BY d.created_at, d.user_id`, [marketId, round]);
  return rows.map((r) => ({ who: r.username ? `@${r.username}` : r.first_name, reason: r.reason }));
}

/** Telegram id of a user (users.id), or null when there is none. */
export async function telegramIdOf(m: EntityManager, userId: number | null): Promise<number | null> {
  if (userId === null) return null;
  const [row]: { telegram_id: string }[] = await m.query(`SELECT telegram_id FROM users WHERE id = $1`, [userId]);
  return row ? Number(row.telegram_id) : null;
}
