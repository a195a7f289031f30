/** Issue 14: DISPUTE_WINDOW durations parsed by the `ms` package, garbage refused by name. */
import { loadConfig, parseDuration } from '../../infra/config';

describe('issue 14: parseDuration (ms package)', () => {
  it.each([
    ['0', 0], ['00', 0], [' 0 ', 0], ['45s', 45_000], ['30m', 1_800_000], ['2h', 7_200_000], ['1d', 86_400_000], [' 2h ', 7_200_000],
  ])('%j → %d ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each(['', 'abc', '2x', '30', '-2h', 'h', '0.0001s', '2h30m'])('%j is refused', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('a bad DISPUTE_WINDOW fails loadConfig with a message naming it', () => {
    expect(() => loadConfig({ DISPUTE_WINDOW: 'soon' })).toThrow(/DISPUTE_WINDOW must look like 2h, 30m, 45s or 0/);
    expect(loadConfig({ DISPUTE_WINDOW: '30m' }).resolution.disputeWindowMs).toBe(1_800_000);
    expect(loadConfig({}).resolution.disputeWindowMs).toBe(0);
  });
});

describe('issue 13: COMMANDS_RETENTION', () => {
  it('defaults to 7 days, accepts 1 day exactly and refuses anything shorter or malformed', () => {
    expect(loadConfig({}).commandsRetentionMs).toBe(7 * 86_400_000);
    expect(loadConfig({ COMMANDS_RETENTION: '1d' }).commandsRetentionMs).toBe(86_400_000);
    expect(loadConfig({ COMMANDS_RETENTION: '36h' }).commandsRetentionMs).toBe(129_600_000);
    for (const bad of ['86399999ms', '23h', '0', 'forever']) {
      expect(() => loadConfig({ COMMANDS_RETENTION: bad })).toThrow(/COMMANDS_RETENTION must be a duration of at least 1d/);
    }
  });
});

describe('issue 13: OUTAGE_RETRY_MS', () => {
  it('defaults to 30 s, accepts 1000 and 300000 exactly, refuses anything outside, fractions and garbage', () => {
    expect(loadConfig({}).outageRetryMs).toBe(30_000);
    expect(loadConfig({ OUTAGE_RETRY_MS: '1000' }).outageRetryMs).toBe(1_000);
    expect(loadConfig({ OUTAGE_RETRY_MS: '300000' }).outageRetryMs).toBe(300_000);
    for (const bad of ['999', '300001', '0', '', '2500.5', '30s']) {
      expect(() => loadConfig({ OUTAGE_RETRY_MS: bad })).toThrow(/OUTAGE_RETRY_MS must be a whole number of ms from 1000 to 300000/);
    }
  });
});

describe('issue 13: MATCHING_BATCH_MAX', () => {
  it('empty means the workers default; 1 and 5000 are accepted; 0, 5001 and fractions are refused', () => {
    expect(loadConfig({}).matchingBatchMax).toBeUndefined();
    expect(loadConfig({ MATCHING_BATCH_MAX: '' }).matchingBatchMax).toBeUndefined();
    expect(loadConfig({ MATCHING_BATCH_MAX: '1' }).matchingBatchMax).toBe(1);
    expect(loadConfig({ MATCHING_BATCH_MAX: '5000' }).matchingBatchMax).toBe(5000);
    for (const bad of ['0', '5001', '2.5', 'many']) {
      expect(() => loadConfig({ MATCHING_BATCH_MAX: bad })).toThrow(/MATCHING_BATCH_MAX must be a whole number from 1 to 5000/);
    }
  });
});
