/**
 * Long fill notices (messages/notices.ts `noticeMessages`), real Postgres (fresh database): the
 * text of a user's one message per market stops being worded once it passes Telegram's 4096
 * characters, and must come out byte-identical to wording EVERY line and then cutting with
 * `fitPlain`. The expectation is worded here independently from i18n `t` with the same keys and
 * variables, for ru and en users: a few fills (nothing cut), 400 fills (cut, "…"), the boundary
 * (full text exactly 4096 → not cut; one more line, or exactly 4097 → cut; a cut on a surrogate
 * pair), mixed kinds with summed expiry/close lines over the limit, and the dedupe key still
 * covering the unworded notices.
 */
import type { Language } from '../../domain/entities';
import type { Intent } from '../../domain/exchange/types';
import { kop } from '../../domain/money';
import type { Notice } from '../../domain/services/market-batch';
import { createMarket } from '../../domain/services/markets';
import { upsertUser } from '../../domain/services/users';
import { t } from '../../infra/i18n';
import { fitPlain, TELEGRAM_LIMITS } from '../../messages/fit';
import { noticeMessages } from '../../messages/notices';
import { freshDatabase } from '../helpers/db';

const LIMIT = TELEGRAM_LIMITS.message;
const ELLIPSIS = '\u2026';
const TITLE = 'Will the long notice be cut right?';
/** A title with an astral emoji (a surrogate pair) in every line, so some cut lands inside one. */
const EMOJI_TITLE = 'Rocket 🚀 launch 🚀 before Friday?';

let db: Awaited<ReturnType<typeof freshDatabase>>;
const userOf: Record<Language, number> = { ru: 0, en: 0 };
let marketId = 0;
let emojiMarketId = 0;

beforeAll(async () => {
  db = await freshDatabase('noticelong');
  userOf.ru = (await upsertUser(db.ds, { id: 7_001, first_name: 'Ru', language_code: 'ru' })).user.id;
  userOf.en = (await upsertUser(db.ds, { id: 7_002, first_name: 'En', language_code: 'en' })).user.id;
  const deadline = new Date(Date.now() + 86_400_000);
  const a = await createMarket(db.ds, { title: TITLE, category: 'other', deadline, createdBy: null, liquidityKop: kop(0) });
  const b = await createMarket(db.ds, { title: EMOJI_TITLE, category: 'other', deadline, createdBy: null, liquidityKop: kop(0) });
  if (!a.ok || !b.ok) throw new Error('market not created');
  marketId = a.market.id;
  emojiMarketId = b.market.id;
});

afterAll(async () => {
  await db?.drop();
});

// ---- the independent expectation: every line worded, joined, then cut ----

const buys = (i: Intent) => i === 'BUY_YES' || i === 'BUY_NO';

/** One line of a single notice, worded as notices.ts words it (keys notify.<kind>, intent.<INTENT>). */
function lineOf(lang: Language, title: string, n: Pick<Notice, 'kind' | 'intent' | 'shares' | 'price' | 'amountKop'>): string {
  return t(lang, `notify.${n.kind}`, {
    title, side: t(lang, `intent.${n.intent}`), shares: n.shares, price: n.price, amount: n.amountKop,
  });
}

/** The summed line of several expiries or closes (coalesced.<kind>, released kop and/or shares). */
function summedLine(lang: Language, title: string, kind: 'order_expired' | 'market_closed', list: readonly Notice[]): string {
  const amount = list.filter((n) => buys(n.intent)).reduce((s, n) => s + n.price * n.shares, 0);
  const shares = list.filter((n) => !buys(n.intent)).reduce((s, n) => s + n.shares, 0);
  const parts: string[] = [];
  if (amount > 0 || shares === 0) parts.push(t(lang, 'coalesced.released_kop', { amount }));
  if (shares > 0) parts.push(t(lang, 'coalesced.released_shares', { shares }));
  return t(lang, `coalesced.${kind}`, { title, count: list.length, released: parts.join(t(lang, 'coalesced.and')) });
}

