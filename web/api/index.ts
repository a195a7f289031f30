/**
 * The Mini App on the process's one fastify server: the built app under `/app` (@fastify/static)
 * and its JSON API under `/api` (docs/MINIAPP.md). Every API request is signed in by Telegram
 * initData (auth.ts) and must name a user who has started the bot; inputs are zod-checked
 * (schemas.ts), bodies are small, each user has a request budget (rate-limiter-flexible), and
 * failures carry the bot's codes with the user's localized text. Orders go through the same
 * matching queue as the bot's (jobs/queues Queues.submit), previewed by the same previewBet.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { DataSource, EntityManager } from 'typeorm';
import type { Language, Market } from '../../domain/entities';
import { bestOwnPrice, guardPrice, orderSize } from '../../domain/exchange/bet-size';
import { isBuy } from '../../domain/exchange/intent';
import { MAX_NOTIONAL_KOP, MIN_NOTIONAL_KOP } from '../../domain/exchange/limits';
import { marketShut } from '../../domain/exchange/pre-trade';
import { candles, marketPage, recentTrades, tradeHistory, type Timeframe } from '../../domain/read/miniapp';
import { categoryCounts, getMarket } from '../../domain/read/markets';
import { portfolio } from '../../domain/read/portfolio';
import { bookView, quote } from '../../domain/read/quotes';
import { tradingState } from '../../domain/read/trading-state';
import type { CommandResult, MatchingCommand } from '../../domain/services/commands';
import { recordedCommand } from '../../domain/services/command-log';
import type { Failure } from '../../domain/services/result';
import { feeTierOf, previewBet, type BetInput } from '../../domain/services/trading';
import { findUserByTelegramId, languageFromTelegram } from '../../domain/services/users';
import { walletOf } from '../../domain/read/balances';
import { hasText, t } from '../../infra/i18n';
import { InitDataChecker, initDataOf, type AuthFailure } from './auth';
import { LiveHub } from './live';
import { PageCache, TtlCache } from './page-cache';
import {
  cancelBody, liveQuery, marketListQuery, marketParams, marketQuery, orderBody, orderInputCode, pageQuery, placeBody, type OrderBody,
} from './schemas';

/** Markets per page of the app's list. */
export const APP_PAGE_SIZE = 20;
/** Levels of each side of the book on the market page. */
export const BOOK_DEPTH = 10;
/** Requests per user per second (a page load makes 2–3; a chart timeframe switch 1). */
export const REQUESTS_PER_SECOND = 20;
/** Largest accepted request body, bytes (orders are a few dozen). */
export const BODY_LIMIT = 2048;

export interface MiniAppDeps {
  ds: DataSource;
  /** Only the submit call of jobs/queues Queues. */
  queues: { submit(cmd: MatchingCommand, waitMs?: number): Promise<CommandResult> };
  redisUrl: string;
  /** QUEUE_PREFIX: the channel live updates come on. */
  prefix: string;
  botToken: string;
  /** Oldest initData accepted, ms (0: any age). */
  authMaxAgeMs: number;
  /** The built app (vite build output); default dist/app next to the repository root. */
  appDir?: string;
  /** How long a place/cancel waits for the worker, ms. */
  submitWaitMs?: number;
  /** Per-user request budget per second; default {@link REQUESTS_PER_SECOND} (the benchmark raises it). */
  requestsPerSecond?: number;
}

