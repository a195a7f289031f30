import { z } from 'zod';

/**
 * The runtime contract (DESIGN §6), parsed once from the environment with zod.
 * Durations are in milliseconds; ids are Telegram ids.
 */
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
  /** The house maker's budget of a new admin market, kop (DESIGN §9; docs/LIQUIDITY.md): 1 000 ₽. */
  MM_BUDGET: z.coerce.number().int().min(1_000).max(100_000_000).default(100_000),
  /** The ante a group market's creator gives its maker, kop: 100 ₽. */
  GROUP_ANTE: z.coerce.number().int().min(1_000).max(100_000_000).default(10_000),
});

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
  /** Resolution rules (docs/RESOLUTION.md): admins needed to confirm an outcome, dispute window in ms. */
  resolution: ResolutionPolicy;
  /** Dispute window of a creator-resolved group market, ms (GROUP_DISPUTE_WINDOW). */
  groupDisputeWindowMs: number;
  /** House maker funding (docs/LIQUIDITY.md), kop: admin market budget `MM_BUDGET`, group ante `GROUP_ANTE`. */
  liquidity: { mmBudgetKop: number; groupAnteKop: number };
}

/** How an outcome becomes final: `quorum` distinct admins back it, then `disputeWindowMs` pass without a dispute. */
export interface ResolutionPolicy {
  quorum: number;
  disputeWindowMs: number;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `0`, or a whole number with a unit s/m/h/d (`2h`, `30m`), to ms; null for anything else. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d{1,6})\s*([smhd]?)\s*$/.exec(text);
  if (!m) return null;
  if (!m[2]) return Number(m[1]) === 0 ? 0 : null;
  return Number(m[1]) * UNIT_MS[m[2]];
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
    resolution: { quorum: e.RESOLVE_QUORUM, disputeWindowMs: e.DISPUTE_WINDOW },
    groupDisputeWindowMs: e.GROUP_DISPUTE_WINDOW,
    liquidity: { mmBudgetKop: e.MM_BUDGET, groupAnteKop: e.GROUP_ANTE },
  };
}
