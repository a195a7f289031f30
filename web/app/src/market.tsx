import { useEffect, useRef, useState } from 'react';
import { AMOUNT_PRESETS_KOP } from '../../../domain/exchange/bet-size';
import { api, ApiFailure, liveStream, tapKey, type MarketPage, type Preview } from './api';
import { PriceChart } from './chart';
import { date, tb, tr } from './i18n';
import { mainButton } from './main-button';

const TIMEFRAMES = ['1h', '1d', '1w', 'all'] as const;
type Side = 'BUY_YES' | 'BUY_NO';
/** An order request as the API takes it (web/api/schemas.ts orderBody). */
interface OrderRequest { marketId: number; intent: Side; kind: 'market'; amountKop: number; price?: number }
/** A preview on screen: what it showed, the key born with it, and the exact order Confirm places. */
interface Shown { p: Preview; key: string; order: OrderRequest }

/** Market page: chart with timeframes, depth, recent trades, rules; Buy YES / Buy NO with presets, preview and confirm. */
export function MarketScreen({ id, onTraded }: { id: number; onTraded: () => void }) {
  const [tf, setTf] = useState<(typeof TIMEFRAMES)[number]>('1d');
  const [data, setData] = useState<MarketPage | null>(null);
  const [side, setSide] = useState<Side | null>(null);
  const [amount, setAmount] = useState(AMOUNT_PRESETS_KOP[0]!);
  const [preview, setPreview] = useState<Shown | null>(null);
  // Only the latest tap's preview may be shown: an earlier one answering late is dropped.
  const asked = useRef(0);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () => api<MarketPage>(`/markets/${id}?tf=${tf}`).then(setData).catch((e: ApiFailure) => setNote({ text: e.message, error: true }));
  useEffect(() => void load(), [id, tf]);
  useEffect(() => liveStream(id, () => void load()), [id, tf]);

  const ask = async (s: Side, kop: number) => {
    const n = ++asked.current;
    setSide(s);
    setAmount(kop);
    setNote(null);
    // The old preview goes at once: its Confirm must not place an order of another side or amount.
    setPreview(null);
    const order: OrderRequest = { marketId: id, intent: s, kind: 'market', amountKop: kop };
    try {
      const r = await api<{ preview: Preview; order: { price: number } }>('/orders/preview', order);
      if (n !== asked.current) return;
      // The key is born with the preview this tap shows: both Confirm buttons and a retry carry it.
      // The preview's worst price goes along, so a price that moved meanwhile cannot fill worse.
      setPreview({ p: r.preview, key: tapKey(), order: { ...order, price: r.order.price } });
    } catch (e) {
      if (n !== asked.current) return;
      setPreview(null);
      setNote({ text: (e as ApiFailure).message, error: true });
    }
  };
  const confirm = async () => {
    if (!preview || busy) return;
    setBusy(true);
    try {
      const r = await api<{ outcome: { filled: number; costKop: number; feeKop: number } }>('/orders',
        { ...preview.order, key: preview.key });
      setNote({ text: tr('placed', { shares: r.outcome.filled, amount: r.outcome.costKop + r.outcome.feeKop }), error: false });
      window.Telegram?.WebApp?.HapticFeedback?.notificationOccurred('success');
      setPreview(null);
      onTraded();
      void load();
    } catch (e) {
      const f = e as ApiFailure;
      setNote({ text: f.status === 202 ? tr('queued') : f.message, error: f.status !== 202 });
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => mainButton(preview ? tr('confirm', { amount: preview.p.totalKop }) : null, () => void confirm()), [preview, busy]);

  if (!data) return <p className="hint">{note?.text ?? tr('loading')}</p>;
  const { market, quote, book, trades, candles } = data;
  return (
    <div>
      <h2 data-testid="market-title">{market.title}</h2>
      <div className="row hint">
        <span>{tr(`state.${market.state}`)}</span>
        <span>{tr('deadline', { date: date(market.deadline) })}</span>
        <span>{tr('volume', { amount: market.volumeKop })}</span>
      </div>
      <div className="big" data-testid="yes-price">{tr('yes_price', { price: quote.yesPrice })}</div>
      <div className="chips">
        {TIMEFRAMES.map((x) => <button key={x} className={x === tf ? 'chip on' : 'chip'} onClick={() => setTf(x)}>{x}</button>)}
      </div>
      <PriceChart candles={candles} />
      {candles.length === 0 && <p className="hint">{tr('no_trades_yet')}</p>}

      <div className="buy">
        <button className="yes" data-testid="buy-yes" onClick={() => void ask('BUY_YES', amount)}>{tr('buy_yes', { price: quote.bestAsk ?? quote.yesPrice })}</button>
        <button className="no" data-testid="buy-no" onClick={() => void ask('BUY_NO', amount)}>{tr('buy_no', { price: quote.bestBid === null ? quote.noPrice : 100 - quote.bestBid })}</button>
      </div>
      {side && (
        <div className="chips">
          <span className="hint">{tr('amount')}</span>
          {AMOUNT_PRESETS_KOP.map((k) => (
            <button key={k} data-testid={`amount-${k}`} className={k === amount ? 'chip on' : 'chip'} onClick={() => void ask(side, k)}>{tr('amount_preset', { amount: k })}</button>
          ))}
        </div>
      )}
      {preview && (
        <div className="card" data-testid="preview">
          <div className="title">{tb(`intent.${preview.order.intent}`)}</div>
          <div>{tr('preview_shares', { shares: preview.p.shares })}</div>
          <div>{tr('preview_cost', { amount: preview.p.costKop })}</div>
          <div>{tr('preview_fee', { amount: preview.p.feeKop })}</div>
          <div>{tr('preview_total', { amount: preview.p.totalKop })}</div>
          <div>{tr('preview_payout', { amount: preview.p.maxPayoutKop })}</div>
          <div className="buy">
            <button className="primary" data-testid="confirm" disabled={busy} onClick={() => void confirm()}>{tr('confirm', { amount: preview.p.totalKop })}</button>
            <button className="secondary" onClick={() => setPreview(null)}>{tr('cancel')}</button>
          </div>
        </div>
      )}
      {note && <p className={note.error ? 'error' : 'ok'} data-testid="note">{note.text}</p>}

      <h3>{tr('book')}</h3>
      <div className="book" data-testid="book">
        <table><thead><tr><th>{tr('bids')}</th><th>{tr('qty')}</th></tr></thead>
          <tbody>{book.bids.map((l) => <tr key={l.price}><td className="yes-t">{l.price}</td><td>{l.qty}</td></tr>)}</tbody></table>
        <table><thead><tr><th>{tr('asks')}</th><th>{tr('qty')}</th></tr></thead>
          <tbody>{book.asks.map((l) => <tr key={l.price}><td className="no-t">{l.price}</td><td>{l.qty}</td></tr>)}</tbody></table>
      </div>
      <h3>{tr('trades')}</h3>
      <table className="tape" data-testid="trades"><tbody>
        {trades.map((x) => <tr key={x.id}><td>{x.price}</td><td>{x.qty}</td><td className="hint">{date(x.at)}</td></tr>)}
      </tbody></table>
      <h3>{tr('rules')}</h3>
      <p className="rules">{market.rules}</p>
    </div>
  );
}
