/**
 * Live updates of the Mini App over Server-Sent Events: one Redis subscription per server on the
 * channel the matching worker announces committed batches on (jobs/queues marketEventsChannel);
 * each open page holds one stream and gets `event: market` with the changed market's id, then
 * refetches what it shows. A stream ends when its page closes the connection.
 */
import type { FastifyReply } from 'fastify';
import type IORedis from 'ioredis';
import { marketEventsChannel } from '../../jobs/queues';
import { createRedis } from '../../infra/redis';

/** Comment lines keep proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/** Fans market-change announcements out to open SSE streams. */
export class LiveHub {
  private readonly sub: IORedis;
  private readonly streams = new Set<{ reply: FastifyReply; marketId: number | null }>();
  private ready: Promise<unknown> | null = null;
  private readonly timer: NodeJS.Timeout;

  /**
   * `onMarket` runs for every announcement before the streams hear of it, so a page that refetches
   * on the event never gets a cached copy from before the batch (page-cache.ts).
   */
  constructor(redisUrl: string, private readonly prefix: string, private readonly onMarket: (marketId: number) => void = () => undefined) {
    this.sub = createRedis(redisUrl);
    this.sub.on('message', (_c: string, id: string) => this.broadcast(Number(id)));
    this.timer = setInterval(() => {
      for (const s of this.streams) s.reply.raw.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.timer.unref();
  }

  /** Number of open streams (tests, metrics). */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Turns `reply` into an SSE stream of changes of market `marketId` (null: of every market,
   * for the portfolio, whose positions may be in any of them).
   */
  async open(reply: FastifyReply, marketId: number | null): Promise<void> {
    await this.start();
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.write('retry: 1000\nevent: ready\ndata: {}\n\n');
    const entry = { reply, marketId };
    this.streams.add(entry);
    reply.raw.on('close', () => this.streams.delete(entry));
  }

  /** Subscribes to the announcements (idempotent); `open` calls it too. */
  start(): Promise<unknown> {
    return (this.ready ??= this.sub.subscribe(marketEventsChannel(this.prefix)));
  }

  private broadcast(marketId: number): void {
    this.onMarket(marketId);
    const line = `event: market\ndata: ${JSON.stringify({ marketId })}\n\n`;
    for (const s of this.streams) if (s.marketId === null || s.marketId === marketId) s.reply.raw.write(line);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const s of this.streams) s.reply.raw.end();
    this.streams.clear();
    this.sub.disconnect();
  }
}
