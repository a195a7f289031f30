import type { z } from 'zod';
import type { BotContext } from '../context';

/**
 * The current scene's state, validated: session JSON outlives deployments, so a state written by
 * an older version (or damaged) reads as `undefined` instead of flowing into a money action.
 */
export function readState<S extends z.ZodTypeAny>(ctx: BotContext, schema: S): z.output<S> | undefined {
  const parsed = schema.safeParse(ctx.scene.state);
  return parsed.success ? parsed.data : undefined;
}

/** Replaces the current scene's state (the session is written when the update completes). */
export function writeState<T extends object>(ctx: BotContext, state: T): void {
  ctx.scene.state = state;
}
