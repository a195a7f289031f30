/**
 * The one HTTP server of a process (fastify): `/health`, `/metrics` and, in webhook mode, the
 * bot's webhook route (bot/launch.ts adds it before `listen`), all on HTTP_PORT.
 */
import { Queue } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import IORedis from 'ioredis';
import type { DataSource } from 'typeorm';
import { heartbeatKey } from '../infra/ops-keys';
import { registry } from '../infra/metrics';
import { redisOptions } from '../infra/redis';
import { registerBusinessGauges } from './business-gauges';

/** A health check that takes longer than this counts as failed (Docker/K8s probes time out too). */
const CHECK_TIMEOUT_MS = 2_000;

export interface HttpDeps {
  ds: DataSource;
  redisUrl: string;
  /** QUEUE_PREFIX: names the heartbeat key and the queues. */
  prefix: string;
}

export interface HttpServer {
  app: FastifyInstance;
  /** Starts listening (once; later calls wait for the first). */
  listen(): Promise<void>;
  close(): Promise<void>;
}

/** What `/health` answers: 200 when every part is ok, else 503 with the failing parts named. */
export interface HealthReport {
  ok: boolean;
  checks: { database: string; redis: string; workers: string };
  failing: string[];
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out`)), CHECK_TIMEOUT_MS)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function check(fn: () => Promise<string | void>, what: string): Promise<string> {
  try {
    return (await withTimeout(fn(), what)) ?? 'ok';
  } catch (err) {
    return `failed: ${(err as Error).message}`;
  }
}

/** Runs the checks: database `SELECT 1`, Redis `PING`, a fresh workers heartbeat (infra/heartbeat.ts). */
export async function health(ds: DataSource, redis: IORedis, prefix: string): Promise<HealthReport> {
  const [database, redisCheck] = await Promise.all([
    check(async () => void (await ds.query('SELECT 1')), 'database'),
    check(async () => void (await redis.ping()), 'redis'),
  ]);
  const workers = redisCheck !== 'ok' ? 'unknown: redis is down' : await check(async () => {
    const beat = await redis.get(heartbeatKey(prefix));
    if (!beat) throw new Error('no heartbeat from the workers process');
  }, 'workers');
  const checks = { database, redis: redisCheck, workers };
  const failing = Object.entries(checks).filter(([, v]) => v !== 'ok').map(([k]) => k);
  return { ok: failing.length === 0, checks, failing };
}

/**
 * Builds the server (not listening yet, so the bot can add its webhook route first).
 * Its own Redis connection fails fast (no offline queue), so `/health` answers while Redis is down.
 */
export function createHttpServer(deps: HttpDeps, port: number, host = '0.0.0.0'): HttpServer {
  const app = Fastify({ logger: false });
  const redis = new IORedis({ ...redisOptions(deps.redisUrl), maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => undefined); // reported by /health
  const queues = new Map<string, Queue>();
  const queue = (name: string): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: redis, prefix: `{${deps.prefix}}` });
      q.on('error', () => undefined);
      queues.set(name, q);
    }
    return q;
  };
  registerBusinessGauges(deps.ds, queue);
  app.get('/health', async (_req, reply) => {
    const report = await health(deps.ds, redis, deps.prefix);
    return reply.code(report.ok ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  let listening: Promise<void> | undefined;
  return {
    app,
    listen: () => (listening ??= app.listen({ port, host }).then(() => undefined)),
    close: async () => {
      await app.close();
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
      redis.disconnect();
    },
  };
}
