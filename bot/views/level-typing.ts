/**
 * What a typed number means after 🔔 (an alert level of a market) or 🛡 (a trigger level of a
 * position): one Redis key per user, so the latest screen decides. Shared by features/alerts.ts and
 * features/triggers.ts; the trigger wording lives here too, as /alerts lists triggers.
 */
import type { Side, TriggerKind } from '../../domain/alerts/trigger-rules';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';

/** A typed level is awaited this long after the screen that asks for it. */
const TYPING_TTL_SEC = 10 * 60;

export type LevelTyping = { kind: 'alert'; marketId: number } | { kind: 'trigger'; marketId: number; side: Side };

function key(rt: BotRuntime, ctx: BotContext): string {
  return rt.key('level-typing', ctx.user.id);
}

export async function awaitLevel(rt: BotRuntime, ctx: BotContext, what: LevelTyping): Promise<void> {
  await rt.redis.set(key(rt, ctx), JSON.stringify(what), { EX: TYPING_TTL_SEC });
}

/** What the user's typed number is for, or null when no such screen is waiting. */
export async function awaitedLevel(rt: BotRuntime, ctx: BotContext): Promise<LevelTyping | null> {
  const raw = await rt.redis.get(key(rt, ctx));
  return raw ? (JSON.parse(raw) as LevelTyping) : null;
}

export async function levelDone(rt: BotRuntime, ctx: BotContext): Promise<void> {
  await rt.redis.del(key(rt, ctx));
}

/** "Stop-loss: when the NO price falls to 40%", HTML-escaped. */
export function triggerWhat(ctx: BotContext, side: Side, kind: TriggerKind, level: number): string {
  return ctx.t(kind === 'stop' ? 'triggers.what_stop' : 'triggers.what_take', { side: ctx.tp(side === 'YES' ? 'side.yes' : 'side.no'), level });
}
