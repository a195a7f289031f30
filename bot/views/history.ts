/**
 * /portfolio → History (issue 11): the user's trades or ledger postings, a page at a time
 * (inline prev / next), with the account's value, time-weighted return and maximum drawdown on
 * top; a chart photo of the value per Moscow day; and a CSV export sent as a document.
 */
import { DateTime } from 'luxon';
import { HISTORY_MAX_DAYS, postingsOf, tradesOf, valueHistory, type ValueHistory } from '../../domain/read/history';
import { formatBps, formatDateTime, formatKop } from '../../infra/format';
import { cb } from '../../messages/callback-data';
import { TELEGRAM_LIMITS, fitHtml } from '../../messages/fit';
import { historyCsv } from '../../messages/history-csv';
import { INTENT_KEY } from '../../messages/labels';
import { evenTickTimes, evenValueTicks, renderValueChart } from '../../render';
import type { BotContext } from '../context';
import type { BotRuntime } from '../runtime';
import { button, notice, show, type Keyboard } from '../ui';
import { homeRow } from './menu';

/** Entries per page: 10 lines of ≤ ~250 characters keep a page far inside 4096. */
export const HISTORY_PAGE_SIZE = 10;
const TITLE_MAX = 60;
/** Rows of each kind in one CSV at most: ~150 bytes a row keeps the file well under Telegram's 50 MB. */
export const HISTORY_CSV_MAX_ROWS = 100_000;
const DOCUMENT_MAX_BYTES = 50 * 1024 * 1024;
const CHART = { width: 1000, height: 500 };