/** Who an authenticated request is from. */
interface Caller {
  userId: number;
  lang: Language;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** Where `npm run build:app` writes the app. */
export function defaultAppDir(): string {
  return path.resolve(__dirname, '..', '..', ...(path.basename(path.resolve(__dirname, '..', '..')) === 'dist' ? ['..'] : []), 'dist', 'app');
}

function sendFailure(reply: FastifyReply, status: number, lang: Language, code: string, vars?: Record<string, string | number>) {
  return reply.code(status).send({ ok: false, error: code, message: t(lang, hasText(lang, `errors.${code}`) ? `errors.${code}` : `miniapp.${code}`, vars ?? {}), vars: vars ?? {} });
}

function sendAuthFailure(reply: FastifyReply, lang: Language, why: AuthFailure) {
  return reply.code(401).send({ ok: false, error: `auth_${why}`, message: t(lang, `miniapp.auth.${why}`) });
}

/**
 * The market page as the app shows it (serialized once per batch, page-cache.ts): the market,
 * its quote, the top {@link BOOK_DEPTH} levels of each side, recent trades and candles at `tf`.
 * Undefined for an unknown market or a group's market (those live in their chat).
 */
async function marketPageJson(m: EntityManager, id: number, tf: Timeframe): Promise<string | undefined> {
  const market = await getMarket(m, id);
  if (!market || market.chatId !== null) return undefined;
  const [qt, book, trades, chart] = await Promise.all([
    quote(m, market.id), bookView(m, market.id, BOOK_DEPTH), recentTrades(m, market.id), candles(m, market.id, tf),
  ]);
  return JSON.stringify({
    ok: true,
    market: {
      id: market.id, title: market.title, rules: market.description, category: market.category, deadline: market.deadline.getTime(),
      state: tradingState(market), outcome: market.outcome, lastPrice: market.lastPrice, volumeKop: market.volumeKop,
    },
    quote: qt, book, trades, candles: chart, timeframe: tf,
  });
}

/** The portfolio page: positions with P&L, open orders, one page of trades, balances (serialized, page-cache.ts). */
async function portfolioJson(m: EntityManager, userId: number, page: number): Promise<string> {
  const [held, history, balance] = await Promise.all([
    portfolio(m, userId), tradeHistory(m, userId, { page, pageSize: APP_PAGE_SIZE }), walletOf(m, userId),
  ]);
  return JSON.stringify({ ok: true, ...held, history: { ...history, page, pageSize: APP_PAGE_SIZE }, balance });
}

/** HTTP status of a domain failure: unknown market 404, a queued order 202, the database away 503, anything else 422. */
function statusOf(f: Failure): number {
  if (f.code === 'market_not_found') return 404;
  if (f.code === 'order_queued') return 202;
  if (f.code === 'unavailable') return 503;
  if (f.code === 'internal') return 500;
  return 422;
}

/**
 * Registers `/api/*` and `/app/*` on `app` (call before `listen`). Returns a closer for the live
 * hub's Redis connection.
 */
export async function registerMiniApp(app: FastifyInstance, deps: MiniAppDeps): Promise<{ close(): Promise<void> }> {
  const limiter = new RateLimiterMemory({ points: deps.requestsPerSecond ?? REQUESTS_PER_SECOND, duration: 1 });
  const m = () => deps.ds.manager;
  const marketPages = new PageCache();
  const portfolios = new PageCache();
  // A committed batch: its market's pages and every portfolio (a fill may touch anyone's) load afresh.
  const live = new LiveHub(deps.redisUrl, deps.prefix, (id) => {
    marketPages.bump(id);
    portfolios.bumpAll();
  });
  await live.start();
  const callers = new TtlCache<number, Caller>(async (telegramId) => {
    const user = await findUserByTelegramId(m(), telegramId);
    return user ? { userId: user.id, lang: user.language } : undefined;
  });
  const initData = new InitDataChecker(deps.botToken, Math.floor(deps.authMaxAgeMs / 1000));

  const appDir = deps.appDir ?? defaultAppDir();
  if (existsSync(appDir)) {
    await app.register(fastifyStatic, { root: appDir, prefix: '/app/', decorateReply: false });
    app.get('/app', (_req, reply) => reply.redirect('/app/'));
  }

  await app.register(async (api) => {
    api.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const header = initDataOf(req.headers.authorization);
      // EventSource cannot send headers: the live stream takes initData as `?tma=`.
      const raw = header ?? (req.routeOptions.url === '/api/live' ? liveQuery.safeParse(req.query).data?.tma ?? null : null);
      const hintLang = languageFromTelegram(typeof req.headers['accept-language'] === 'string' ? req.headers['accept-language'] : undefined);
      const checked = initData.check(raw);
      if (!checked.ok) return sendAuthFailure(reply, hintLang, checked.why);
      const lang = languageFromTelegram(checked.user.languageCode);
      const caller = await callers.get(checked.user.telegramId);
      if (!caller) return sendAuthFailure(reply, lang, 'not_started');
      try {
        await limiter.consume(String(caller.userId));
      } catch {
        return reply.code(429).send({ ok: false, error: 'rate_limited', message: t(caller.lang, 'miniapp.rate_limited') });
      }
      req.caller = caller;
    });

    api.get('/me', async (req) => {
      const c = req.caller!;
      const balance = await walletOf(m(), c.userId);
      return { ok: true, userId: c.userId, language: c.lang, balance };
    });

    api.get('/markets', async (req, reply) => {
      const q = marketListQuery.safeParse(req.query);
      if (!q.success) return sendFailure(reply, 400, req.caller!.lang, 'bad_request');
      const [page, categories] = await Promise.all([
        marketPage(m(), { category: q.data.category || undefined, search: q.data.search?.trim() || undefined, page: q.data.page, pageSize: APP_PAGE_SIZE }),
        categoryCounts(m()),
      ]);
      return { ok: true, ...page, page: q.data.page, pageSize: APP_PAGE_SIZE, categories };
    });

    api.get('/markets/:id', async (req, reply) => {
      const c = req.caller!;
      const p = marketParams.safeParse(req.params);
      const q = marketQuery.safeParse(req.query);
      if (!p.success) return sendFailure(reply, 404, c.lang, 'market_not_found');
      if (!q.success) return sendFailure(reply, 400, c.lang, 'bad_request');
      const page = await marketPages.get(p.data.id, q.data.tf, () => marketPageJson(m(), p.data.id, q.data.tf));
      if (page === undefined) return sendFailure(reply, 404, c.lang, 'market_not_found');
      return reply.type('application/json; charset=utf-8').send(page);
    });

    api.get('/portfolio', async (req, reply) => {
      const c = req.caller!;
      const q = pageQuery.safeParse(req.query);
      if (!q.success) return sendFailure(reply, 400, c.lang, 'bad_request');
      const page = await portfolios.get(c.userId, String(q.data.page), () => portfolioJson(m(), c.userId, q.data.page));
      return reply.type('application/json; charset=utf-8').send(page);
    });

    /**
     * The order an app request means, as the bot would build it (exchange/bet-size), or a failure:
     * market_not_found (also a group's market: those trade in their chat), market_closed /
     * market_paused (before the book is asked for a market order's price), amount_too_small {min},
     * notional_too_large {maxKop} (a size past the largest order, before any fee maths on it),
     * no_liquidity, and the parse codes.
     */
    async function betOf(c: Caller, body: OrderBody): Promise<{ ok: true; input: BetInput; market: Market } | { ok: false; code: string; vars?: Record<string, number> }> {
      // The bot's own checks of a typed size (order scene takeAmount / takeShares).
      if (body.amountKop !== undefined && body.amountKop < MIN_NOTIONAL_KOP) return { ok: false, code: 'amount_too_small', vars: { min: MIN_NOTIONAL_KOP } };
      if (body.shares !== undefined && body.shares < 1) return { ok: false, code: 'shares_not_number' };
      // A share costs at least 1 kop: either past the maximum is an order past it.
      if ((body.amountKop ?? 0) > MAX_NOTIONAL_KOP || (body.shares ?? 0) > MAX_NOTIONAL_KOP) return { ok: false, code: 'notional_too_large', vars: { maxKop: MAX_NOTIONAL_KOP } };
      const market = await getMarket(m(), body.marketId);
      if (!market || market.chatId !== null) return { ok: false, code: 'market_not_found' };
      const shut = marketShut({ status: market.status, tradingPaused: market.tradingPaused, deadlineMs: market.deadline.getTime() }, Date.now());
      if (shut) return { ok: false, code: shut };
      let price = body.price;
      if (body.kind === 'market' && price === undefined) {
        const best = bestOwnPrice(await quote(m(), body.marketId), body.intent);
        if (best === null) return { ok: false, code: 'no_liquidity' };
        price = guardPrice(best, body.intent);
      }
      if (price === undefined) return { ok: false, code: 'price_not_number' };
      if (isBuy(body.intent) ? body.amountKop === undefined : body.shares === undefined) {
        return { ok: false, code: isBuy(body.intent) ? 'amount_not_number' : 'shares_not_number' };
      }
      const tier = await feeTierOf(m(), c.userId);
      const size = orderSize({ intent: body.intent, kind: body.kind, price, amountKop: body.amountKop, shares: body.shares }, tier.bps);
      return { ok: true, market, input: { marketId: body.marketId, userId: c.userId, intent: body.intent, kind: body.kind, price, ...size } };
    }
    const betStatus = (code: string) => (code === 'market_not_found' ? 404 : 422);

    /** The place command of an app order, after the same pre-trade check the worker runs (a bad order is refused before it is queued). */
    async function placeOf(c: Caller, body: OrderBody, idempotencyKey: string): Promise<
      { ok: true; cmd: MatchingCommand } | { ok: false; status: number; code: string; vars?: Record<string, string | number> }> {
      const bet = await betOf(c, body);
      if (!bet.ok) return { ...bet, status: betStatus(bet.code) };
      const checked = await previewBet(m(), bet.input, Date.now(), { market: bet.market });
      if (!checked.ok) return { ok: false, status: statusOf(checked), code: checked.code, vars: checked.vars };
      return { ok: true, cmd: { type: 'place', idempotencyKey, tif: bet.input.kind === 'market' ? 'IOC' : 'GTC', ...bet.input } };
    }

    api.post('/orders/preview', { bodyLimit: BODY_LIMIT }, async (req, reply) => {
      const c = req.caller!;
      const b = orderBody.safeParse(req.body);
      if (!b.success) return sendFailure(reply, 422, c.lang, orderInputCode(b.error));
      const bet = await betOf(c, b.data);
      if (!bet.ok) return sendFailure(reply, betStatus(bet.code), c.lang, bet.code, bet.vars);
      const r = await previewBet(m(), bet.input, Date.now(), { market: bet.market });
      if (!r.ok) return sendFailure(reply, statusOf(r), c.lang, r.code, r.vars);
      // `order.price` is the worst price this preview used (a market order's guard): Confirm sends it back.
      return { ok: true, preview: r.preview, order: bet.input };
    });

    api.post('/orders', { bodyLimit: BODY_LIMIT }, async (req, reply) => {
      const c = req.caller!;
      const b = placeBody.safeParse(req.body);
      if (!b.success) return sendFailure(reply, 422, c.lang, orderInputCode(b.error));
      const { key, ...order } = b.data;
      const idempotencyKey = `app:${c.userId}:${key}`;
      const built = await placeOf(c, order, idempotencyKey);
      let cmd: MatchingCommand;
      if (built.ok) cmd = built.cmd;
      else {
        // Refused now, but perhaps a retry (a lost answer, a second tap, after a 202) of an order
        // that the state it left behind refuses: then the first request's result is the answer.
        const first = await recordedCommand(m(), idempotencyKey);
        if (first === null) return sendFailure(reply, built.status, c.lang, built.code, built.vars);
        cmd = first;
      }
      const r = await deps.queues.submit(cmd, deps.submitWaitMs);
      // The caller's next reads show their own order whichever Redis message arrives first.
      portfolios.bump(c.userId);
      marketPages.bump(cmd.marketId);
      if (!r.ok) return sendFailure(reply, statusOf(r), c.lang, r.code, r.vars);
      return { ok: true, outcome: r.outcome };
    });

    api.post('/orders/cancel', { bodyLimit: BODY_LIMIT }, async (req, reply) => {
      const c = req.caller!;
      const b = cancelBody.safeParse(req.body);
      if (!b.success) return sendFailure(reply, 422, c.lang, 'bad_request');
      const r = await deps.queues.submit({ type: 'cancel', idempotencyKey: `app-cancel:${c.userId}:${b.data.key}`, marketId: b.data.marketId, userId: c.userId, orderId: b.data.orderId }, deps.submitWaitMs);
      portfolios.bump(c.userId);
      marketPages.bump(b.data.marketId);
      if (!r.ok) return sendFailure(reply, statusOf(r), c.lang, r.code, r.vars);
      return { ok: true, cancelled: r.cancelled ?? 0 };
    });

    api.get('/live', async (req, reply) => {
      const q = liveQuery.safeParse(req.query);
      if (!q.success) return sendFailure(reply, 400, req.caller!.lang, 'bad_request');
      await live.open(reply, q.data.market ?? null);
    });
  }, { prefix: '/api' });

  return { close: () => live.close() };
}