/** ALL lines of one user's notices on one market (fills of one order merged, kinds in first-seen order). */
function allLines(lang: Language, title: string, notices: readonly Notice[]): string[] {
  const merged = new Map<string, Notice>();
  for (const n of notices) {
    const k = `${n.kind}-${n.orderId}`;
    const p = merged.get(k);
    merged.set(k, p ? { ...p, shares: p.shares + n.shares, amountKop: kop(p.amountKop + n.amountKop) } : n);
  }
  const list = [...merged.values()];
  const lines: string[] = [];
  for (const kind of [...new Set(list.map((n) => n.kind))]) {
    const same = list.filter((n) => n.kind === kind);
    if ((kind === 'order_expired' || kind === 'market_closed') && same.length > 1) lines.push(summedLine(lang, title, kind, same));
    else for (const n of same) lines.push(lineOf(lang, title, n));
  }
  return lines;
}

const fullText = (lang: Language, title: string, notices: readonly Notice[]) => allLines(lang, title, notices).join('\n');
const expected = (lang: Language, title: string, notices: readonly Notice[]) => fitPlain(fullText(lang, title, notices), LIMIT);

// ---- notices ----

let nextOrder = 1;
type Part = Partial<Pick<Notice, 'kind' | 'intent' | 'shares' | 'price' | 'amountKop' | 'orderId'>>;
function notice(lang: Language, p: Part = {}, market = marketId): Notice {
  const shares = p.shares ?? 3;
  const price = p.price ?? 40;
  return {
    userId: userOf[lang], marketId: market, orderId: p.orderId ?? nextOrder++, kind: p.kind ?? 'fill',
    intent: p.intent ?? 'BUY_YES', shares, price, amountKop: p.amountKop ?? kop(shares * price),
  };
}
const fills = (lang: Language, count: number, p: Part = {}, market = marketId) => Array.from({ length: count }, () => notice(lang, p, market));

/** The one job of a batch (one user, one market). */
async function textOf(notices: readonly Notice[]) {
  const jobs = await noticeMessages(db.ds.manager, notices);
  expect(jobs).toHaveLength(1);
  const job = jobs[0]!;
  if (job.text === undefined || job.dedupeKey === undefined) throw new Error('a notice without text or dedupe key');
  return { ...job, text: job.text, dedupeKey: job.dedupeKey };
}

/**
 * Fill notices whose full text is exactly `target` characters: as many 100-kop fills as fit, then
 * amounts of some lines made longer ("1,00 ₽" → "10,00 ₽" …) until the deficit is filled.
 */
function tunedFills(lang: Language, title: string, target: number, market = marketId, p: Part = {}): Notice[] {
  const AMOUNTS = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000].map((a) => kop(a));
  const base = lineOf(lang, title, { kind: 'fill', intent: 'BUY_YES', shares: 3, price: 40, amountKop: AMOUNTS[0]!, ...p }).length;
  const extra = AMOUNTS.map((a) => lineOf(lang, title, { kind: 'fill', intent: 'BUY_YES', shares: 3, price: 40, ...p, amountKop: a }).length - base);
  const count = Math.floor((target + 1) / (base + 1));
  let deficit = target - (count * (base + 1) - 1);
  const out: Notice[] = [];
  for (let i = 0; i < count; i++) {
    let pick = 0;
    for (let k = AMOUNTS.length - 1; k > 0; k--) if (extra[k]! <= deficit) { pick = k; break; }
    deficit -= extra[pick]!;
    out.push(notice(lang, { ...p, amountKop: AMOUNTS[pick]! }, market));
  }
  expect(deficit).toBe(0);
  expect(fullText(lang, title, out)).toHaveLength(target);
  return out;
}

