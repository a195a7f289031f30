import { Redis } from '@telegraf/session/redis';
import { session, type MiddlewareFn } from 'telegraf';
import type { AsyncSessionStore } from 'telegraf/session';
import type { BotContext, BotSession } from '../context';
import type { BotRuntime } from '../runtime';

/** An abandoned conversation's UI state is useless after a week; let Redis forget it. */
const SESSION_TTL_SEC = 7 * 24 * 60 * 60;

/**
 * Redis-backed session keyed per chat and user (`<chatId>:<userId>`), so a user's draft in one
 * chat never leaks into another. @telegraf/session's Redis store writes keys without expiry; the
 * wrapper adds one on every write. Updates without a chat (pre-checkout queries) get no session.
 */
export function redisSession(rt: BotRuntime): MiddlewareFn<BotContext> {
  const prefix = `${rt.key('sess')}:`;
  // The store connects rt.redis (see createRuntime). It is asynchronous; its declared type is the sync | async union.
  const store = Redis<BotSession>({ client: rt.redis, prefix }) as AsyncSessionStore<BotSession>;
  return session<BotSession, BotContext>({
    store: {
      get: (key) => store.get(key),
      // One command with its expiry (the store's own set has none); the same JSON the store reads back.
      // The store's get has run first, so the client is connected.
      set: async (key, value) => {
        await rt.redis.set(prefix + key, JSON.stringify(value), { EX: SESSION_TTL_SEC });
      },
      delete: (key) => store.delete(key),
    },
    getSessionKey: (ctx) => (ctx.chat && ctx.from ? `${ctx.chat.id}:${ctx.from.id}` : undefined),
  });
}
