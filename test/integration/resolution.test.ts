import type { DataSource } from 'typeorm';
import { runAudit } from '../../domain/read/audit';
import { BookCache } from '../../domain/services/book-cache';
import { fileDispute } from '../../domain/services/disputes';
import { clarificationsOf, clarifyMarket, marketHistory, setTradingPaused } from '../../domain/services/market-admin';
import { getMarket } from '../../domain/read/markets';
import { applyCommands } from '../../domain/services/matching';
import { confirmProposal, finalizeDue, proposeResolution, upholdProposal, type ResolutionPolicy } from '../../domain/services/resolution';
import { settleMarket } from '../../domain/services/settlement';
import { freshDatabase } from '../helpers/db';
import { openMarket, userWithMoney } from '../helpers/world';

let ds: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => ({ ds, drop } = await freshDatabase('resolution')));
afterAll(async () => drop());

const HOUR = 3_600_000;
const QUORUM_2: ResolutionPolicy = { quorum: 2, disputeWindowMs: 2 * HOUR };
let n = 0;
const key = () => `r-${n++}`;

/** A closed market where `yes` holds 30 YES and `no` 30 NO shares (one mint at 60). */
async function closedMarket() {
  const cache = new BookCache();
  const market = await openMarket(ds);
  const yes = await userWithMoney(ds, 100);
  const no = await userWithMoney(ds, 100);
  await applyCommands(ds, cache, market, [
    { type: 'place', idempotencyKey: key(), marketId: market, userId: yes, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 60, qty: 30 },
    { type: 'place', idempotencyKey: key(), marketId: market, userId: no, intent: 'BUY_NO', kind: 'limit', tif: 'GTC', price: 40, qty: 30 },
  ]);
  await applyCommands(ds, cache, market, [{ type: 'close', idempotencyKey: key(), marketId: market }]);
  return { market, yes, no, cache };
}

