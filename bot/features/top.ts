import { Composer } from 'telegraf';
import { leaderboard, type LeaderRow } from '../../domain/read/leaderboard';
import { formatRatio } from '../../infra/format';
import { LANGUAGES, t } from '../../infra/i18n';
import { seasonBounds, seasonOf } from '../../domain/services/league-rules';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';
import { htmlExtra, show } from '../ui';
import { homeRow } from '../views/menu';

/** Rows in a leaderboard message. */
const TOP_LIMIT = 10;
const MEDALS = ['\u{1F947}', '\u{1F948}', '\u{1F949}'];
/** `/top season`: the word in every language (locales `top.season_word`), and the English one anywhere. */
const SEASON_WORDS = new Set(['season', ...LANGUAGES.map((lang) => t(lang, 'top.season_word'))]);

/** The text after the command, lower case ("/top@bot season" → "season"). */
function commandArgument(ctx: BotContext): string {
  const text = ctx.message && 'text' in ctx.message ? ctx.message.text : '';
  return text.split(/\s+/).slice(1).join(' ').trim().toLowerCase();
}

function row(ctx: BotContext, r: LeaderRow): string {
  const accuracy = r.calls > 0
    ? ctx.tp('top.accuracy', { percent: formatRatio(r.correct * 100, r.calls, ctx.lang, 0), correct: r.correct, calls: r.calls })
    : ctx.tp('top.no_calls');
  return ctx.t('top.row', { place: MEDALS[r.rank - 1] ?? `${r.rank}.`, name: r.name, pnl: r.pnlKop, accuracy });
}

/**
 * /top: in a group, the leaderboard of that group's markets; in the private chat, of all markets
 * (domain/read/leaderboard.ts: realized P&L on settled markets, and accuracy). The asker's own
 * place is added when they are below the top.
 */
async function showTop(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const group = ctx.chat !== undefined && ctx.chat.type !== 'private';
  // `/top season` in a group (issue 12): only markets settled in the current Moscow-month season.
  const season = group && SEASON_WORDS.has(commandArgument(ctx)) ? seasonOf(new Date()) : null;
  const since = season ? seasonBounds(season).start : undefined;
  const board = await leaderboard(rt.ds.manager, group ? { chatId: ctx.chat!.id, ...(since ? { since } : {}) } : 'global', TOP_LIMIT, ctx.account?.id ?? null);
  const chatTitle = group && 'title' in ctx.chat! ? ctx.chat.title : null;
  const title = chatTitle === null ? ctx.t('top.title_global')
    : season ? ctx.t('top.title_group_season', { chat: chatTitle, season }) : ctx.t('top.title_group', { chat: chatTitle });
  const lines = [title, ''];
  if (board.top.length === 0) {
    lines.push(ctx.t(group ? 'top.empty_group' : 'top.empty_global'));
  } else {
    lines.push(...board.top.map((r) => row(ctx, r)));
    if (board.me) lines.push('\u2026', row(ctx, board.me));
    lines.push('', ctx.t('top.footer', { count: board.markets }));
  }
  const text = lines.join('\n');
  if (group) await ctx.reply(text, { ...htmlExtra(), reply_parameters: { message_id: ctx.message!.message_id, allow_sending_without_reply: true } });
  else await show(ctx, text, [homeRow(ctx)]);
}

/** /top, in groups (that group's board) and in the private chat (the global one). */
export function topFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('top', (ctx) => showTop(rt, ctx));
  return c;
}
