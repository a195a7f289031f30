/**
 * The local Telegram Bot API server: `createBotApiServer()` gives a fastify app speaking the Bot API
 * at `/bot<token>/<method>` backed by a `Simulator`, plus the `/_sim/*` control API.
 *
 * Point telegraf at it with `new Telegraf(token, { telegram: { apiRoot: server.url } })`.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ApiError } from './errors';
import { registerBotApiRoutes } from './routes/bot-api';
import { registerBodyParsers } from './routes/request-params';
import { registerSimRoutes, sendSimError } from './routes/sim-control';
import { Simulator, type SimulatorOptions } from './simulator';

/** Server options; simulator options (limits, timeouts) are passed through. */
export interface BotApiServerOptions extends SimulatorOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** fastify logger (default off). */
  logger?: boolean;
  /** Use an existing simulator instead of a new one. */
  sim?: Simulator;
}

/** A running (or ready to run) local Bot API. */
export interface BotApiServer {
  app: FastifyInstance;
  /** Base URL (`http://127.0.0.1:<port>`) once listening, '' before. */
  readonly url: string;
  /** Start listening (port 0 / omitted = random free port); resolves with the base URL. */
  listen(port?: number): Promise<string>;
  /** Release long polls and stop the server. */
  close(): Promise<void>;
  sim: Simulator;
}

/** Build the server. Nothing listens until `listen()`. */
export function createBotApiServer(opts: BotApiServerOptions = {}): BotApiServer {
  const sim = opts.sim ?? new Simulator(opts);
  const host = opts.host ?? '127.0.0.1';
  const app = Fastify({ logger: opts.logger ?? false, forceCloseConnections: true, bodyLimit: 50 * 1024 * 1024 });
  let url = '';
  const ready = (async () => {
    await registerBodyParsers(app);
    app.setErrorHandler((error, req, reply) => {
      const err = error as FastifyError;
      if (req.url.startsWith('/_sim/')) return sendSimError(reply, err);
      const apiErr = err instanceof ApiError ? err
        : new ApiError(err.statusCode ?? 500, (err.statusCode ?? 500) < 500 ? `Bad Request: ${err.message}` : 'Internal Server Error');
      return reply.code(apiErr.code).type('application/json').send(apiErr.toBody());
    });
    registerSimRoutes(app, sim);
    registerBotApiRoutes(app, sim);
  })();
  return {
    app,
    sim,
    get url() {
      return url;
    },
    async listen(port = 0) {
      await ready;
      await app.listen({ port, host });
      const addr = app.server.address();
      const actual = typeof addr === 'object' && addr ? addr.port : port;
      url = `http://${host}:${actual}`;
      return url;
    },
    async close() {
      sim.close();
      await ready;
      await app.close();
    },
  };
}

export { Simulator };
