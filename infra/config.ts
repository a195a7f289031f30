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
  WEBHOOK_URL: z.string().default(''),
  WEBHOOK_SECRET: z.string().default(''),
  /** BullMQ key prefix; tests use a fresh one per run so runs never see each other's jobs. */
  QUEUE_PREFIX: z.string().default('pravda'),
  HTTP_PORT: z.coerce.number().int().default(0),
  LOG_LEVEL: z.string().default('info'),
});

export interface Config {
  botToken: string;
  apiRoot: string;
  databaseUrl: string;
  redisUrl: string;
  adminIds: Set<number>;
  paymentProviderToken: string;
  digestChannelId: string;
  webhookUrl: string;
  webhookSecret: string;
  queuePrefix: string;
  httpPort: number;
  logLevel: string;
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
    webhookUrl: e.WEBHOOK_URL,
    webhookSecret: e.WEBHOOK_SECRET,
    queuePrefix: e.QUEUE_PREFIX,
    httpPort: e.HTTP_PORT,
    logLevel: e.LOG_LEVEL,
  };
}
