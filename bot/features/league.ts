/**
 * /league (issue 12): the user's cohort table in the current monthly season (Moscow time), their
 * place, the division, the days left, and the last season's result.
 */
import { Composer } from 'telegraf';
import { cohortMembers, membershipOf, seasonResultOf, seasonScores } from '../../domain/read/league';
import { kop } from '../../domain/money';
import { daysLeft, moveCounts, previousSeason, rankCohort, seasonBounds, seasonOf } from '../../domain/services/league-rules';
import { divisionKey } from '../../messages/league';
import { leagueShareQuery } from '../../messages/links';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';
import { show } from '../ui';
import { homeRow } from '../views/menu';

/** Rows shown around the user in a long cohort table. */
const TABLE_ROWS = 15;

async function showLeague(rt: BotRuntime, ctx: BotContext, now: Date): Promise<void> {
  const m = rt.ds.manager;
  const season = seasonOf(now);
  const lines = [ctx.t('league.title', { season, count: daysLeft(now) })];
  const last = await seasonResultOf(m, previousSeason(season), ctx.user.id);
  if (last) {
    lines.push(ctx.t('league.last_season', {
      place: last.place, size: last.size, division: ctx.tp(divisionKey(last.division)), movement: ctx.tp(`league.movement_${last.movement}`),
    }));
  }
  lines.push('');
  const me = await membershipOf(m, season, ctx.user.id);
  if (!me) {
    lines.push(ctx.t('league.not_playing'));
  } else {
    const { start, end } = seasonBounds(season);
    const members = await cohortMembers(m, season, me.division, me.cohort);
    const scores = new Map((await seasonScores(m, members.map((x) => x.userId), start, end)).map((s) => [s.userId, s]));
    const ranked = rankCohort(members.map((x) => scores.get(x.userId) ?? { userId: x.userId, scoreKop: kop(0), correct: 0, calls: 0 }));
    const names = new Map(members.map((x) => [x.userId, x.name]));
    const mine = ranked.find((r) => r.userId === ctx.user.id)!;
    const { up, down } = moveCounts(ranked.length, me.division);
    lines.push(ctx.t('league.cohort', { division: ctx.tp(divisionKey(me.division)), cohort: me.cohort, count: ranked.length }));
    lines.push(ctx.t('league.rules'), ctx.t('league.moves', { up, down }));
    lines.push('');
    const from = Math.max(0, Math.min(mine.place - 1 - Math.floor(TABLE_ROWS / 2), ranked.length - TABLE_ROWS));
    for (const r of ranked.slice(from, from + TABLE_ROWS)) {
      const zone = r.place <= up ? '\u2B06\uFE0F' : r.place > ranked.length - down ? '\u2B07\uFE0F' : '\u25AB\uFE0F';
      const key = r.userId === ctx.user.id ? 'league.row_me' : 'league.row';
      lines.push(ctx.t(key, { zone, place: r.place, name: names.get(r.userId) ?? '', score: r.scoreKop }));
    }
    lines.push('', ctx.t('league.your_place', { place: mine.place, size: ranked.length }));
  }
  const share = last ? [[{ text: ctx.tp('share.league_button'), switch_inline_query: leagueShareQuery(previousSeason(season)) }]] : [];
  await show(ctx, lines.join('\n'), [...share, homeRow(ctx)]);
}

/** /league in the private chat. */
export function leagueFeature(rt: BotRuntime): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command('league', (ctx) => showLeague(rt, ctx, rt.clock?.() ?? new Date()));
  return c;
}