test('quorum 2 + window: propose → own confirm refused → second admin → dispute pauses → uphold → final when the window ends', async () => {
  const { market, yes, no } = await closedMarket();
  const [a1, a2, outsider] = [await userWithMoney(ds, 0), await userWithMoney(ds, 0), await userWithMoney(ds, 0)];
  const t0 = new Date();
  const p = await proposeResolution(ds, { marketId: market, adminUserId: a1, outcome: 'PROB', probability: 70, early: false, note: 'https://example.com' }, QUORUM_2, t0);
  expect(p).toMatchObject({ ok: true, stage: 'awaiting_confirmation', market: { status: 'proposed', yesPayout: 70, proposalRound: 1 } });
  expect(await confirmProposal(ds, { marketId: market, adminUserId: a1, round: 1 }, QUORUM_2, t0)).toMatchObject({ ok: false, code: 'proposal_own' });
  expect(await confirmProposal(ds, { marketId: market, adminUserId: a2, round: 0 }, QUORUM_2, t0)).toMatchObject({ ok: false, code: 'proposal_changed' });
  // A holder may dispute before the quorum is reached; an outsider may not; nobody twice.
  expect(await fileDispute(ds, { marketId: market, userId: outsider, reason: 'no' }, t0)).toMatchObject({ ok: false, code: 'dispute_not_holder' });
  expect(await fileDispute(ds, { marketId: market, userId: no, reason: '   ' }, t0)).toMatchObject({ ok: false, code: 'dispute_reason_required' });
  expect(await fileDispute(ds, { marketId: market, userId: no, reason: 'It was NO' }, t0)).toMatchObject({ ok: true, round: 1 });
  expect(await fileDispute(ds, { marketId: market, userId: no, reason: 'again' }, t0)).toMatchObject({ ok: false, code: 'dispute_already_filed' });

  const c = await confirmProposal(ds, { marketId: market, adminUserId: a2, round: 1 }, QUORUM_2, t0);
  expect(c).toMatchObject({ ok: true, stage: 'dispute_window' });
  expect(await confirmProposal(ds, { marketId: market, adminUserId: a2, round: 1 }, QUORUM_2, t0)).toMatchObject({ ok: false, code: 'proposal_already_backed' });
  // The window is over but the dispute holds finalization.
  expect(await finalizeDue(ds, new Date(t0.getTime() + 3 * HOUR))).not.toContain(market);
  expect((await getMarket(ds.manager, market))!.status).toBe('proposed');
  const u = await upholdProposal(ds, { marketId: market, adminUserId: a2, round: 1 }, QUORUM_2, new Date(t0.getTime() + HOUR));
  expect(u).toMatchObject({ ok: true, stage: 'dispute_window', disputers: [no] });
  // Before the window ends nothing is final; the tick after it is.
  expect(await finalizeDue(ds, new Date(t0.getTime() + HOUR))).not.toContain(market);
  expect(await fileDispute(ds, { marketId: market, userId: yes, reason: 'late' }, new Date(t0.getTime() + 2 * HOUR))).toMatchObject({ ok: false, code: 'dispute_window_closed' });
  expect(await finalizeDue(ds, new Date(t0.getTime() + 2 * HOUR))).toContain(market);
  expect(await getMarket(ds.manager, market)).toMatchObject({ status: 'resolved', outcome: 'PROB', yesPayout: 70 });
  expect(await fileDispute(ds, { marketId: market, userId: yes, reason: 'too late' })).toMatchObject({ ok: false, code: 'dispute_window_closed' });
  expect(await proposeResolution(ds, { marketId: market, adminUserId: a1, outcome: 'YES', early: false }, QUORUM_2)).toMatchObject({ ok: false, code: 'market_already_resolved' });

  const progress: number[] = [];
  await settleMarket(ds, market, { batchSize: 1, onProgress: ({ paid }) => void progress.push(paid) });
  expect(progress).toEqual([1, 2]);
  const kinds = (await marketHistory(ds.manager, market, 50)).map((e) => e.kind);
  expect(kinds).toEqual(['created', 'closed', 'proposed', 'disputed', 'approved', 'confirmed', 'upheld', 'resolved', 'settled']);
  expect(await runAudit(ds.manager)).toMatchObject({ ok: true });
});

test('changing a proposal starts a new round: old confirmations, old buttons and the dispute no longer count', async () => {
  const { market, no } = await closedMarket();
  const [a1, a2] = [await userWithMoney(ds, 0), await userWithMoney(ds, 0)];
  await proposeResolution(ds, { marketId: market, adminUserId: a1, outcome: 'YES', early: false }, QUORUM_2);
  await fileDispute(ds, { marketId: market, userId: no, reason: 'wrong' });
  const changed = await proposeResolution(ds, { marketId: market, adminUserId: a2, outcome: 'NO', early: false }, QUORUM_2);
  expect(changed).toMatchObject({ ok: true, stage: 'awaiting_confirmation', market: { proposalRound: 2, approvals: [a2], disputedAt: null, outcome: 'NO' } });
  expect(await upholdProposal(ds, { marketId: market, adminUserId: a1, round: 1 }, QUORUM_2)).toMatchObject({ ok: false, code: 'proposal_changed' });
  expect(await upholdProposal(ds, { marketId: market, adminUserId: a1, round: 2 }, QUORUM_2)).toMatchObject({ ok: false, code: 'proposal_not_disputed' });
  // The same holder may dispute the new proposal.
  expect(await fileDispute(ds, { marketId: market, userId: no, reason: 'still wrong' })).toMatchObject({ ok: true, round: 2 });
});

