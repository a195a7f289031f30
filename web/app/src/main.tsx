/** The Mini App: markets, a market page and the portfolio (docs/MINIAPP.md). */
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { api, signIn, type ApiFailure } from './api';
import { setLanguage, tr } from './i18n';
import { backButton } from './main-button';
import { MarketScreen } from './market';
import { MarketsScreen } from './markets';
import { PortfolioScreen } from './portfolio';
import { applyTheme, webApp } from './telegram';
import './styles.css';

type Route = { name: 'markets' } | { name: 'portfolio' } | { name: 'market'; id: number };

function routeOf(hash: string): Route {
  const m = /^#\/market\/(\d+)$/.exec(hash);
  if (m) return { name: 'market', id: Number(m[1]) };
  return hash === '#/portfolio' ? { name: 'portfolio' } : { name: 'markets' };
}

function App() {
  const [route, setRoute] = useState<Route>(routeOf(location.hash));
  const [ready, setReady] = useState<'loading' | 'ok' | string>('loading');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const on = () => setRoute(routeOf(location.hash));
    window.addEventListener('hashchange', on);
    api<{ language: 'ru' | 'en' }>('/me')
      .then((me) => {
        setLanguage(me.language);
        setReady('ok');
      })
      .catch((e: ApiFailure) => setReady(e.message));
    return () => window.removeEventListener('hashchange', on);
  }, []);
  useEffect(() => backButton(route.name === 'market' ? () => history.back() : null), [route]);
  const go = (hash: string) => (location.hash = hash);
  if (ready === 'loading') return <p className="hint">{tr('loading')}</p>;
  if (ready !== 'ok') return <p className="error" data-testid="fatal">{ready}</p>;
  return (
    <div>
      <nav className="tabs">
        <button className={route.name !== 'portfolio' ? 'tab on' : 'tab'} data-testid="tab-markets" onClick={() => go('#/')}>{tr('tab_markets')}</button>
        <button className={route.name === 'portfolio' ? 'tab on' : 'tab'} data-testid="tab-portfolio" onClick={() => go('#/portfolio')}>{tr('tab_portfolio')}</button>
      </nav>
      {route.name === 'markets' && <MarketsScreen open={(id) => go(`#/market/${id}`)} />}
      {route.name === 'market' && <MarketScreen key={route.id} id={route.id} onTraded={() => setTick(tick + 1)} />}
      {route.name === 'portfolio' && <PortfolioScreen open={(id) => go(`#/market/${id}`)} />}
    </div>
  );
}

/** Shown in a plain browser: no signed initData, nothing to sign in with. */
function Outside() {
  return (
    <div className="outside" data-testid="outside">
      <h2>{tr('outside_title')}</h2>
      <p>{tr('outside_text')}</p>
    </div>
  );
}

const w = webApp();
const root = createRoot(document.getElementById('root')!);
if (!w) {
  setLanguage(navigator.language.toLowerCase().startsWith('en') ? 'en' : 'ru');
  root.render(<Outside />);
} else {
  applyTheme(w);
  w.onEvent?.('themeChanged', () => applyTheme(w));
  signIn(w.initData);
  w.ready();
  w.expand?.();
  root.render(<App />);
}
