/**
 * What resolution screens and notices read: the market's current proposal, who made it, and the
 * disputes filed against a round (docs/RESOLUTION.md).
 */
import type { EntityManager } from 'typeorm';
import type { MarketOutcome } from '../entities';
import { int, type DbNumber } from './rows';

/** The market as resolution news describes it. `yesPayout` in kop per YES share. */
export interface ProposalFacts {
  id: number;
  title: string;
  round: number;
  outcome: MarketOutcome | null;
  yesPayout: number | null;
  note: string | null;
  disputeUntil: Date | null;
}

/** A market's current proposal, or null for an unknown market. */
export async function proposalFacts(m: EntityManager, marketId: number): Promise<ProposalFacts | null> {
  const [r]: { id: DbNumber; title: string; proposal_round: number; outcome: MarketOutcome | null; yes_payout: number | null; proposal_note: string | null; dispute_until: Date | null }[] = await m.query(
    `SELECT id, title, proposal_round, outcome, yes_payout, proposal_note, dispute_until FROM markets WHERE id = $1`, [marketId]);
  return r ? {
    id: int(r.id), title: r.title, round: r.proposal_round, outcome: r.outcome, yesPayout: r.yes_payout, note: r.proposal_note, disputeUntil: r.dispute_until,
  } : null;
}

/** How a person is named to admins: `@username`, else their first name. */
export function displayName(u: { username: string | null; firstName: string }): string {
  return u.username ? `@${u.username}` : u.firstName;
}

/** A dispute of a proposal round, with who filed it (named as {@link displayName}). */
export interface DisputeView {
  userId: number;
  who: string;
  reason: string;
}

/** Disputes of round `round` of a market, oldest first; with `userId`, only that holder's. */
export async function disputesOf(m: EntityManager, marketId: number, round: number, userId?: number): Promise<DisputeView[]> {
  const rows: { user_id: DbNumber; reason: string; first_name: string; username: string | null }[] = await m.query(
    `SELECT d.user_id, d.reason, u.first_name, u.username FROM market_disputes d JOIN users u ON u.id = d.user_id
      WHERE d.market_id = $1 AND d.round = $2 AND ($3::bigint IS NULL OR d.user_id = $3) ORDER BY d.created_at`,
    [marketId, round, userId ?? null]);
  return rows.map((r) => ({ userId: int(r.user_id), who: displayName({ username: r.username, firstName: r.first_name }), reason: r.reason }));
}

/** How the user `userId` is named to admins (see {@link displayName}); '' for an unknown or null id. */
export async function userDisplayName(m: EntityManager, userId: number | null): Promise<string> {
  if (userId === null) return '';
  const [r]: { first_name: string; username: string | null }[] = await m.query(`SELECT first_name, username FROM users WHERE id = $1`, [userId]);
  return r ? displayName({ username: r.username, firstName: r.first_name }) : '';
}
