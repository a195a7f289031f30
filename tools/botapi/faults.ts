/**
 * Injected Bot API failures (issue 15: the circuit breaker under a failing Bot API). While set,
 * every method call (or only `methods`) of any bot answers `status` with `description`, as a
 * Telegram outage would (502 Bad Gateway), up to `count` times (default: until cleared).
 * Driven by `POST /_sim/faults` (routes/simControl.ts) or `sim.faults` in process.
 */
import { ApiError, SimError } from './errors';

export interface FaultSpec {
  /** HTTP status / error_code, 400..599. */
  status: number;
  description?: string;
  /** Only these methods (default: all). */
  methods?: string[];
  /** How many calls fail (default: all until `clear`). */
  count?: number;
  /** For 429: `parameters.retry_after`, seconds. */
  retryAfter?: number;
}

export class FaultInjector {
  private spec: FaultSpec | undefined;
  private left = Infinity;
  /** Calls failed on purpose so far. */
  injected = 0;

  /** Starts failing calls as `spec` says (replaces any earlier spec). @throws SimError for a bad status. */
  set(spec: FaultSpec): { ok: true } {
    if (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599) throw new SimError('"status" must be 400..599');
    this.spec = spec;
    this.left = spec.count ?? Infinity;
    return { ok: true };
  }

  /** Stops failing calls. */
  clear(): { ok: true } {
    this.spec = undefined;
    return { ok: true };
  }

  /** The error this call of `method` must fail with, if any (counts it). */
  take(method: string): ApiError | undefined {
    const s = this.spec;
    if (!s || this.left <= 0 || (s.methods && !s.methods.includes(method))) return undefined;
    this.left--;
    this.injected++;
    if (s.status === 429) return new ApiError(429, s.description ?? `Too Many Requests: retry after ${s.retryAfter ?? 1}`, { retry_after: s.retryAfter ?? 1 });
    return new ApiError(s.status, s.description ?? (s.status >= 500 ? 'Bad Gateway' : 'Bad Request'));
  }
}