/** Posting kinds with a word in the locales (history.kind_<kind>); others show as they are. */
const KINDS = new Set([
  'reserve', 'release', 'trade', 'mint', 'merge', 'fee', 'rebate', 'deposit', 'settlement', 'liquidity', 'liquidity_return',
  'withdrawal_hold', 'withdrawal_release', 'withdrawal_payout', 'withdrawal_fee',
]);

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}\u2026` : s;
}

/** A ratio as a signed percentage with two decimals: 0.1234 → "+12,34%". */
function signedPercent(ratio: number, ctx: BotContext): string {
  const bps = Math.round(ratio * 10_000);
  return `${bps > 0 ? '+' : bps < 0 ? '\u2212' : ''}${formatBps(Math.abs(bps), ctx.lang)}`;
}

function summaryLine(ctx: BotContext, h: ValueHistory): string {
  const last = h.values[h.values.length - 1];
  return ctx.t('history.summary', {
    value: last?.valueKop ?? 0,
    ret: signedPercent(h.returnRatio, ctx),
    dd: signedPercent(-h.drawdown.drawdown, ctx),
  });
}

/** The History screen: page `page` (0-based) of trades (`view` 'trades') or postings ('ledger'). */
export async function showHistory(rt: BotRuntime, ctx: BotContext, view: 'trades' | 'ledger', page: number): Promise<void> {
  const m = rt.ds.manager;
  const w = { offset: page * HISTORY_PAGE_SIZE, limit: HISTORY_PAGE_SIZE };
  const [trades, postings, value] = await Promise.all([
    view === 'trades' ? tradesOf(m, ctx.user.id, w) : null, view === 'ledger' ? postingsOf(m, ctx.user.id, w) : null, valueHistory(m, ctx.user.id),
  ]);
  const list = trades ?? postings ?? { rows: [], total: 0 };
  const pages = Math.max(1, Math.ceil(list.total / HISTORY_PAGE_SIZE));
  if (page >= pages && page > 0) return showHistory(rt, ctx, view, pages - 1);
  const lines = [ctx.t(view === 'trades' ? 'history.title_trades' : 'history.title_ledger', { page: page + 1, pages }), summaryLine(ctx, value), ''];
  if (list.total === 0) lines.push(ctx.t(view === 'trades' ? 'history.no_trades' : 'history.no_postings'));
  if (trades) {
    for (const r of trades.rows) {
      lines.push(ctx.t(r.role === 'maker' ? 'history.trade_maker' : 'history.trade', {
        at: formatDateTime(r.at, ctx.lang), action: ctx.tp(INTENT_KEY[r.intent]), title: shorten(r.title, TITLE_MAX),
        shares: r.shares, price: r.price, amount: r.amountKop, fee: r.role === 'maker' ? -r.feeKop : r.feeKop,
      }));
    }
  } else if (postings) {
    for (const r of postings.rows) {
      lines.push(ctx.t('history.posting', {
        at: formatDateTime(r.at, ctx.lang), kind: KINDS.has(r.kind) ? ctx.tp(`history.kind_${r.kind}`) : r.kind,
        delta: formatKop(r.deltaKop, ctx.lang, { sign: true }), amount: r.amountKop, from: r.fromAccount, to: r.toAccount,
      }));
    }
  }
  const rows: Keyboard = [];
  const nav = [];
  if (page > 0) nav.push(button(ctx.tp('markets.prev'), cb.history.encode({ view, page: page - 1 })));
  if (pages > 1) nav.push(button(ctx.tp('markets.page', { page: page + 1, pages }), cb.noop.encode({})));
  if (page + 1 < pages) nav.push(button(ctx.tp('markets.next'), cb.history.encode({ view, page: page + 1 })));
  if (nav.length > 0) rows.push(nav);
  rows.push([
    button(view === 'trades' ? ctx.tp('settings.current', { label: ctx.tp('history.trades_button') }) : ctx.tp('history.trades_button'), cb.history.encode({ view: 'trades', page: 0 })),
    button(view === 'ledger' ? ctx.tp('settings.current', { label: ctx.tp('history.ledger_button') }) : ctx.tp('history.ledger_button'), cb.history.encode({ view: 'ledger', page: 0 })),
  ]);
  rows.push([button(ctx.tp('history.chart_button'), cb.historyChart.encode({})), button(ctx.tp('history.csv_button'), cb.historyCsv.encode({}))]);
  rows.push([button(ctx.tp('history.back'), cb.portfolio.encode({}))], homeRow(ctx));
  await show(ctx, lines.join('\n'), rows);
}

/** The chart photo: value per Moscow day, return and maximum drawdown in the caption. */
export async function sendHistoryChart(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const h = await valueHistory(rt.ds.manager, ctx.user.id);
  if (ctx.callbackQuery) await ctx.answerCbQuery();
  if (h.values.length === 0) return notice(ctx, ctx.tp('history.no_values'));
  const points = h.values.map((v) => ({ t: DateTime.fromISO(v.day, { zone: 'Europe/Moscow' }).toMillis(), value: v.valueKop }));
  const xTicks = evenTickTimes(points.map((p) => ({ t: p.t, price: 0 })), Math.min(5, points.length))
    .map((t) => ({ t, label: DateTime.fromMillis(t, { zone: 'Europe/Moscow' }).toFormat('dd.MM') }));
  const yTicks = evenValueTicks(points.map((p) => p.value), 5).map((v) => ({ v, label: formatKop(v, ctx.lang, { compact: true }) }));
  const png = await renderValueChart(points, { ...CHART, xTicks, yTicks });
  const first = h.values[0]!;
  const last = h.values[h.values.length - 1]!;
  const caption = [
    ctx.t('history.chart_caption', { from: first.day, to: last.day, days: h.values.length, max: HISTORY_MAX_DAYS }),
    summaryLine(ctx, h),
    ...(h.drawdown.peakDay && h.drawdown.troughDay ? [ctx.t('history.drawdown_days', { peak: h.drawdown.peakDay, trough: h.drawdown.troughDay })] : []),
  ].join('\n');
  await ctx.replyWithPhoto({ source: png, filename: 'account-value.png' }, { caption: fitHtml(caption, TELEGRAM_LIMITS.caption), parse_mode: 'HTML' });
}

/** The CSV of trades and postings as a document (RFC 4180; see messages/history-csv.ts). */
export async function sendHistoryCsv(rt: BotRuntime, ctx: BotContext): Promise<void> {
  const m = rt.ds.manager;
  const all = { offset: 0, limit: HISTORY_CSV_MAX_ROWS };
  const [trades, postings] = await Promise.all([tradesOf(m, ctx.user.id, all), postingsOf(m, ctx.user.id, all)]);
  if (ctx.callbackQuery) await ctx.answerCbQuery();
  const csv = historyCsv(trades.rows, postings.rows);
  if (csv.length > DOCUMENT_MAX_BYTES) return notice(ctx, ctx.tp('history.csv_too_big'));
  const cut = trades.total > trades.rows.length || postings.total > postings.rows.length;
  const caption = ctx.t(cut ? 'history.csv_caption_cut' : 'history.csv_caption', { trades: trades.rows.length, postings: postings.rows.length, max: HISTORY_CSV_MAX_ROWS });
  const day = DateTime.now().setZone('Europe/Moscow').toISODate();
  await ctx.replyWithDocument({ source: csv, filename: `pravda-history-${day}.csv` }, { caption: fitHtml(caption, TELEGRAM_LIMITS.caption), parse_mode: 'HTML' });
}