test('quorum 1 without a window is final at once; an open market needs the early choice; bad probabilities change nothing', async () => {
  const policy = { quorum: 1, disputeWindowMs: 0 };
  const open = await openMarket(ds);
  const admin = await userWithMoney(ds, 0);
  expect(await proposeResolution(ds, { marketId: open, adminUserId: admin, outcome: 'YES', early: false }, policy)).toMatchObject({ ok: false, code: 'market_still_open' });
  expect(await proposeResolution(ds, { marketId: open, adminUserId: admin, outcome: 'YES', early: true }, policy)).toMatchObject({ ok: false, code: 'market_not_closed_yet' });
  for (const probability of [-1, 101, 37.5]) {
    expect(await proposeResolution(ds, { marketId: open, adminUserId: admin, outcome: 'PROB', probability, early: true }, policy))
      .toMatchObject({ ok: false, code: 'probability_out_of_range' });
  }
  expect(await getMarket(ds.manager, open)).toMatchObject({ status: 'open', outcome: null, proposalRound: 0 });
  const { market } = await closedMarket();
  expect(await proposeResolution(ds, { marketId: market, adminUserId: admin, outcome: 'VOID', early: false }, policy))
    .toMatchObject({ ok: true, stage: 'resolved', market: { status: 'resolved', yesPayout: 50 } });
});

test('a late close command (deadline sweep queued before an early resolution) leaves a proposed market alone', async () => {
  const { market, cache } = await closedMarket();
  const admin = await userWithMoney(ds, 0);
  await proposeResolution(ds, { marketId: market, adminUserId: admin, outcome: 'YES', early: true }, QUORUM_2);
  await applyCommands(ds, cache, market, [{ type: 'close', idempotencyKey: key(), marketId: market }]);
  expect((await getMarket(ds.manager, market))!.status).toBe('proposed');
});

test('pause stops new orders (resting ones stay), unpause resumes; clarifications are dated and kept in order', async () => {
  const market = await openMarket(ds);
  const [admin, trader] = [await userWithMoney(ds, 0), await userWithMoney(ds, 100)];
  const cache = new BookCache();
  const place = () => applyCommands(ds, cache, market, [
    { type: 'place', idempotencyKey: key(), marketId: market, userId: trader, intent: 'BUY_YES', kind: 'limit', tif: 'GTC', price: 30, qty: 40 }]);
  expect((await place()).results[0]).toMatchObject({ ok: true });
  expect(await setTradingPaused(ds, { marketId: market, adminUserId: admin, paused: true })).toMatchObject({ ok: true, market: { tradingPaused: true } });
  expect(await setTradingPaused(ds, { marketId: market, adminUserId: admin, paused: true })).toMatchObject({ ok: false, code: 'market_already_paused' });
  expect((await place()).results[0]).toMatchObject({ ok: false, code: 'market_paused' });
  const [{ open }] = await ds.query(`SELECT count(*)::int AS open FROM orders WHERE market_id = $1 AND status = 'open'`, [market]);
  expect(open).toBe(1);
  expect(await setTradingPaused(ds, { marketId: market, adminUserId: admin, paused: false })).toMatchObject({ ok: true });
  expect(await setTradingPaused(ds, { marketId: market, adminUserId: admin, paused: false })).toMatchObject({ ok: false, code: 'market_not_paused' });
  expect((await place()).results[0]).toMatchObject({ ok: true });

  expect(await clarifyMarket(ds, { marketId: market, adminUserId: admin, text: ' ' })).toMatchObject({ ok: false, code: 'clarification_length' });
  await clarifyMarket(ds, { marketId: market, adminUserId: admin, text: 'Source: the official site.' });
  await clarifyMarket(ds, { marketId: market, adminUserId: admin, text: 'Extra time counts.' });
  expect((await clarificationsOf(ds.manager, market, 3)).map((c) => c.text)).toEqual(['Source: the official site.', 'Extra time counts.']);
  const history = await marketHistory(ds.manager, market, 50);
  expect(history.map((e) => e.kind)).toEqual(['created', 'paused', 'unpaused', 'clarified', 'clarified']);
  expect(history[1]!.actor).not.toBeNull();
});
