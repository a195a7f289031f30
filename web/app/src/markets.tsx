import { useEffect, useState } from 'react';
import { api, type MarketSummary } from './api';
import { date, tr } from './i18n';

interface ListPage { markets: MarketSummary[]; total: number; page: number; pageSize: number; categories: { category: string; count: number }[] }

/** Markets list: search, categories, pages of 20. */
export function MarketsScreen({ open }: { open: (id: number) => void }) {
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState('');
  const [items, setItems] = useState<MarketSummary[]>([]);
  const [page, setPage] = useState<ListPage | null>(null);
  const load = async (p: number) => {
    const q = new URLSearchParams({ page: String(p), ...(search ? { search } : {}), ...(category ? { category } : {}) });
    const r = await api<ListPage>(`/markets?${q}`);
    setPage(r);
    setItems((old) => (p === 0 ? r.markets : [...old, ...r.markets]));
  };
  useEffect(() => {
    const id = setTimeout(() => void load(0), 250);
    return () => clearTimeout(id);
  }, [search, category]);
  return (
    <div>
      <input className="search" placeholder={tr('search')} value={search} onChange={(e) => setSearch(e.target.value)} />
      <div className="chips">
        <button className={category === '' ? 'chip on' : 'chip'} onClick={() => setCategory('')}>{tr('all_categories')}</button>
        {page?.categories.map((c) => (
          <button key={c.category} className={category === c.category ? 'chip on' : 'chip'} onClick={() => setCategory(c.category)}>
            {c.category} · {c.count}
          </button>
        ))}
      </div>
      {page && items.length === 0 && <p className="hint">{tr('no_markets')}</p>}
      {items.map((m) => (
        <button key={m.id} className="card market-row" data-testid={`market-${m.id}`} onClick={() => open(m.id)}>
          <div className="title">{m.title}</div>
          <div className="row hint">
            <span>{tr('yes_price', { price: m.lastPrice ?? 50 })}</span>
            <span>{tr('volume', { amount: m.volumeKop })}</span>
            <span>{tr('deadline', { date: date(m.deadline) })}</span>
          </div>
        </button>
      ))}
      {page && items.length < page.total && <button className="secondary" onClick={() => void load(page.page + 1)}>{tr('more')}</button>}
    </div>
  );
}
