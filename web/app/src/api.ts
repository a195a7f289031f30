/** Calls of the app's JSON API (web/api), signed in by Telegram initData. */
export interface ApiError {
  ok: false;
  error: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(readonly status: number, readonly body: ApiError) {
    super(body.message);
  }
}

let initData = '';

/** Sets the initData sent with every request. */
export function signIn(data: string): void {
  initData = data;
}

/** GET or POST `/api<path>`; throws {@link ApiFailure} with the server's localized message. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `tma ${initData}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok || json.ok === false) throw new ApiFailure(res.status, json as ApiError);
  return json as T;
}

/** A live stream of market changes (SSE; initData in the query since EventSource sends no headers). */
export function liveStream(marketId: number | null, onChange: (marketId: number) => void): () => void {
  const q = new URLSearchParams({ tma: initData, ...(marketId === null ? {} : { market: String(marketId) }) });
  const es = new EventSource(`/api/live?${q}`);
  es.addEventListener('market', (e) => onChange(JSON.parse((e as MessageEvent).data).marketId));
  return () => es.close();
}

/** A fresh key per tap: a retried request with it has one effect. */
export function tapKey(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export interface MarketSummary { id: number; title: string; category: string; deadline: number; lastPrice: number | null; volumeKop: number }
export interface BookLevel { price: number; qty: number; orders: number }
export interface Candle { t: number; open: number; high: number; low: number; close: number; volumeKop: number }
export interface MarketPage {
  market: { id: number; title: string; rules: string; category: string; deadline: number; state: string; lastPrice: number | null; volumeKop: number };
  quote: { yesPrice: number; noPrice: number; bestBid: number | null; bestAsk: number | null };
  book: { bids: BookLevel[]; asks: BookLevel[] };
  trades: { id: number; price: number; qty: number; at: number }[];
  candles: Candle[];
}
export interface Preview { shares: number; costKop: number; feeKop: number; totalKop: number; maxPayoutKop: number }
export interface Portfolio {
  positions: { marketId: number; title: string; outcome: 'YES' | 'NO'; shares: number; costKop: number; valueKop: number; pnlKop: number }[];
  orders: { id: number; marketId: number; title: string; intent: string; price: number; remaining: number }[];
  history: { trades: { id: number; title: string; intent: string; price: number; qty: number; costKop: number; at: number }[]; total: number; page: number; pageSize: number };
  balance: { available: number; reserved: number };
}
