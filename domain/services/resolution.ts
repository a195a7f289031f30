import type { DataSource, EntityManager } from 'typeorm';
import { Market, type MarketOutcome } from '../entities';
import { int, type DbNumber } from '../read/rows';
import { fail, type Result } from './result';

/** What each YES share pays, kop, per outcome (DESIGN §4); NO pays 100 minus it. */
export function yesPayoutOf(outcome: MarketOutcome, probability?: number): number {
  switch (outcome) {
    case 'YES': return 100;
    case 'NO': return 0;
    case 'VOID': return 50;
    case 'PROB': return probability!;
  }
}

/** How an outcome becomes final (config RESOLVE_QUORUM, DISPUTE_WINDOW; docs/RESOLUTION.md). */
export interface ResolutionPolicy {
  /** Distinct admins who must back a proposal, the proposer included; ≥ 1. */
  quorum: number;
  /** How long holders may dispute once the quorum is reached, ms; 0 = final at once. */
  disputeWindowMs: number;
}

/**
 * Where a proposal stands after an admin acted on it:
 * `awaiting_confirmation` (fewer than `quorum` admins back it), `dispute_window` (backed; final at
 * `disputeUntil` unless disputed) or `resolved` (final: settlement may start).
 */
export type ProposalStage = 'awaiting_confirmation' | 'dispute_window' | 'resolved';

/** Longest source link or note kept with a proposal, characters. */
export const PROPOSAL_NOTE_MAX = 500;

export interface ProposeInput {
  marketId: number;
  /** users.id of the admin. */
  adminUserId: number;
  outcome: MarketOutcome;
  /** PROB only: kop per YES share, integer 0..100 (NO gets 100 − it). */
  probability?: number;
  /** Resolving a market still open for trading must be an explicit choice. */
  early: boolean;
  /** Source link or note, shown to holders with the proposal. */
  note?: string;
}

/** A proposal as it stands, with the market row after the change. */
export type ProposalResult = Result<{ market: Market; stage: ProposalStage }>;

async function lockMarket(m: EntityManager, marketId: number): Promise<Market | null> {
  return m.getRepository(Market).findOne({ where: { id: marketId }, lock: { mode: 'pessimistic_write' } });
}

/** Appends a step to the market's audit trail (market_events: who, when, what, why). */
async function record(m: EntityManager, marketId: number, actorUserId: number | null, kind: string, data: Record<string, unknown>): Promise<void> {
  await m.query(`INSERT INTO market_events (market_id, actor_user_id, kind, data) VALUES ($1, $2, $3, $4)`, [marketId, actorUserId, kind, data]);
}

/**
 * Moves a backed proposal on (inside the caller's transaction, market row locked): once the quorum
 * backs it the dispute window starts (`confirmed`); a window of 0, or one already over, with no
 * dispute pending, makes the outcome final (`resolved`, DESIGN §4).
 */
async function advance(m: EntityManager, market: Market, policy: ResolutionPolicy, now: Date): Promise<ProposalStage> {
  if (market.approvals.length < policy.quorum) return 'awaiting_confirmation';
  if (market.disputeUntil === null) {
    market.disputeUntil = new Date(now.getTime() + policy.disputeWindowMs);
    await record(m, market.id, null, 'confirmed', { round: market.proposalRound, approvals: market.approvals, disputeUntil: market.disputeUntil });
  }
  if (market.disputedAt === null && market.disputeUntil.getTime() <= now.getTime()) {
    market.status = 'resolved';
    market.resolvedAt = now;
    await record(m, market.id, null, 'resolved', { round: market.proposalRound, outcome: market.outcome, yesPayout: market.yesPayout });
    return 'resolved';
  }
  return 'dispute_window';
}

async function save(m: EntityManager, market: Market): Promise<void> {
  await m.getRepository(Market).update({ id: market.id }, {
    status: market.status, outcome: market.outcome, yesPayout: market.yesPayout, proposalRound: market.proposalRound,
    proposedBy: market.proposedBy, proposedAt: market.proposedAt, proposalNote: market.proposalNote, approvals: market.approvals,
    disputeUntil: market.disputeUntil, disputedAt: market.disputedAt, resolvedAt: market.resolvedAt,
  });
}

/**
 * Proposes an outcome (DESIGN §4: closed → proposed), or changes the current proposal, which
 * starts a new round: earlier confirmations and any pending dispute no longer count. With a
 * quorum of 1 the proposer's word backs it at once, and with no dispute window it is final.
 *
 * A market still open needs `early` and must first be closed by its matching queue (so open
 * orders are cancelled and their reserves released under the market lock); callers do that with
 * a `close` command.
 *
 * Failures: probability_out_of_range {min, max}, proposal_note_too_long {max}, market_not_found,
 * market_already_resolved (resolved or settled), market_still_open (open, not early),
 * market_not_closed_yet (open, early, close not applied yet).
 */
