/**
 * Issue 14: the matching batch's rerun policy (cockatiel) keeps the hand-written loop's semantics:
 * deadlocks (40P01), serialization failures (40001) and stale balances (InsufficientFundsError) are
 * retried, up to 5 runs in all, without waiting; anything else fails on the first run.
 */
import { InsufficientFundsError } from '../../domain/ledger/ledger';
import { conflictRetry } from '../../domain/services/matching';

function pgError(code: string): Error {
  return Object.assign(new Error(`pg ${code}`), { code });
}

/** A job that throws `errors` in turn, then returns "done"; counts its runs. */
function flaky(errors: Error[]): { run: () => Promise<string>; runs: () => number } {
  let n = 0;
  return {
    run: async () => {
      const e = errors[n++];
      if (e) throw e;
      return 'done';
    },
    runs: () => n,
  };
}

describe('issue 14: matching conflict retry (cockatiel)', () => {
  it.each([['deadlock', pgError('40P01')], ['serialization failure', pgError('40001')], ['stale balance', new InsufficientFundsError('test')]])(
    'a %s is retried: 4 failures then success is 5 runs', async (_name, err) => {
      const job = flaky([err, err, err, err]);
      await expect(conflictRetry.execute(job.run)).resolves.toBe('done');
      expect(job.runs()).toBe(5);
    });

  it('gives up after the 5th run with the last error', async () => {
    const last = pgError('40P01');
    const job = flaky([pgError('40P01'), pgError('40001'), pgError('40P01'), pgError('40001'), last, pgError('40P01')]);
    await expect(conflictRetry.execute(job.run)).rejects.toBe(last);
    expect(job.runs()).toBe(5);
  });

  it('any other error fails on the first run', async () => {
    const other = pgError('23505');
    const job = flaky([other]);
    await expect(conflictRetry.execute(job.run)).rejects.toBe(other);
    expect(job.runs()).toBe(1);
  });
});
