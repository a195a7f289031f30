/**
 * End-to-end harness: the real bot (createBot + launch, long polling) against the local Bot API
 * (tools/botapi/, in-process, random port, flood control on), a fresh database, the real workers in
 * process, and a unique Redis prefix removed afterwards. Simulated users drive it.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { dropKeys } from '../helpers/redis-keys';
import type { DataSource } from 'typeorm';
import { launchBot, type RunningBot } from '../../bot/launch';
import { createBotApiServer, type BotApiServer } from '../../tools/botapi/server';
import type { BotInfo, MessageMatch, SimMessage, SimUser } from '../../tools/botapi/sim-types';
import type { Simulator } from '../../tools/botapi/simulator';
import { ensureUserAccounts, post, systemAccountId } from '../../domain/ledger/ledger';
import { kop } from '../../domain/money';
import type { PlaceOrderCommand } from '../../domain/services/commands';
import { createMarket } from '../../domain/services/markets';
import { upsertUser } from '../../domain/services/users';
import { referralPolicyOf } from '../../domain/services/referral-rules';
import { parsePrizes } from '../../domain/services/league-rules';
import { loadConfig } from '../../infra/config';
import { startWorkers, type RunningWorkers } from '../../workers';
import { digestScheduleOf } from '../../workers/digests';
import { Queues } from '../../jobs/queues';
import { freshDatabase } from '../helpers/db';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Waits cover flood control (1 message/s per chat, burst 3): a step may wait a second or two for its turn. */
export const WAIT_MS = 15_000;

