/**
 * Test harness for the local Bot API (tools/botapi/): start a server on a random port, run a real
 * Telegraf bot with long polling against it, and build small valid images.
 */
import { deflateSync, crc32 } from 'node:zlib';
import { Telegraf, Telegram } from 'telegraf';
import { createBotApiServer, type BotApiServer, type BotApiServerOptions } from '../../tools/botapi/server';
import type { BotInfo, SimUser } from '../../tools/botapi/sim-types';

export interface Harness {
  server: BotApiServer;
  url: string;
  bot: BotInfo;
  /** telegraf's plain API client for the bot. */
  tg: Telegram;
  alice: SimUser;
  bob: SimUser;
  close(): Promise<void>;
}

/** Server + one bot + two users. */
export async function startHarness(opts: BotApiServerOptions = {}): Promise<Harness> {
  const server = createBotApiServer(opts);
  const url = await server.listen();
  const bot = server.sim.createBot({ username: 'pravda_test_bot', first_name: 'Pravda Test' });
  const alice = server.sim.createUser({ first_name: 'Alice', username: 'alice', language_code: 'ru' });
  const bob = server.sim.createUser({ first_name: 'Bob', username: 'bob', language_code: 'en' });
  return { server, url, bot, tg: new Telegram(bot.token, { apiRoot: url }), alice, bob, close: () => server.close() };
}

export interface RunningBot {
  bot: Telegraf;
  /** Errors thrown by handlers (telegraf's bot.catch). Tests assert it stays empty. */
  errors: unknown[];
  stop(): Promise<void>;
}

/** Launch a Telegraf bot (getMe, deleteWebhook, then long polling) against the local server. */
export function launchBot(url: string, token: string, setup: (bot: Telegraf) => void): RunningBot {
  const bot = new Telegraf(token, { telegram: { apiRoot: url } });
  const errors: unknown[] = [];
  bot.catch((e) => {
    errors.push(e);
  });
  setup(bot);
  // launch() resolves only when polling stops, so it is not awaited here.
  const running = bot.launch();
  return {
    bot,
    errors,
    async stop() {
      bot.stop('test done');
      await running;
    },
  };
}

/** A real PNG (RGB, one grey colour) of the given size. */
export function makePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height, 0x80);
  for (let y = 0; y < height; y++) rows[y * (width * 3 + 1)] = 0; // filter byte
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG header (SOI, APP0, SOF0 with the given size, EOI): enough for dimension parsing. */
export function makeJpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03,
    0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

/** Resolve once `cond()` holds, checking after every macrotask (no fixed sleeps). */
export async function until(cond: () => boolean, what: string, maxMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > maxMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Call a Bot API method with a raw HTTP request; returns status and parsed body. */
export async function rawCall(url: string, token: string, method: string, init?: RequestInit & { query?: Record<string, string> }): Promise<{ status: number; body: any }> {
  const qs = init?.query ? `?${new URLSearchParams(init.query).toString()}` : '';
  const res = await fetch(`${url}/bot${token}/${method}${qs}`, init);
  return { status: res.status, body: await res.json() };
}