export async function proposeResolution(ds: DataSource, input: ProposeInput, policy: ResolutionPolicy, now = new Date()): Promise<ProposalResult> {
  if (input.outcome === 'PROB') {
    const p = input.probability;
    if (p === undefined || !Number.isInteger(p) || p < 0 || p > 100) return fail('probability_out_of_range', { min: 0, max: 100 });
  }
  const note = input.note?.trim() || null;
  if (note && note.length > PROPOSAL_NOTE_MAX) return fail('proposal_note_too_long', { max: PROPOSAL_NOTE_MAX });
  return ds.transaction(async (m) => {
    const market = await lockMarket(m, input.marketId);
    if (!market) return fail('market_not_found');
    if (market.status === 'resolved' || market.status === 'settled') return fail('market_already_resolved');
    if (market.status === 'open') return fail(input.early ? 'market_not_closed_yet' : 'market_still_open');
    const yesPayout = yesPayoutOf(input.outcome, input.probability);
    Object.assign(market, {
      status: 'proposed', outcome: input.outcome, yesPayout, proposalRound: market.proposalRound + 1,
      proposedBy: input.adminUserId, proposedAt: now, proposalNote: note, approvals: [input.adminUserId],
      disputeUntil: null, disputedAt: null,
    });
    await record(m, market.id, input.adminUserId, 'proposed', {
      round: market.proposalRound, outcome: input.outcome, yesPayout, early: input.early, ...(note ? { note } : {}),
    });
    const stage = await advance(m, market, policy, now);
    await save(m, market);
    return { ok: true as const, market, stage };
  });
}

/** An admin's action on one round of a proposal (buttons carry the round they were shown for). */
export interface ProposalAction {
  marketId: number;
  adminUserId: number;
  round: number;
}

/** The market locked, in `proposed`, at `round`; else the failure that says why not. */
async function lockProposal(m: EntityManager, a: ProposalAction): Promise<Market | ReturnType<typeof fail>> {
  const market = await lockMarket(m, a.marketId);
  if (!market) return fail('market_not_found');
  if (market.status === 'resolved' || market.status === 'settled') return fail('market_already_resolved');
  if (market.status !== 'proposed') return fail('market_not_proposed');
  if (market.proposalRound !== a.round) return fail('proposal_changed');
  return market;
}

/**
 * A second (third, ...) admin backs the current proposal (quorum ≥ 2). Reaching the quorum starts
 * the dispute window, or makes the outcome final when there is none.
 *
 * Failures: market_not_found, market_already_resolved, market_not_proposed, proposal_changed (the
 * proposal was replaced since it was shown), proposal_own (the proposer cannot confirm their own
 * proposal), proposal_already_backed (this admin already confirmed it), proposal_already_confirmed
 * (the quorum was already reached).
 */
export async function confirmProposal(ds: DataSource, a: ProposalAction, policy: ResolutionPolicy, now = new Date()): Promise<ProposalResult> {
  return ds.transaction(async (m) => {
    const market = await lockProposal(m, a);
    if (!(market instanceof Market)) return market;
    if (market.proposedBy === a.adminUserId) return fail('proposal_own');
    if (market.approvals.includes(a.adminUserId)) return fail('proposal_already_backed');
    if (market.disputeUntil !== null) return fail('proposal_already_confirmed');
    market.approvals = [...market.approvals, a.adminUserId];
    await record(m, market.id, a.adminUserId, 'approved', { round: market.proposalRound, approvals: market.approvals.length, quorum: policy.quorum });
    const stage = await advance(m, market, policy, now);
    await save(m, market);
    return { ok: true as const, market, stage };
  });
}

/**
 * An admin reviewed the disputes of the current proposal and keeps it: finalization resumes (the
 * outcome is final at once if its window is already over). To change the outcome instead, the
 * admin proposes anew. Returns the users.id of the holders who disputed this round.
 *
 * Failures: market_not_found, market_already_resolved, market_not_proposed, proposal_changed,
 * proposal_not_disputed.
 */
export async function upholdProposal(
  ds: DataSource, a: ProposalAction, policy: ResolutionPolicy, now = new Date(),
): Promise<Result<{ market: Market; stage: ProposalStage; disputers: number[] }>> {
  return ds.transaction(async (m) => {
    const market = await lockProposal(m, a);
    if (!(market instanceof Market)) return market;
    if (market.disputedAt === null) return fail('proposal_not_disputed');
    market.disputedAt = null;
    await record(m, market.id, a.adminUserId, 'upheld', { round: market.proposalRound });
    const stage = await advance(m, market, policy, now);
    await save(m, market);
    const rows: { user_id: DbNumber }[] = await m.query(
      `SELECT user_id FROM market_disputes WHERE market_id = $1 AND round = $2`, [market.id, market.proposalRound]);
    return { ok: true as const, market, stage, disputers: rows.map((r) => int(r.user_id)) };
  });
}

/**
 * Makes final every backed proposal whose dispute window is over with no dispute pending (the
 * maintenance tick calls it). The condition is re-checked under each row's lock, so a dispute
 * committed a moment earlier wins and one arriving later finds the market resolved.
 * @returns ids of the markets resolved now
 */
export async function finalizeDue(ds: DataSource, now = new Date()): Promise<number[]> {
  return ds.transaction(async (m) => {
    // Wrapped in a SELECT: for a bare UPDATE ... RETURNING, TypeORM returns [rows, count].
    const rows: { id: DbNumber; round: number; outcome: string; yes_payout: number }[] = await m.query(
      `WITH done AS (
         UPDATE markets SET status = 'resolved', resolved_at = $1
          WHERE status = 'proposed' AND dispute_until <= $1 AND disputed_at IS NULL
          RETURNING id, proposal_round AS round, outcome, yes_payout)
       SELECT * FROM done`, [now]);
    for (const r of rows) {
      await record(m, int(r.id), null, 'resolved', { round: r.round, outcome: r.outcome, yesPayout: r.yes_payout });
    }
    return rows.map((r) => int(r.id));
  });
}
