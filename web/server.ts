import Fastify, { type FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

/** Process metrics for Prometheus (prom-client), one registry per process. */
export const metrics = new Registry();
collectDefaultMetrics({ register: metrics });

/**
 * HTTP endpoints of a process: `/health` (database reachable) and `/metrics` (Prometheus text).
 * The bot's webhook, when configured, is mounted by bot/launch on its own server.
 */
export async function startHttp(ds: DataSource, port: number, host = '0.0.0.0'): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/health', async (_req, reply) => {
    try {
      await ds.query('SELECT 1');
      return { ok: true };
    } catch {
      return reply.code(503).send({ ok: false });
    }
  });
  app.get('/metrics', async (_req, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));
  await app.listen({ port, host });
  return app;
}
