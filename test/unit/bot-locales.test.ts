import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import en from '../../locales/en.json';
import ru from '../../locales/ru.json';
import { hasText, t, th, type Language } from '../../infra/i18n';

const ROOT = join(__dirname, '..', '..');
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Every leaf key of a locale, plural forms folded into their base key (ru has more forms than en). */
function keysOf(tree: object, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null) for (const sub of keysOf(v, key)) out.add(sub);
    else out.add(key.replace(PLURAL, ''));
  }
  return out;
}

function leaves(tree: object): string[] {
  return Object.values(tree).flatMap((v) => (typeof v === 'object' && v !== null ? leaves(v) : [String(v)]));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const BOT_SOURCES = [...tsFiles(join(ROOT, 'bot')), ...tsFiles(join(ROOT, 'messages')), join(ROOT, 'infra/i18n.ts'), join(ROOT, 'infra/format.ts')];
const NAMESPACES = new Set(Object.keys(ru));

/** A key exists in `lang` if it has a text, or is a plural key with an `_other` form. */
function exists(lang: Language, key: string): boolean {
  return hasText(lang, key) || hasText(lang, `${key}_other`);
}

describe('locales', () => {
  it('ru and en have exactly the same keys (no missing translation)', () => {
    expect([...keysOf(en)].sort()).toEqual([...keysOf(ru)].sort());
  });

  it('every key literal in bot/ and messages/ exists in both languages', () => {
    const used = new Set<string>();
    for (const file of BOT_SOURCES) {
      for (const m of readFileSync(file, 'utf8').matchAll(/['`]([a-z_]+\.[A-Za-z0-9_.]+)['`]/g)) {
        if (NAMESPACES.has(m[1].split('.')[0])) used.add(m[1]);
      }
    }
    expect(used.size).toBeGreaterThan(150);
    const missing = [...used].flatMap((key) => (['ru', 'en'] as const).filter((l) => !exists(l, key)).map((l) => `${l}:${key}`));
    expect(missing).toEqual([]);
  });

  it('every nested $t(...) reference in the texts exists', () => {
    for (const [lang, tree] of [['ru', ru], ['en', en]] as const) {
      for (const text of leaves(tree)) {
        for (const m of text.matchAll(/\$t\(([\w.]+)/g)) expect(exists(lang, m[1])).toBe(true);
      }
    }
  });

  it('has the keys the workers use, with their variables', () => {
    const vars = { title: 'T', side: 'S', shares: 3, price: 40, amount: 12000, outcome: 'O', payout: 300, paid: 2, total: 5, positions: 5 };
    for (const lang of ['ru', 'en'] as const) {
      for (const key of ['notify.fill', 'notify.self_trade_cancelled', 'notify.order_expired', 'notify.settled', 'notify.market_closed', 'settle.progress', 'settle.done']) {
        const text = t(lang, key, vars);
        expect(text).not.toBe(key);
        expect(text).not.toMatch(/\{\{|\$t\(|</); // fully interpolated, plain text (no HTML: workers send without parse mode)
      }
      for (const key of ['intent.BUY_YES', 'intent.SELL_YES', 'intent.BUY_NO', 'intent.SELL_NO', 'outcome.YES', 'outcome.NO', 'outcome.VOID', 'outcome.PROB']) {
        expect(hasText(lang, key)).toBe(true);
      }
    }
  });

  it('has a text for every failure code the domain returns', () => {
    const codes = [
      // exchange/limits + market-batch + trading
      'qty_or_spend_required', 'price_out_of_range', 'qty_not_whole', 'spend_not_whole', 'spend_requires_buy', 'spend_requires_ioc',
      'post_only_requires_resting', 'expiry_required', 'expiry_in_past', 'expiry_only_for_gtd', 'notional_too_small',
      'notional_too_large', 'market_not_found', 'market_closed', 'market_paused', 'insufficient_funds', 'insufficient_shares',
      'no_liquidity', 'fok_not_fillable', 'post_only_would_cross', 'order_not_open', 'order_queued', 'rejected',
      // payments, markets, resolution
      'invoice_unknown', 'invoice_already_paid', 'invoice_mismatch', 'deposit_too_small', 'deposit_too_large',
      'market_title_length', 'market_bad_category', 'market_bad_deadline', 'market_deadline_past',
      'market_still_open', 'market_already_resolved', 'market_not_closed_yet', 'probability_out_of_range',
    ];
    for (const lang of ['ru', 'en'] as const) for (const code of codes) expect(`${lang}:${hasText(lang, `errors.${code}`)}`).toBe(`${lang}:true`);
  });

  it('formats money, signs and fee rates inside texts per locale', () => {
    expect(t('ru', 'errors.amount_too_small', { min: 1000 })).toContain('10,00\u00a0₽');
    expect(t('en', 'errors.amount_too_small', { min: 1000 })).toContain('₽10.00');
    expect(t('en', 'order.amount_button', { amount: 50_000 })).toBe('₽500');
    expect(t('en', 'order.preview_fee', { amount: 7, bps: 10 })).toBe('Fee: ₽0.07 (0.10%)');
    expect(t('en', 'portfolio.position', { title: 'T', side: 'YES', shares: 1, cost: 60, value: 70, pnl: 10 })).toContain('P&L +₽0.10');
  });

  it('pluralizes shares in Russian and English', () => {
    expect(t('ru', 'order.preview_rest', { shares: 1, price: 5 })).toContain('1 акция');
    expect(t('ru', 'order.preview_rest', { shares: 3, price: 5 })).toContain('3 акции');
    expect(t('ru', 'order.preview_rest', { shares: 11, price: 5 })).toContain('11 акций');
    expect(t('en', 'order.preview_rest', { shares: 1, price: 5 })).toContain('1 share ');
    expect(t('en', 'order.preview_rest', { shares: 2, price: 5 })).toContain('2 shares');
  });

  it('escapes variables in HTML texts only', () => {
    expect(th('en', 'card.title', { title: 'A < B & <b>C</b>' })).toBe('<b>A &lt; B &amp; &lt;b&gt;C&lt;/b&gt;</b>');
    expect(t('en', 'markets.item_button', { yes: 5, title: 'A < B' })).toBe('5% · A < B');
  });

  it('keeps user-facing words out of code: no Cyrillic in bot/ or infra/{i18n,format}.ts', () => {
    const offenders = BOT_SOURCES.filter((f) => /[\u0400-\u04ff]/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
