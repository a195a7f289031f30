import { useEffect, useState } from 'react';
import { api, ApiFailure, liveStream, tapKey, type Portfolio } from './api';
import { date, tb, tr } from './i18n';

/** Portfolio: balance, positions with P&L, open orders with cancel, trade history (paged). */
export function PortfolioScreen({ open }: { open: (id: number) => void }) {
  const [data, setData] = useState<Portfolio | null>(null);
  const [page, setPage] = useState(0);
  const [note, setNote] = useState<string | null>(null);
  const load = () => api<Portfolio>(`/portfolio?page=${page}`).then(setData).catch((e: ApiFailure) => setNote(e.message));
  useEffect(() => void load(), [page]);
  useEffect(() => liveStream(null, () => void load()), [page]);
  const cancel = async (marketId: number, orderId: number) => {
    try {
      await api('/orders/cancel', { marketId, orderId, key: tapKey() });
      void load();
    } catch (e) {
      setNote((e as ApiFailure).message);
    }
  };
  if (!data) return <p className="hint">{note ?? tr('loading')}</p>;
  const h = data.history;
  return (
    <div>
      <div className="big" data-testid="balance">{tr('balance', { amount: data.balance.available })}</div>
      {note && <p className="error">{note}</p>}
      <h3>{tr('positions')}</h3>
      {data.positions.length === 0 && <p className="hint">{tr('no_positions')}</p>}
      {data.positions.map((p) => (
        <button key={`${p.marketId}-${p.outcome}`} className="card market-row" data-testid="position" onClick={() => open(p.marketId)}>
          <div className="title">{p.title}</div>
          <div className="row">
            <span>{tr('position_line', { outcome: tb(`side.${p.outcome.toLowerCase()}`), shares: p.shares, value: p.valueKop })}</span>
            <span className={p.pnlKop >= 0 ? 'ok' : 'error'}>{tr('pnl', { pnl: p.pnlKop })}</span>
          </div>
        </button>
      ))}
      <h3>{tr('orders')}</h3>
      {data.orders.length === 0 && <p className="hint">{tr('no_orders')}</p>}
      {data.orders.map((o) => (
        <div key={o.id} className="card row" data-testid="order">
          <span>{o.title} · {tr('order_line', { intent: tb(`intent.${o.intent}`), remaining: o.remaining, price: o.price })}</span>
          <button className="secondary" onClick={() => void cancel(o.marketId, o.id)}>{tr('cancel_order')}</button>
        </div>
      ))}
      <h3>{tr('history')}</h3>
      {h.trades.length === 0 && <p className="hint">{tr('no_history')}</p>}
      {h.trades.map((x) => (
        <div key={`${x.id}-${x.intent}`} className="row tape-row" data-testid="history">
          <span>{x.title} · {tr('history_line', { intent: tb(`intent.${x.intent}`), qty: x.qty, price: x.price, amount: x.costKop })}</span>
          <span className="hint">{date(x.at)}</span>
        </div>
      ))}
      <div className="row">
        {page > 0 && <button className="secondary" onClick={() => setPage(page - 1)}>←</button>}
        {(page + 1) * h.pageSize < h.total && <button className="secondary" onClick={() => setPage(page + 1)}>→</button>}
      </div>
    </div>
  );
}