describe.each<Language>(['ru', 'en'])('%s user, one market, one batch', (lang) => {
  test('a few fills: every line, joined by "\\n", nothing cut', async () => {
    const list = fills(lang, 3);
    // Two partial fills of the first order are one line.
    list.push(notice(lang, { orderId: list[0]!.orderId, shares: 2 }));
    const job = await textOf(list);
    const lines = [
      lineOf(lang, TITLE, { ...list[0]!, shares: 5, amountKop: kop(200) }),
      lineOf(lang, TITLE, list[1]!),
      lineOf(lang, TITLE, list[2]!),
    ];
    expect(job.text).toBe(lines.join('\n'));
    expect(job.text).toBe(expected(lang, TITLE, list));
    expect(job.text.length).toBeLessThan(LIMIT);
    expect(job.text).not.toContain(ELLIPSIS);
    expect(job.digestLine).toBe(job.text);
    expect(job.topic).toBe('fills');
  });

  test('400 fills of different orders: the text is fitPlain of all 400 lines', async () => {
    const list = fills(lang, 400, { intent: 'SELL_NO', shares: 7, price: 63 });
    const job = await textOf(list);
    expect(fullText(lang, TITLE, list).length).toBeGreaterThan(LIMIT * 5);
    expect(job.text).toBe(expected(lang, TITLE, list));
    expect(job.text.length).toBeLessThanOrEqual(LIMIT);
    expect(job.text.endsWith(ELLIPSIS)).toBe(true);
    expect(job.text.startsWith(`${lineOf(lang, TITLE, list[0]!)}\n`)).toBe(true);
  });

  test('boundary: full text exactly 4096 is not cut; one line more is cut', async () => {
    const exact = tunedFills(lang, TITLE, LIMIT);
    const job = await textOf(exact);
    expect(job.text).toBe(expected(lang, TITLE, exact));
    expect(job.text).toBe(fullText(lang, TITLE, exact));
    expect(job.text).toHaveLength(LIMIT);
    expect(job.text).not.toContain(ELLIPSIS);

    const more = [...exact, notice(lang)];
    const cut = await textOf(more);
    expect(cut.text).toBe(expected(lang, TITLE, more));
    expect(cut.text.length).toBeLessThanOrEqual(LIMIT);
    expect(cut.text.endsWith(ELLIPSIS)).toBe(true);
    expect(cut.text).not.toBe(job.text);
  });

  test('boundary: lines just under / just over the limit (4095, 4097, each with more lines after)', async () => {
    for (const target of [LIMIT - 1, LIMIT + 1]) {
      const base = tunedFills(lang, TITLE, target);
      const alone = await textOf(base);
      expect(alone.text).toBe(expected(lang, TITLE, base));
      expect(alone.text.endsWith(ELLIPSIS)).toBe(target > LIMIT);
      for (const tail of [1, 2, 30]) {
        const more = [...base, ...fills(lang, tail)];
        const job = await textOf(more);
        expect(job.text).toBe(expected(lang, TITLE, more));
        expect(job.text.length).toBeLessThanOrEqual(LIMIT);
        expect(job.text.endsWith(ELLIPSIS)).toBe(true);
      }
    }
  });

  test('boundary, every N around the limit (and a title with surrogate pairs)', async () => {
    for (const [title, market] of [[TITLE, marketId], [EMOJI_TITLE, emojiMarketId]] as const) {
      const line = lineOf(lang, title, notice(lang, {}, market)).length;
      const n = Math.floor((LIMIT + 1) / (line + 1));
      for (let k = n - 2; k <= n + 3; k++) {
        const list = fills(lang, k, {}, market);
        const full = fullText(lang, title, list);
        const job = await textOf(list);
        expect(job.text).toBe(expected(lang, title, list));
        expect(job.text.endsWith(ELLIPSIS)).toBe(full.length > LIMIT);
        if (full.length <= LIMIT) expect(job.text).toBe(full);
      }
    }
  });

  test('boundary inside a surrogate pair: the cut falls on an emoji of the title', async () => {
    const high = (s: string, i: number) => { const c = s.charCodeAt(i); return c >= 0xd800 && c <= 0xdbff; };
    let list: Notice[] | null = null;
    for (let target = LIMIT + 1; target < LIMIT + 400 && !list; target++) {
      const candidate = tunedFills(lang, EMOJI_TITLE, target, emojiMarketId);
      if (high(fullText(lang, EMOJI_TITLE, candidate), LIMIT - ELLIPSIS.length - 1)) list = candidate;
    }
    if (!list) throw new Error('no cut inside a surrogate pair found');
    for (const more of [list, [...list, ...fills(lang, 3, {}, emojiMarketId)]]) {
      const job = await textOf(more);
      expect(job.text).toBe(expected(lang, EMOJI_TITLE, more));
      expect(job.text.endsWith(ELLIPSIS)).toBe(true);
      expect(high(job.text, job.text.length - 2)).toBe(false);
    }
  });

  test('mixed kinds over the limit (summed expiries and closes, a self-trade cancel)', async () => {
    const expiries = (n: number) => Array.from({ length: n }, (_, i) =>
      notice(lang, { kind: 'order_expired', intent: i % 2 ? 'SELL_YES' : 'BUY_NO', shares: 4 + i, price: 30 + i }));
    // Summed line first, then many fills: cut within the fills.
    const a = [...expiries(5), ...fills(lang, 200, { shares: 11, price: 52 })];
    // Fills first, expiries interleaved: the summed line comes after all fills, past the cut.
    const b = fills(lang, 200, { intent: 'BUY_NO' }).flatMap((n, i) => (i % 50 === 1 ? [n, ...expiries(2)] : [n]));
    // Fills just under the limit, then a self-trade cancel, summed expiries and summed closes; the
    // fills are tuned so that each of these lines in turn is the one that straddles the limit.
    const tail = () => [
      notice(lang, { kind: 'self_trade_cancelled', intent: 'SELL_NO' }),
      ...expiries(3),
      notice(lang, { kind: 'market_closed', intent: 'BUY_YES', shares: 9 }),
      notice(lang, { kind: 'market_closed', intent: 'SELL_YES', shares: 2 }),
    ];
    const tailLines = allLines(lang, TITLE, tail());
    expect(tailLines).toHaveLength(3);
    const c = tailLines.map((_, j) => {
      const before = tailLines.slice(0, j).reduce((s, l) => s + l.length + 1, 0);
      return [...tunedFills(lang, TITLE, LIMIT - before - 20), ...tail(), ...fills(lang, 5)];
    });
    // Many fills, then one expiry (one line, not summed) past the cut.
    const d = [...fills(lang, 60), notice(lang, { kind: 'order_expired' }), ...fills(lang, 1)];
    for (const list of [a, b, ...c, d]) {
      const job = await textOf(list);
      expect(fullText(lang, TITLE, list).length).toBeGreaterThan(LIMIT);
      expect(job.text).toBe(expected(lang, TITLE, list));
      expect(job.text.length).toBeLessThanOrEqual(LIMIT);
      expect(job.text.endsWith(ELLIPSIS)).toBe(true);
    }
    // The summed line of `a` is its first line, worded in full.
    expect((await textOf(a)).text.startsWith(`${summedLine(lang, TITLE, 'order_expired', a.slice(0, 5))}\n`)).toBe(true);
  });

  test('the dedupe key covers every notice, also the ones past the cut', async () => {
    const list = fills(lang, 400);
    const last = list[list.length - 1]!;
    const changed = [...list.slice(0, -1), { ...last, shares: last.shares + 1, amountKop: kop(last.amountKop + 40) }];
    const extra = [...list, notice(lang)];
    const [j1, j2, j3, again] = [await textOf(list), await textOf(changed), await textOf(extra), await textOf(list)];
    // Same text (the last notice is never worded) but different keys.
    expect(j2.text).toBe(j1.text);
    expect(j3.text).toBe(j1.text);
    expect(new Set([j1.dedupeKey, j2.dedupeKey, j3.dedupeKey]).size).toBe(3);
    // A retry of the very same batch dedupes, also when its notices come in another order.
    expect(again.dedupeKey).toBe(j1.dedupeKey);
    expect((await textOf([...list].reverse())).dedupeKey).toBe(j1.dedupeKey);
    expect(j1.dedupeKey.length).toBeLessThanOrEqual(200);
  });
});