export interface Env {
  ds: DataSource;
  sim: Simulator;
  botInfo: BotInfo;
  queues: Queues;
  admin: SimUser;
  /** Every admin, `admin` first. */
  admins: SimUser[];
  /** The digest channel (EnvOptions.digest), created by `admin` with the bot as its administrator. */
  channelId?: number;
  /** Redis key prefix of this run (QUEUE_PREFIX). */
  prefix: string;
  /** Log lines at level error or above (the error boundary logs every handler failure here). */
  errors: string[];
  running: RunningBot;
  /** Starts the workers (EnvOptions.deferWorkers, or after stopWorkers); a no-op while they run. */
  startWorkers(): Promise<void>;
  /** Stops the workers: commands are still recorded, nothing applies them until startWorkers. */
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export interface EnvOptions {
  /** PAYMENT_PROVIDER_TOKEN; '' disables deposits. */
  providerToken?: string;
  /** Webhook mode instead of long polling: WEBHOOK_URL, WEBHOOK_SECRET and the port to listen on. */
  webhook?: { url: string; secret: string; port: number };
  /** Resolution rules: RESOLVE_QUORUM and DISPUTE_WINDOW (e.g. '3s'), and more admins than the one. */
  resolution?: { quorum: number; disputeWindow: string; admins: number };
  /** GROUP_DISPUTE_WINDOW (e.g. '0'); default the product's (2 h). */
  groupDisputeWindow?: string;
  /** A digest channel and its schedule (DIGEST_CHANNEL_ID, DIGEST_CRON, DIGEST_LANG). */
  digest?: { cron: string; lang: 'ru' | 'en' };
  /** The season/streak clock of the bot and the season close (issue 12); default: real time. */
  clock?: () => Date;
  /** More environment for the bot and workers (e.g. RATE_LIMIT_POINTS, WITHDRAW_QUORUM_KOP, WITHDRAW_SLA). */
  env?: Record<string, string>;
  /** Do not start the workers yet (Env.startWorkers does): commands wait, as in an outage of the workers. */
  deferWorkers?: boolean;
}

/** Starts everything; `close()` stops it in reverse order and drops the database and Redis keys. */
export async function startEnv(tag: string, opts: EnvOptions = {}): Promise<Env> {
  const db = await freshDatabase(tag);
  const prefix = `e2e-${tag}-${randomBytes(4).toString('hex')}`;
  const server: BotApiServer = createBotApiServer();
  const url = await server.listen();
  const sim = server.sim;
  const botInfo = sim.createBot({ username: `pravda_${tag}_bot`, first_name: 'Pravda Market' });
  const admin = sim.createUser({ first_name: 'Admin', username: 'admin', language_code: 'ru' });
  const admins = [admin, ...Array.from({ length: (opts.resolution?.admins ?? 1) - 1 }, (_, i) =>
    sim.createUser({ first_name: `Admin${i + 2}`, username: `admin${i + 2}`, language_code: 'ru' }))];
  const channelId = opts.digest ? sim.createChannel({ title: 'Pravda Digest', creatorId: admin.id }).id : undefined;
  const errors: string[] = [];
  const logger = pino({ level: 'warn' }, new Writable({
    write(chunk: Buffer, _enc, done) {
      const entry = JSON.parse(chunk.toString()) as { level: number; msg: string; err?: { message?: string } };
      if (entry.level >= 50) errors.push(`${entry.msg}: ${entry.err?.message ?? ''}`);
      done();
    },
  }));
  const config = loadConfig({
    BOT_TOKEN: botInfo.token, TELEGRAM_API_ROOT: url, DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix,
    ADMIN_IDS: admins.map((a) => a.id).join(','), PAYMENT_PROVIDER_TOKEN: opts.providerToken ?? 'test-provider-token',
    ...(opts.resolution ? { RESOLVE_QUORUM: String(opts.resolution.quorum), DISPUTE_WINDOW: opts.resolution.disputeWindow } : {}),
    ...(opts.groupDisputeWindow !== undefined ? { GROUP_DISPUTE_WINDOW: opts.groupDisputeWindow } : {}),
    ...(opts.digest ? { DIGEST_CHANNEL_ID: String(channelId), DIGEST_CRON: opts.digest.cron, DIGEST_LANG: opts.digest.lang } : {}),
    ...(opts.webhook ? { WEBHOOK_URL: opts.webhook.url, WEBHOOK_SECRET: opts.webhook.secret, HTTP_PORT: String(opts.webhook.port) } : {}),
    ...opts.env,
  });
  let workers: RunningWorkers | null = null;
  const runWorkers = async () => {
    workers ??= await startWorkers({
      ds: db.ds, redisUrl: REDIS_URL, prefix, botToken: botInfo.token, apiRoot: url, logger, digest: digestScheduleOf(config),
      withdrawalSla: { slaMs: config.withdrawals.slaMs, adminChatIds: [...config.adminIds] },
      referral: referralPolicyOf(config.referral),
      league: { prizes: parsePrizes(config.leaguePrizes) ?? new Map(), ...(opts.clock ? { now: opts.clock } : {}) },
    });
  };
  const stopWorkers = async () => {
    const w = workers;
    workers = null;
    await w?.close();
  };
  if (!opts.deferWorkers) await runWorkers();
  const queues = new Queues(db.ds, REDIS_URL, prefix);
  const running = await launchBot({ ds: db.ds, queues, config, redisUrl: REDIS_URL, logger, ...(opts.clock ? { clock: opts.clock } : {}) }, { handleSignals: false });
  return {
    ds: db.ds, sim, botInfo, queues, admin, admins, channelId, prefix, errors, running,
    startWorkers: runWorkers,
    stopWorkers,
    close: async () => {
      await running.stop('test done');
      await stopWorkers();
      await queues.close();
      await server.close();
      await db.drop();
      await dropKeys(REDIS_URL, prefix);
    },
  };
}

/** A user who has sent /start and got the welcome. */
export async function startedUser(env: Env, first_name: string, language_code = 'ru'): Promise<SimUser> {
  const user = env.sim.createUser({ first_name, language_code });
  env.sim.sendText({ userId: user.id, text: '/start' });
  await waitFor(env, user, { hasKeyboard: true });
  return user;
}

/** Waits for a bot message (new or edited after the user's latest action) in the user's chat. */
export function waitFor(env: Env, user: SimUser, match: MessageMatch, since?: number): Promise<SimMessage> {
  return env.sim.waitForBotMessage(user.id, match, WAIT_MS, since === undefined ? {} : { since });
}

/** Presses a button (by its text) on the latest bot message that has it; returns the handle. */
export function press(env: Env, user: SimUser, text: string, messageId?: number) {
  return env.sim.pressButton({ userId: user.id, text, ...(messageId === undefined ? {} : { messageId }) });
}

/** The user's account id in the database (users.id), created like /start would. */
export async function accountOf(env: Env, user: SimUser): Promise<number> {
  return (await upsertUser(env.ds, { id: user.id, first_name: user.first_name, language_code: user.language_code })).user.id;
}

/** Credits `rub` roubles through the real ledger, as a deposit would. */
export async function fund(env: Env, user: SimUser, rub: number): Promise<number> {
  const userId = await accountOf(env, user);
  const acc = await ensureUserAccounts(env.ds.manager, userId);
  const from = await systemAccountId(env.ds.manager, 'external:telegram:deposits');
  await env.ds.transaction((m) => post(m, [{ from, to: acc.available, amount: kop(rub * 100), kind: 'deposit', refType: 'test' }]));
  return userId;
}

/** An open market, `hours` until its deadline. */
export async function market(env: Env, title: string, category = 'weather', hours = 48): Promise<number> {
  // No house maker: these tests place their own liquidity (liquidityKop > 0 gives a market a maker).
  const r = await createMarket(env.ds, { title, category, deadline: new Date(Date.now() + hours * 3_600_000), createdBy: null, liquidityKop: kop(0) });
  if (!r.ok) throw new Error(r.code);
  return r.market.id;
}

let seq = 0;
/** A resting limit order placed straight through the matching queue (liquidity for the bot's users). */
export async function restingOrder(env: Env, cmd: Omit<PlaceOrderCommand, 'type' | 'idempotencyKey' | 'kind' | 'tif'>): Promise<void> {
  const r = await env.queues.submit({ type: 'place', idempotencyKey: `e2e-${seq++}-${randomBytes(3).toString('hex')}`, kind: 'limit', tif: 'GTC', ...cmd }, WAIT_MS);
  if (!r.ok) throw new Error(`resting order refused: ${r.code}`);
}

/**
 * Resolves once `check()` holds, re-checking on every poll of the event loop's timers (for state a
 * worker changes without sending a message); fails after WAIT_MS.
 */
export async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Text of the button labels of a message, row by row. */
export function buttons(m: SimMessage): string[] {
  const markup = m.replyMarkup as { inline_keyboard?: { text: string }[][] } | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.text);
}
