/** Issue 8: the pure rules of trust in group markets (domain/services/group-trust.ts) and their config. */
import { groupDecision, groupResolutionPolicy } from '../../domain/services/group-trust';
import { loadConfig } from '../../infra/config';

describe('issue 8: groupDecision', () => {
  const nobody = { isCreator: false, isChatAdmin: false, creatorHolds: true };
  test('only the creator or a chat admin decides', () => {
    expect(groupDecision(nobody, false)).toBe('refused');
    expect(groupDecision(nobody, true)).toBe('refused');
    expect(groupDecision({ ...nobody, isChatAdmin: true }, false)).toBe('allowed');
    expect(groupDecision({ ...nobody, isCreator: true }, false)).toBe('allowed');
  });
  test('a disputed proposal is never decided by a creator who holds a position', () => {
    expect(groupDecision({ isCreator: true, isChatAdmin: false, creatorHolds: true }, true)).toBe('creator_conflicted');
    expect(groupDecision({ isCreator: true, isChatAdmin: false, creatorHolds: false }, true)).toBe('allowed');
    // A chat admin decides even when the creator holds shares.
    expect(groupDecision({ isCreator: false, isChatAdmin: true, creatorHolds: true }, true)).toBe('allowed');
  });
});

describe('issue 8: groupResolutionPolicy', () => {
  test('the creator gets at least the group window; others the exchange window; quorum 1', () => {
    expect(groupResolutionPolicy({ disputeWindowMs: 0, groupWindowMs: 7_200_000 }, true)).toEqual({ quorum: 1, disputeWindowMs: 7_200_000 });
    expect(groupResolutionPolicy({ disputeWindowMs: 0, groupWindowMs: 7_200_000 }, false)).toEqual({ quorum: 1, disputeWindowMs: 0 });
    expect(groupResolutionPolicy({ disputeWindowMs: 10_800_000, groupWindowMs: 7_200_000 }, true).disputeWindowMs).toBe(10_800_000);
    expect(groupResolutionPolicy({ disputeWindowMs: 60_000, groupWindowMs: 0 }, true).disputeWindowMs).toBe(60_000);
  });
  test('GROUP_DISPUTE_WINDOW: 2 h by default, 0 turns it off, nonsense is refused', () => {
    expect(loadConfig({}).groupDisputeWindowMs).toBe(7_200_000);
    expect(loadConfig({ GROUP_DISPUTE_WINDOW: '0' }).groupDisputeWindowMs).toBe(0);
    expect(loadConfig({ GROUP_DISPUTE_WINDOW: '30m' }).groupDisputeWindowMs).toBe(1_800_000);
    expect(() => loadConfig({ GROUP_DISPUTE_WINDOW: 'soon' })).toThrow(/GROUP_DISPUTE_WINDOW/);
  });
});
