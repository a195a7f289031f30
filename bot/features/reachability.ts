import { Composer } from 'telegraf';
import { setBlocked } from '../../domain/services/preferences';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';

/**
 * The user blocking or unblocking the bot in their private chat (Bot API `my_chat_member`: the
 * bot's status becomes `kicked` on block, `member` on unblock or restart). Blocking stops every
 * notification at once; unblocking re-enables them (as a /start does, see middleware/user.ts).
 */
export function reachabilityFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.on('my_chat_member', async (ctx) => {
    if (ctx.chat?.type !== 'private') return;
    const status = ctx.myChatMember.new_chat_member.status;
    if (status === 'kicked') await setBlocked(rt.ds.manager, ctx.user.id, true);
    else if (status === 'member') await setBlocked(rt.ds.manager, ctx.user.id, false);
  });
  return c;
}
