/**
 * What the withdrawal features share: the configured policy, the words for a withdrawal failure
 * (`withdraw.errors.<code>`, else the general `errors.<code>`), and telling people of a step after
 * the transaction committed (STYLE §6).
 */
import type { Failure } from '../../domain/services/result';
import type { WithdrawalRow } from '../../domain/read/withdrawals';
import { recipientsOf } from '../../domain/read/withdrawals';
import { withdrawPolicyOf, type WithdrawPolicy } from '../../domain/services/withdrawal-rules';
import { DEFAULT_LANGUAGE, hasText, th, type Language } from '../../infra/i18n';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';
import { failureText, htmlExtra, type Keyboard } from '../ui';

export function withdrawPolicy(rt: BotRuntime): WithdrawPolicy {
  return withdrawPolicyOf(rt.config.withdrawals);
}

/** The words for a failure of the withdrawal or responsible-use domain. */
export function withdrawFailureText(ctx: BotContext, f: Failure, html = true): string {
  for (const ns of ['withdraw.errors', 'responsible.errors']) {
    const key = `${ns}.${f.code}`;
    if (hasText(ctx.lang, key)) return html ? ctx.t(key, f.vars) : ctx.tp(key, f.vars);
  }
  return failureText(ctx, f, html);
}

/** Sends a message to one chat, logging (not throwing) a failure: the step is committed already. */
export async function sendAfterCommit(rt: BotRuntime, ctx: BotContext, chatId: number, html: string, keyboard: Keyboard = []): Promise<void> {
  try {
    await ctx.telegram.sendMessage(chatId, html, htmlExtra(keyboard));
  } catch (err) {
    rt.logger.warn({ err, chatId }, 'withdrawal notice not delivered');
  }
}

/** Tells the owner of `w` of a step, in their language: `withdraw.user_<what>`. */
export async function tellOwner(rt: BotRuntime, ctx: BotContext, w: WithdrawalRow, what: string, vars: Record<string, string | number> = {}): Promise<void> {
  await sendAfterCommit(rt, ctx, w.telegramId, th(w.language, `withdraw.user_${what}`, { id: w.id, amount: w.amountKop, net: w.amountKop - w.feeKop, ...vars }));
}

/** Every admin's chat (a private chat's id is the user's Telegram id) with their language (ru until known). */
export async function adminChats(rt: BotRuntime): Promise<{ chatId: number; language: Language }[]> {
  const ids = [...rt.config.adminIds];
  const known = new Map((await recipientsOf(rt.ds.manager, ids)).map((r) => [r.telegramId, r.language]));
  return ids.map((chatId) => ({ chatId, language: known.get(chatId) ?? DEFAULT_LANGUAGE }));
}
