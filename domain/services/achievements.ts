/**
 * Awarding achievements (issue 12): the rules are pure (achievement-rules.ts); this reads the facts
 * and inserts what is newly earned. The primary key (user, code) makes each award happen once,
 * whatever the number of hooks that run at once (after fills, settlement, a referral reward, a group
 * market): only the insert that created the row returns it, so only its caller announces it.
 */
import type { DataSource } from 'typeorm';
import { achievementFacts, achievementsOf } from '../read/profile';
import { newAchievements, type AchievementCode } from './achievement-rules';

/** One achievement just awarded, and the chat to announce it in (Telegram chat id). */
export interface Award {
  userId: number;
  code: AchievementCode;
  chatId: number;
}

/**
 * Checks `userIds` and awards what they newly earned as of `now`. `group_market` is announced in
 * `groupChatId` when given (the group where the market was created), everything else in the user's
 * private chat. `only` limits the check to the achievements the caller's event can earn (the rest
 * wait for their own event). House maker users never get achievements.
 */
export async function awardAchievements(
  ds: DataSource, userIds: readonly number[], opts: { now?: Date; groupChatId?: number; only?: readonly AchievementCode[] } = {},
): Promise<Award[]> {
  const now = opts.now ?? new Date();
  const out: Award[] = [];
  for (const userId of new Set(userIds)) {
    const [u] = await ds.query(`SELECT telegram_id, is_maker FROM users WHERE id = $1`, [userId]);
    if (!u || u.is_maker) continue;
    const held = new Set((await achievementsOf(ds.manager, userId)).keys());
    // On the trading hot path a hook names the achievements its event can earn: someone who holds
    // them all costs one indexed read, not the facts' counts over their whole history.
    if (opts.only && opts.only.every((c) => held.has(c))) continue;
    const codes = newAchievements(await achievementFacts(ds.manager, userId, now), held)
      .filter((c) => !opts.only || opts.only.includes(c));
    if (codes.length === 0) continue;
    const chatOf = (c: AchievementCode) => (c === 'group_market' && opts.groupChatId !== undefined ? opts.groupChatId : Number(u.telegram_id));
    const rows: { code: AchievementCode; chat_id: string }[] = await ds.query(
      `INSERT INTO achievements (user_id, code, chat_id, created_at)
       SELECT $1, c, ch, $4 FROM unnest($2::text[], $3::bigint[]) AS t(c, ch)
       ON CONFLICT (user_id, code) DO NOTHING RETURNING code, chat_id`,
      [userId, codes, codes.map(chatOf), now]);
    for (const r of rows) out.push({ userId, code: r.code, chatId: Number(r.chat_id) });
  }
  return out;
}
