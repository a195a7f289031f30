import ms from 'ms';
import { z } from 'zod';

/**
 * The runtime contract (DESIGN §6), parsed once from the environment with zod.
 * Durations are in milliseconds; ids are Telegram ids.
 */
/** An env duration (`2h`, `30m`, `45s`, `0`) in ms, with its default. */
function durationOf(name: string, fallback: string) {
  return z.string().default(fallback).transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name} must look like 2h, 30m, 45s or 0` });
    return ms ?? 0;
  });
}

/** The shortest COMMANDS_RETENTION accepted: one day, ms. */
export const COMMANDS_RETENTION_MIN_MS = 86_400_000;

/** The bounds of OUTAGE_RETRY_MS, ms: at least a second of retrying, at most five minutes of waiting. */
export const OUTAGE_RETRY_MIN_MS = 1_000;
export const OUTAGE_RETRY_MAX_MS = 300_000;

const schema = z.object({
  BOT_TOKEN: z.string().default(''),
  TELEGRAM_API_ROOT: z.string().url().default('https://api.telegram.org'),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/pravda'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  ADMIN_IDS: z.string().default(''),
  PAYMENT_PROVIDER_TOKEN: z.string().default(''),
  DIGEST_CHANNEL_ID: z.string().default(''),
  /** When channel digests are posted: a cron pattern in Moscow time (BullMQ job scheduler); default daily at 09:00. */
  DIGEST_CRON: z.string().min(1).default('0 9 * * *'),
  /** Language of the channel digest. */
  DIGEST_LANG: z.enum(['ru', 'en']).default('ru'),
  WEBHOOK_URL: z.string().default(''),
  WEBHOOK_SECRET: z.string().default(''),
  /** BullMQ key prefix; tests use a fresh one per run so runs never see each other's jobs. */
  QUEUE_PREFIX: z.string().default('pravda'),
  HTTP_PORT: z.coerce.number().int().default(0),
  /** Admins who must back an outcome before it is final (the proposer counts as one). */
  RESOLVE_QUORUM: z.coerce.number().int().min(1).default(1),
  /** How long holders may dispute a confirmed outcome: `2h`, `30m`, `45s`, `0` (none). */
  DISPUTE_WINDOW: z.string().default('0').transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'DISPUTE_WINDOW must look like 2h, 30m, 45s or 0' });
    return ms ?? 0;
  }),
  /**
   * Dispute window of a group market resolved by its own creator (docs/GROUPS.md): the house maker
   * makes a false resolution profitable, so holders always get time to object. Default 2 h.
   */
  GROUP_DISPUTE_WINDOW: z.string().default('2h').transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'GROUP_DISPUTE_WINDOW must look like 2h, 30m, 45s or 0' });
    return ms ?? 0;
  }),
  LOG_LEVEL: z.string().default('info'),
  // Operations (docs/OPERATIONS.md, issue 15).
  /** Telegram chat (an admins' group or an admin's id) that the money monitor alerts. Empty: alerts are only logged. */
  ALERT_CHAT_ID: z.string().default(''),
  /** How often the money monitor runs the audit and checks the queues. */
  MONITOR_EVERY: durationOf('MONITOR_EVERY', '1m'),
  /** A queue whose oldest waiting job is older than this is an incident. */
  ALERT_QUEUE_AGE: durationOf('ALERT_QUEUE_AGE', '5m'),
  /** This many failed payments within two MONITOR_EVERY periods is an incident. */
  ALERT_FAILED_PAYMENTS: z.coerce.number().int().min(1).default(3),
  /** Per-user rate limit of updates: RATE_LIMIT_POINTS updates per RATE_LIMIT_WINDOW. */
  RATE_LIMIT_POINTS: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_WINDOW: durationOf('RATE_LIMIT_WINDOW', '10s'),
  /** Withdrawals (docs/WITHDRAWALS.md): requests per Moscow day, min / max per request (kop). */
  WITHDRAW_DAILY_COUNT: z.coerce.number().int().min(1).default(3),
  WITHDRAW_MIN_KOP: z.coerce.number().int().min(1).default(10_000),
  WITHDRAW_MAX_KOP: z.coerce.number().int().min(1).default(50_000_000),
  /** Withdrawn per Moscow month without a fee (kop), and the fee above it (basis points: 100 = 1 %). */
  WITHDRAW_FREE_MONTHLY_KOP: z.coerce.number().int().min(0).default(1_000_000),
  WITHDRAW_FEE_BPS: z.coerce.number().int().min(0).max(10_000).default(100),
  /** Above this amount (kop) a second admin must approve. */
  WITHDRAW_QUORUM_KOP: z.coerce.number().int().min(0).default(10_000_000),
  /** A request pending longer than this reminds the admins: `24h`, `30m`, `45s`. */
  WITHDRAW_SLA: z.string().default('24h').transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null || ms === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'WITHDRAW_SLA must look like 24h, 30m or 45s' });
    return ms ?? 0;
  }),
  /**
   * How long applied matching commands are kept in `commands` (issue 13): `7d`, `36h`. At least
   * 1 day, since a key must still be known when a repeat can come: Telegram redelivers an update
   * within a day and a bet's claim lasts 24 h (bot/features/bet/submit.ts).
   */
  COMMANDS_RETENTION: z.string().default('7d').transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null || ms < COMMANDS_RETENTION_MIN_MS) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'COMMANDS_RETENTION must be a duration of at least 1d (7d, 36h)' });
    return ms ?? 0;
  }),
  /** Most commands of a market per matching transaction (1–5 000); empty: the workers' BATCH_MAX (workers/matching.ts). */
  MATCHING_BATCH_MAX: z.string().default('').transform((s, ctx) => {
    if (s.trim() === '') return undefined;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 5_000) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'MATCHING_BATCH_MAX must be a whole number from 1 to 5000' });
    return n;
  }),
  /**
   * How long a command waits for the database to answer again before it is refused as `unavailable`
   * (issue 13: a short outage delays commands, it does not fail them), ms, 1 000–300 000.
   */
  OUTAGE_RETRY_MS: z.string().default('30000').transform((s, ctx) => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isInteger(n) || n < OUTAGE_RETRY_MIN_MS || n > OUTAGE_RETRY_MAX_MS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'OUTAGE_RETRY_MS must be a whole number of ms from 1000 to 300000' });
    }
    return n;
  }),
  /** The house maker's budget of a new admin market, kop (DESIGN §9; docs/LIQUIDITY.md): 1 000 ₽. */
  MM_BUDGET: z.coerce.number().int().min(1_000).max(100_000_000).default(100_000),
  /** The ante a group market's creator gives its maker, kop: 100 ₽. */
  GROUP_ANTE: z.coerce.number().int().min(1_000).max(100_000_000).default(10_000),
  /** Price alerts one user may keep (issue 11); the next one is refused with `alert_limit`. */
  ALERTS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Referral reward (issue 12) paid to both inviter and invitee from house:promo, kop: 100 ₽; 0 turns rewards off. */
  REFERRAL_REWARD_KOP: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
  /** Most inviter rewards per Moscow calendar month (the invitee is rewarded anyway). */
  REFERRAL_MONTHLY_CAP: z.coerce.number().int().min(0).default(20),
  /** League prizes per cohort place, kop, paid from house:promo at each season's close: "1:50000,2:25000,3:10000"; empty: none. */
  LEAGUE_PRIZES: z.string().default('').refine((s) => /^\s*$|^\s*[1-9]\d{0,3}\s*:\s*[1-9]\d{0,9}\s*(,\s*[1-9]\d{0,3}\s*:\s*[1-9]\d{0,9}\s*)*$/.test(s), {
    message: 'LEAGUE_PRIZES must look like 1:50000,2:25000,3:10000 (place:kop) or be empty',
  }),
  /** Public https URL of the Mini App (…/app/); when empty the bot shows nothing about it (docs/MINIAPP.md). */
  MINIAPP_URL: z.string().default(''),
  /** How old a Mini App's initData may be: `24h`, `30m`, `0` (no limit). */
  MINIAPP_AUTH_MAX_AGE: z.string().default('24h').transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'MINIAPP_AUTH_MAX_AGE must look like 24h, 30m or 0' });
    return ms ?? 0;
  }),
});

/** Every environment variable the runtime contract reads (the compose file must pass each through). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

export interface Config {
  botToken: string;
  apiRoot: string;
  databaseUrl: string;
  redisUrl: string;
  adminIds: Set<number>;
  paymentProviderToken: string;
  digestChannelId: string;
  /** Cron pattern of the channel digest, Moscow time. */
  digestCron: string;
  digestLang: 'ru' | 'en';
  webhookUrl: string;
  webhookSecret: string;
  queuePrefix: string;
  httpPort: number;
  logLevel: string;
  /** The Mini App (docs/MINIAPP.md): its public URL ('' = off) and the oldest initData accepted, ms (0 = any age). */
  miniApp: { url: string; authMaxAgeMs: number };
  /** Resolution rules (docs/RESOLUTION.md): admins needed to confirm an outcome, dispute window in ms. */
  resolution: ResolutionPolicy;
  /** The money monitor and its alerts (workers/monitor.ts). */
  monitor: MonitorSettings;
  /** Per-user update rate limit (bot/middleware/rate-limit.ts): `points` updates per `windowMs`. */
  rateLimit: { points: number; windowMs: number };
  /** Withdrawal limits and fees (WITHDRAW_*); kop, basis points, ms. */
  withdrawals: WithdrawalConfig;
  /** Dispute window of a creator-resolved group market, ms (GROUP_DISPUTE_WINDOW). */
  groupDisputeWindowMs: number;
  /** House maker funding (docs/LIQUIDITY.md), kop: admin market budget `MM_BUDGET`, group ante `GROUP_ANTE`. */
  liquidity: { mmBudgetKop: number; groupAnteKop: number };
  /** Most price alerts per user (ALERTS_PER_USER). */
  alertsPerUser: number;
  /** Referral rewards (issue 12): kop to each side (0 = off), inviter rewards per Moscow month. */
  referral: { rewardKop: number; monthlyCap: number };
  /** League prizes as configured (LEAGUE_PRIZES, "place:kop,…"; parsed by domain/services/league-rules.ts). */
  leaguePrizes: string;
  /** How long applied matching commands are kept, ms (COMMANDS_RETENTION, ≥ 1 day). */
  commandsRetentionMs: number;
  /** Most commands per matching transaction (MATCHING_BATCH_MAX); undefined: the workers' default. */
  matchingBatchMax: number | undefined;
  /** How long commands are retried through a database outage before `unavailable`, ms (OUTAGE_RETRY_MS). */
  outageRetryMs: number;
}

/** What the money monitor watches and whom it tells. Durations in ms. */
export interface MonitorSettings {
  alertChatId: string;
  everyMs: number;
  queueAgeMs: number;
  failedPayments: number;
}

/** Withdrawal limits and fees as configured (plain numbers: kop, basis points, ms). */
export interface WithdrawalConfig {
  dailyCount: number;
  minKop: number;
  maxKop: number;
  monthlyFreeKop: number;
  feeBps: number;
  quorumKop: number;
  slaMs: number;
}

/** How an outcome becomes final: `quorum` distinct admins back it, then `disputeWindowMs` pass without a dispute. */
export interface ResolutionPolicy {
  quorum: number;
  disputeWindowMs: number;
}

/**
 * A duration to ms, parsed by the `ms` package: `0`, or an amount with a unit (`2h`, `30m`, `45s`,
 * `1d`, `90 minutes`). null for anything else, including a bare non-zero number (minutes or ms?),
 * a negative duration and a fraction of a millisecond.
 */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (/^0+$/.test(s)) return 0;
  if (!/[a-z]/i.test(s)) return null;
  const out: number | undefined = ms(s as ms.StringValue);
  return typeof out === 'number' && Number.isSafeInteger(out) && out >= 0 ? out : null;
}

/** Reads the environment. @throws ZodError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = schema.parse(env);
  return {
    botToken: e.BOT_TOKEN,
    apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    adminIds: new Set(
      e.ADMIN_IDS.split(',').map((s) => s.trim()).filter(Boolean).map(Number).filter(Number.isSafeInteger),
    ),
    paymentProviderToken: e.PAYMENT_PROVIDER_TOKEN,
    digestChannelId: e.DIGEST_CHANNEL_ID,
    digestCron: e.DIGEST_CRON,
    digestLang: e.DIGEST_LANG,
    webhookUrl: e.WEBHOOK_URL,
    webhookSecret: e.WEBHOOK_SECRET,
    queuePrefix: e.QUEUE_PREFIX,
    httpPort: e.HTTP_PORT,
    logLevel: e.LOG_LEVEL,
    miniApp: { url: e.MINIAPP_URL, authMaxAgeMs: e.MINIAPP_AUTH_MAX_AGE },
    resolution: { quorum: e.RESOLVE_QUORUM, disputeWindowMs: e.DISPUTE_WINDOW },
    monitor: { alertChatId: e.ALERT_CHAT_ID, everyMs: e.MONITOR_EVERY || 60_000, queueAgeMs: e.ALERT_QUEUE_AGE, failedPayments: e.ALERT_FAILED_PAYMENTS },
    rateLimit: { points: e.RATE_LIMIT_POINTS, windowMs: e.RATE_LIMIT_WINDOW || 10_000 },
    withdrawals: {
      dailyCount: e.WITHDRAW_DAILY_COUNT, minKop: e.WITHDRAW_MIN_KOP, maxKop: e.WITHDRAW_MAX_KOP,
      monthlyFreeKop: e.WITHDRAW_FREE_MONTHLY_KOP, feeBps: e.WITHDRAW_FEE_BPS, quorumKop: e.WITHDRAW_QUORUM_KOP, slaMs: e.WITHDRAW_SLA,
    },
    groupDisputeWindowMs: e.GROUP_DISPUTE_WINDOW,
    liquidity: { mmBudgetKop: e.MM_BUDGET, groupAnteKop: e.GROUP_ANTE },
    alertsPerUser: e.ALERTS_PER_USER,
    referral: { rewardKop: e.REFERRAL_REWARD_KOP, monthlyCap: e.REFERRAL_MONTHLY_CAP },
    leaguePrizes: e.LEAGUE_PRIZES,
    commandsRetentionMs: e.COMMANDS_RETENTION,
    matchingBatchMax: e.MATCHING_BATCH_MAX,
    outageRetryMs: e.OUTAGE_RETRY_MS,
  };
}
