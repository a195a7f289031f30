import { CandlestickSeries, createChart, type IChartApi, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import type { Candle } from './api';

/** The YES-price chart (TradingView lightweight-charts), in the theme's colours. */
export function PriceChart({ candles }: { candles: Candle[] }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ReturnType<IChartApi['addSeries']> | null>(null);
  useEffect(() => {
    const css = getComputedStyle(document.documentElement);
    const c = createChart(box.current!, {
      height: 220, autoSize: true,
      layout: { background: { color: css.getPropertyValue('--bg').trim() || '#fff' }, textColor: css.getPropertyValue('--text').trim() || '#000' },
      grid: { vertLines: { visible: false }, horzLines: { color: css.getPropertyValue('--card').trim() || '#eee' } },
      timeScale: { timeVisible: true },
    });
    series.current = c.addSeries(CandlestickSeries, { upColor: '#26a69a', downColor: '#ef5350', wickUpColor: '#26a69a', wickDownColor: '#ef5350', borderVisible: false });
    chart.current = c;
    return () => c.remove();
  }, []);
  useEffect(() => {
    series.current?.setData(candles.map((k) => ({ time: k.t as UTCTimestamp, open: k.open, high: k.high, low: k.low, close: k.close })));
    chart.current?.timeScale().fitContent();
  }, [candles]);
  return <div className="chart" data-testid="chart" ref={box} />;
}
