/**
 * Flood control as the Bot FAQ describes it (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
 * - in a single chat, no more than about one message per second; short bursts are tolerated
 *   (modelled as a token bucket of `perChatBurst` tokens refilled at `perChatPerSec`);
 * - in a group (and channel), no more than 20 messages per minute (sliding window);
 * - overall, about 30 messages per second per bot (sliding window).
 * Over budget, Telegram answers 429 with `retry_after` seconds and keeps refusing that scope until
 * the time has passed; requests arriving before then are refused again and recorded as early retries.
 */

/** Limits; pass `false` in server options to switch flood control off. */
export interface LimitsConfig {
  globalPerSec: number;
  perChatPerSec: number;
  perChatBurst: number;
  groupPerMin: number;
}

export const DEFAULT_LIMITS: LimitsConfig = { globalPerSec: 30, perChatPerSec: 1, perChatBurst: 3, groupPerMin: 20 };

/** What the request is aimed at. `chatKey` is absent for calls not bound to a chat (answerInlineQuery). */
export interface LimitTarget {
  botId: number;
  method: string;
  chatKey?: string;
  chatId?: number;
  isGroup?: boolean;
}

/** One 429 answer. Times are epoch milliseconds; `until` = at + retryAfter·1000. */
export interface RateLimitRejection {
  at: number;
  botId: number;
  method: string;
  chatId?: number;
  scope: 'chat' | 'group' | 'global';
  retryAfter: number;
  until: number;
  /** True when this request arrived while an earlier 429 for the same scope was still running. */
  early: boolean;
}

/** Everything flood control did so far. `earlyRetries` ⊆ `rejections`: callers that did not wait. */
export interface RateLimitReport {
  enabled: boolean;
  config: LimitsConfig | null;
  rejections: RateLimitRejection[];
  earlyRetries: RateLimitRejection[];
}

interface Bucket {
  tokens: number;
  updated: number;
}

/** Per-bot flood control. `take` either consumes budget or returns the 429 to give. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly windows = new Map<string, number[]>();
  private readonly penalties = new Map<string, number>();
  private readonly log: RateLimitRejection[] = [];

  constructor(
    private readonly cfg: LimitsConfig | null,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Account one counted request. Returns null when allowed (budget consumed) or the rejection
   * (already recorded) whose `retryAfter` the caller must send back.
   */
  take(t: LimitTarget): RateLimitRejection | null {
    if (!this.cfg) return null;
    const now = this.now();
    const globalKey = `g:${t.botId}`;
    const chatKey = t.chatKey ? `c:${t.botId}:${t.chatKey}` : undefined;

    // A running penalty refuses the whole scope until it ends (Telegram's flood wait).
    for (const [key, scope] of [[globalKey, 'global'], [chatKey, 'chat']] as const) {
      const until = key ? this.penalties.get(key) : undefined;
      if (key && until !== undefined && until > now) {
        return this.reject(t, now, scope, Math.ceil((until - now) / 1000), key, true, until);
      }
    }

    const globalWait = this.windowWait(globalKey, 1000, this.cfg.globalPerSec, now);
    if (globalWait > 0) return this.reject(t, now, 'global', secs(globalWait), globalKey, false);
    if (chatKey) {
      const chatWait = this.bucketWait(chatKey, now);
      if (chatWait > 0) return this.reject(t, now, 'chat', secs(chatWait), chatKey, false);
      if (t.isGroup) {
        const groupWait = this.windowWait(`m:${chatKey}`, 60_000, this.cfg.groupPerMin, now);
        if (groupWait > 0) return this.reject(t, now, 'group', secs(groupWait), chatKey, false);
      }
    }
    // Allowed: consume from every scope.
    this.push(globalKey, now);
    if (chatKey) {
      const b = this.bucket(chatKey, now);
      b.tokens -= 1;
      if (t.isGroup) this.push(`m:${chatKey}`, now);
    }
    return null;
  }

  /** A copy of everything refused so far. */
  report(): RateLimitReport {
    return {
      enabled: this.cfg !== null,
      config: this.cfg,
      rejections: this.log.map((r) => ({ ...r })),
      earlyRetries: this.log.filter((r) => r.early).map((r) => ({ ...r })),
    };
  }

  private reject(
    t: LimitTarget, now: number, scope: RateLimitRejection['scope'], retryAfter: number, penaltyKey: string, early: boolean,
    until = now + retryAfter * 1000,
  ): RateLimitRejection {
    if (!early) this.penalties.set(penaltyKey, until);
    const r: RateLimitRejection = { at: now, botId: t.botId, method: t.method, scope, retryAfter, until, early };
    if (t.chatId !== undefined) r.chatId = t.chatId;
    this.log.push(r);
    return r;
  }

  private bucket(key: string, now: number): Bucket {
    const cfg = this.cfg as LimitsConfig;
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: cfg.perChatBurst, updated: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(cfg.perChatBurst, b.tokens + ((now - b.updated) / 1000) * cfg.perChatPerSec);
    b.updated = now;
    return b;
  }

  /** Milliseconds until one token is available (0 = now). */
  private bucketWait(key: string, now: number): number {
    const b = this.bucket(key, now);
    if (b.tokens >= 1) return 0;
    return ((1 - b.tokens) / (this.cfg as LimitsConfig).perChatPerSec) * 1000;
  }

  /** Milliseconds until the sliding window has room (0 = now). */
  private windowWait(key: string, spanMs: number, max: number, now: number): number {
    const w = (this.windows.get(key) ?? []).filter((t) => t > now - spanMs);
    this.windows.set(key, w);
    if (w.length < max) return 0;
    return (w[w.length - max] as number) + spanMs - now;
  }

  private push(key: string, now: number): void {
    const w = this.windows.get(key) ?? [];
    w.push(now);
    this.windows.set(key, w);
  }
}

const secs = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
