/**
 * Group commit of matching commands (issue 13): every `record` made while a flush is being
 * prepared or is in flight joins the next flush, which is ONE multi-row INSERT in one transaction
 * (domain/services/command-log.ts `recordCommands`). So N concurrent submits of one process cost
 * far fewer than N commits, and each caller still learns its own outcome.
 *
 * After a flush commits, each market that got new commands is signalled once (`signal`, the drain
 * jobs of jobs/queues.ts, all of a flush in one call). Signals are not awaited by the callers: the command is durable once
 * recorded, and a signal lost with Redis is sent again by the supervisor's sweep (workers/matching.ts).
 */
import type { DataSource } from 'typeorm';
import { databaseAnswers, recordCommands, type LoggedCommand, type Recorded } from '../domain/services/command-log';

interface Waiting {
  item: LoggedCommand;
  resolve: (r: Recorded) => void;
  reject: (e: unknown) => void;
}

/** Most commands in one INSERT (bounds the statement's size). */
const FLUSH_MAX = 1000;

export class CommandRecorder {
  private waiting: Waiting[] = [];
  private running = false;
  private readonly signals = new Set<Promise<void>>();
  /** Transactions (flushes) run so far: with concurrent callers, fewer than the commands recorded. */
  transactions = 0;

  /**
   * @param signal tells the workers each market of a flush has new commands, from `seq` on (one
   *   call per flush, so thousands of markets cost one Redis round trip); its errors go to
   *   `onSignalError` (the sweep resends).
   */
  constructor(
    private readonly ds: DataSource,
    private readonly signal: (signals: readonly { marketId: number; seq: number }[]) => Promise<void>,
    private readonly onSignalError: (err: unknown) => void = () => undefined,
  ) {}

  /**
   * Records one command (durably, when this resolves). Resolves with its `seq` when newly recorded,
   * or with `seq: null` and the stored result (null while unapplied) when its key was known.
   * Rejects when the INSERT failed: then nothing was recorded.
   */
  record(item: LoggedCommand): Promise<Recorded> {
    return new Promise<Recorded>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let every caller of this tick join the first flush.
        setImmediate(() => void this.flushAll());
      }
    });
  }

  private async flushAll(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, FLUSH_MAX);
      this.transactions++;
      let recorded: Recorded[];
      try {
        recorded = await recordCommands(this.ds, batch.map((w) => w.item));
      } catch (err) {
        if (batch.length === 1 || !(await databaseAnswers(this.ds))) {
          for (const w of batch) w.reject(err);
          continue;
        }
        // One bad command failed the group: each alone, so only the bad one fails.
        recorded = [];
        const ok: Waiting[] = [];
        for (const w of batch) {
          try {
            this.transactions++;
            recorded.push((await recordCommands(this.ds, [w.item]))[0]!);
            ok.push(w);
          } catch (e) {
            w.reject(e);
          }
        }
        batch.splice(0, batch.length, ...ok);
      }
      const firstSeq = new Map<number, number>();
      batch.forEach((w, i) => {
        const seq = recorded[i]!.seq;
        const m = w.item.cmd.marketId;
        if (seq !== null && !firstSeq.has(m)) firstSeq.set(m, seq);
      });
      if (firstSeq.size > 0) this.track(this.signal([...firstSeq].map(([marketId, seq]) => ({ marketId, seq }))));
      batch.forEach((w, i) => w.resolve(recorded[i]!));
    }
    this.running = false;
  }

  private track(p: Promise<void>): void {
    const q = p.catch(this.onSignalError).finally(() => this.signals.delete(q));
    this.signals.add(q);
  }

  /** Waits for the signals still being sent (at most `ms`). */
  async settle(ms = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.signals]), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }
}
