import type { BotContext } from './context';
import type { BotRuntime } from './runtime';
import { notice } from './ui';

/**
 * Whether the sender is an admin (`ADMIN_IDS`, Telegram ids). Checked on every admin command and
 * every admin button, since button data can be forged.
 */
function isAdmin(rt: BotRuntime, ctx: BotContext): boolean {
  return ctx.from !== undefined && rt.config.adminIds.has(ctx.from.id);
}

/** Runs `then` for admins; everyone else gets the localized refusal and nothing changes. */
export async function asAdmin(rt: BotRuntime, ctx: BotContext, then: () => Promise<void>): Promise<void> {
  if (!isAdmin(rt, ctx)) return notice(ctx, ctx.tp('admin.refused'), true);
  await then();
}
