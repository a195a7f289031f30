/**
 * Queries the bot must answer (callback, inline, pre-checkout) and their answers.
 * Telegram accepts one answer per query id while the query is fresh; an unknown, expired or
 * already answered id gets `400 Bad Request: query is too old and response timeout expired or query ID is invalid`.
 */
import { badRequest, QUERY_TOO_OLD, SimError, SimTimeoutError } from './errors';

interface Entry<Q, A> {
  query: Q;
  expiresAt: number;
  answer?: A;
  waiters: Array<(a: A) => void>;
}

/** Pending queries of one kind. `Q` is what the simulator remembers, `A` the bot's answer. */
export class PendingQueries<Q, A> {
  private readonly entries = new Map<string, Entry<Q, A>>();

  constructor(private readonly kind: string) {}

  /** Register a query that may be answered for `ttlMs`. */
  open(id: string, query: Q, ttlMs: number): void {
    this.entries.set(id, { query, expiresAt: Date.now() + ttlMs, waiters: [] });
  }

  /** What was registered (undefined when unknown). */
  get(id: string): Q | undefined {
    return this.entries.get(id)?.query;
  }

  /** The answer given so far, if any. */
  answerOf(id: string): A | undefined {
    return this.entries.get(id)?.answer;
  }

  /**
   * Record the bot's answer.
   * @throws ApiError 400 QUERY_TOO_OLD for unknown, expired or already answered ids.
   */
  answer(id: string, answer: A): Q {
    const e = this.entries.get(id);
    if (!e || e.answer !== undefined || Date.now() > e.expiresAt) throw badRequest(QUERY_TOO_OLD);
    e.answer = answer;
    // Later macrotask: the answering call is logged before waiters see the answer.
    for (const w of e.waiters.splice(0)) setImmediate(() => w(answer));
    return e.query;
  }

  /** Make the query unanswerable from now on (its time is up). */
  expire(id: string): void {
    const e = this.entries.get(id);
    if (e) e.expiresAt = 0;
  }

  /**
   * Wait for the bot's answer. With `expireOnTimeout`, the query stops being answerable when the wait ends.
   * @rejects SimError for unknown ids, SimTimeoutError after timeoutMs.
   */
  wait(id: string, timeoutMs: number, expireOnTimeout = false): Promise<A> {
    const e = this.entries.get(id);
    if (!e) return Promise.reject(new SimError(`unknown ${this.kind} ${id}`));
    if (e.answer !== undefined) return Promise.resolve(e.answer);
    return new Promise<A>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Expire in the same tick so a late answer is refused, never half-accepted.
        if (expireOnTimeout) e.expiresAt = 0;
        e.waiters = e.waiters.filter((w) => w !== done);
        reject(new SimTimeoutError(`the bot did not answer ${this.kind} ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (a: A): void => {
        clearTimeout(timer);
        resolve(a);
      };
      e.waiters.push(done);
    });
  }
}
