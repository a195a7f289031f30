/**
 * Price charts drawn with Chart.js on node-canvas: the big YES-probability chart of a market
 * card and the small sparklines of digest tiles.
 *
 * The time axis is a plain linear scale over epoch ms (no date adapter). Tick labels are
 * passed in already formatted ({@link TimeTick}), so every input stays JSON-serializable
 * for a sandboxed render worker and the render layer never formats dates itself.
 */
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import type { ChartConfiguration, ScriptableContext } from 'chart.js';
import { FONT_FAMILY, palette, type Palette, type Theme } from './theme';

/** One point of price history: `t` epoch ms, `price` YES price in kop (1..99, = probability %). */
export interface PricePoint {
  t: number;
  price: number;
}

/** A labelled tick of the time axis: `t` epoch ms where it sits, `label` the caller's localized text. */
export interface TimeTick {
  t: number;
  label: string;
}

/** Options of {@link renderPriceChart}; `width`/`height` in px. */
export interface PriceChartOptions {
  width: number;
  height: number;
  theme?: Theme;
  /** Labelled x ticks (see {@link evenTickTimes}); ticks outside the history's time range are dropped. */
  xTicks?: readonly TimeTick[];
  /** Level (0..100) of the dashed placeholder line drawn when the history is empty; default 50. */
  placeholderPrice?: number;
}

/** Options of {@link renderSparkline}; `width`/`height` in px, `up` picks green or red. */
export interface SparklineOptions {
  width: number;
  height: number;
  up: boolean;
  theme?: Theme;
}

type XY = { x: number; y: number };

/** Largest side accepted; far above anything Telegram shows, low enough to bound memory. */
const MAX_SIDE = 4096;
/** Axis label size in px; still legible when Telegram shows a 1000 px card on a phone. */
const TICK_FONT_SIZE = 16;
/** Few distinct sizes occur (card layouts, sparklines); the cap only guards against callers inventing sizes. */
const MAX_CACHED = 16;
const canvases = new Map<string, ChartJSNodeCanvas>();

/**
 * A renderer of the given size, created once and reused: construction loads a fresh Chart.js
 * module and costs far more than a render. `background` undefined means transparent.
 */
function canvasFor(width: number, height: number, background: string | undefined): ChartJSNodeCanvas {
  for (const side of [width, height]) {
    if (!Number.isInteger(side) || side < 1 || side > MAX_SIDE) throw new RangeError(`chart side must be an integer 1..${MAX_SIDE} px, got ${side}`);
  }
  const key = `${width}x${height}/${background ?? 'none'}`;
  let canvas = canvases.get(key);
  if (!canvas) {
    if (canvases.size >= MAX_CACHED) canvases.delete(canvases.keys().next().value as string);
    canvas = new ChartJSNodeCanvas({
      width,
      height,
      backgroundColour: background,
      chartCallback: (chartJs) => {
        chartJs.defaults.font.family = FONT_FAMILY;
      },
    });
    canvases.set(key, canvas);
  }
  return canvas;
}

/** [min, max] of a non-empty list; a loop, since spreading a long history into Math.min overflows the stack. */
function extent(values: readonly number[]): [number, number] {
  let [lo, hi] = [values[0], values[0]];
  for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return [lo, hi];
}

/** Price clamped to the 0..100 axis; a non-finite one (corrupt input) sits at mid-scale instead of breaking the scale. */
const clampPrice = (p: number): number => (Number.isFinite(p) ? Math.min(100, Math.max(0, p)) : 50);

/** Points sorted by time with prices clamped to 0..100, as Chart.js {x, y}. */
function toSeries(points: readonly PricePoint[]): XY[] {
  return points
    .filter((p) => Number.isFinite(p.t))
    .map((p) => ({ x: p.t, y: clampPrice(p.price) }))
    .sort((a, b) => a.x - b.x);
}

/**
 * A history with fewer than two points has no slope to draw; show its level (or the
 * placeholder) as a flat line across the whole plot instead.
 */
function flatIfShort(series: XY[], fallback: number): XY[] {
  if (series.length >= 2) return series;
  const level = series.length === 1 ? series[0].y : clampPrice(fallback);
  return [{ x: 0, y: level }, { x: 1, y: level }];
}

/** Vertical fade from `color` at the line down to transparent, sized to the plot area. */
function fadeFill(color: string, alphaTop: number) {
  return (ctx: ScriptableContext<'line'>) => {
    const area = ctx.chart.chartArea;
    if (!area) return 'transparent'; // first layout pass: the area is not known yet
    const g = ctx.chart.ctx.createLinearGradient(0, area.top, 0, area.bottom);
    g.addColorStop(0, withAlpha(color, alphaTop));
    g.addColorStop(1, withAlpha(color, 0));
    return g;
  };
}

/** `#rrggbb` plus alpha 0..1 as an `rgba()` string. */
function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

function priceChartConfig(points: readonly PricePoint[], opts: PriceChartOptions, pal: Palette): ChartConfiguration<'line', XY[]> {
  const real = toSeries(points);
  const data = flatIfShort(real, opts.placeholderPrice ?? 50);
  const placeholder = real.length === 0;
  const [minX, maxX] = [data[0].x, data[data.length - 1].x];
  // With < 2 real points the x range is synthetic, so time labels would be lies: hide them.
  const ticks = real.length >= 2 ? (opts.xTicks ?? []).filter((k) => k.t >= minX && k.t <= maxX) : [];
  const labels = new Map(ticks.map((k) => [k.t, k.label]));
  const last = data.length - 1;
  const tickFont = { size: TICK_FONT_SIZE };
  return {
    type: 'line',
    data: {
      datasets: [
        {
          data,
          borderColor: placeholder ? pal.muted : pal.line,
          borderWidth: 3,
          clip: 8, // let the line and end marker at 99 % overflow the plot edge instead of being cut
          borderDash: placeholder ? [8, 8] : [],
          fill: !placeholder,
          backgroundColor: fadeFill(pal.line, 0.35),
          pointRadius: (c) => (!placeholder && c.dataIndex === last ? 6 : 0),
          pointBackgroundColor: pal.line,
          pointBorderColor: pal.bg,
          pointBorderWidth: 2,
        },
      ],
    },
    options: {
      parsing: false,
      layout: { padding: { top: 16, right: 4, left: 8, bottom: 2 } },
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
      scales: {
        x: {
          type: 'linear',
          min: minX,
          max: maxX,
          grid: { display: false },
          border: { color: pal.border },
          afterBuildTicks: (axis) => {
            axis.ticks = ticks.map((k) => ({ value: k.t }));
          },
          ticks: { color: pal.muted, font: tickFont, maxRotation: 0, callback: (v) => labels.get(Number(v)) ?? '' },
        },
        y: {
          position: 'right',
          min: 0,
          max: 100,
          grid: { color: pal.grid },
          border: { display: false },
          ticks: { stepSize: 25, color: pal.muted, font: tickFont, callback: (v) => `${v}%` },
        },
      },
    },
  };
}

/**
 * Renders a line chart of YES probability (0..100 % on the y axis) over time.
 *
 * `points` may be unsorted; with one point the level is drawn flat, with none a dashed
 * placeholder at `opts.placeholderPrice`. Drawn on the theme background.
 * @returns PNG of exactly `opts.width` × `opts.height` px.
 * @throws RangeError if a side is not an integer 1..4096.
 */
export async function renderPriceChart(points: readonly PricePoint[], opts: PriceChartOptions): Promise<Buffer> {
  const pal = palette(opts.theme);
  const config = priceChartConfig(points, opts, pal);
  return canvasFor(opts.width, opts.height, pal.bg).renderToBuffer(config as ChartConfiguration);
}

/** A labelled tick of the value axis: `v` where it sits (same unit as the points), `label` the caller's text. */
export interface ValueTick {
  v: number;
  label: string;
}

/** One point of a value series: `t` epoch ms, `value` in the caller's unit (e.g. kop). */
export interface ValuePoint {
  t: number;
  value: number;
}

/** Options of {@link renderValueChart}; `width`/`height` in px. */
export interface ValueChartOptions {
  width: number;
  height: number;
  theme?: Theme;
  xTicks?: readonly TimeTick[];
  /** Labelled y ticks (see {@link evenValueTicks}); the axis spans them and the data. */
  yTicks?: readonly ValueTick[];
}

/**
 * `count` evenly spaced values from the series' low to its high (a flat series gets ±1 around
 * its level), for the caller to label and pass back as {@link ValueTick}s.
 */
export function evenValueTicks(values: readonly number[], count: number): number[] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0 || count < 2) return [];
  let [lo, hi] = extent(finite);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  return Array.from({ length: count }, (_, i) => Math.round(lo + ((hi - lo) * i) / (count - 1)));
}

/**
 * Renders a line chart of a value over time (an account's value): the same look as the price
 * chart, with a y axis scaled to the data and labelled by the caller (the render layer formats
 * no money). Fewer than two points draw a flat line.
 * @returns PNG of exactly `opts.width` × `opts.height` px.
 * @throws RangeError if a side is not an integer 1..4096.
 */
export async function renderValueChart(points: readonly ValuePoint[], opts: ValueChartOptions): Promise<Buffer> {
  const pal = palette(opts.theme);
  const real = points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.value)).map((p) => ({ x: p.t, y: p.value })).sort((a, b) => a.x - b.x);
  const data = real.length >= 2 ? real : [{ x: 0, y: real[0]?.y ?? 0 }, { x: 1, y: real[0]?.y ?? 0 }];
  const [minX, maxX] = [data[0].x, data[data.length - 1].x];
  const ticks = real.length >= 2 ? (opts.xTicks ?? []).filter((k) => k.t >= minX && k.t <= maxX) : [];
  const xLabels = new Map(ticks.map((k) => [k.t, k.label]));
  const yTicks = opts.yTicks ?? [];
  const [lo, hi] = extent([...data.map((p) => p.y), ...yTicks.map((k) => k.v)]);
  const pad = hi > lo ? (hi - lo) * 0.05 : 1;
  const yLabels = new Map(yTicks.map((k) => [k.v, k.label]));
  const tickFont = { size: TICK_FONT_SIZE };
  const last = data.length - 1;
  const config: ChartConfiguration<'line', XY[]> = {
    type: 'line',
    data: {
      datasets: [{
        data, borderColor: pal.line, borderWidth: 3, clip: 8, fill: true, backgroundColor: fadeFill(pal.line, 0.3),
        pointRadius: (c) => (c.dataIndex === last && real.length >= 2 ? 6 : 0), pointBackgroundColor: pal.line, pointBorderColor: pal.bg, pointBorderWidth: 2,
      }],
    },
    options: {
      parsing: false,
      layout: { padding: { top: 16, right: 4, left: 8, bottom: 2 } },
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
      scales: {
        x: {
          type: 'linear', min: minX, max: maxX, grid: { display: false }, border: { color: pal.border },
          afterBuildTicks: (axis) => {
            axis.ticks = ticks.map((k) => ({ value: k.t }));
          },
          ticks: { color: pal.muted, font: tickFont, maxRotation: 0, callback: (v) => xLabels.get(Number(v)) ?? '' },
        },
        y: {
          position: 'right', min: lo - pad, max: hi + pad, grid: { color: pal.grid }, border: { display: false },
          afterBuildTicks: (axis) => {
            axis.ticks = yTicks.map((k) => ({ value: k.v }));
          },
          ticks: { color: pal.muted, font: tickFont, callback: (v) => yLabels.get(Number(v)) ?? '' },
        },
      },
    },
  };
  return canvasFor(opts.width, opts.height, pal.bg).renderToBuffer(config as ChartConfiguration);
}

/**
 * Renders a small axis-less price line, green if `opts.up` else red, scaled to the points'
 * own range so small moves stay visible. Transparent background, for compositing onto tiles.
 * Fewer than two points draw a flat line at mid-height.
 * @returns PNG of exactly `opts.width` × `opts.height` px.
 * @throws RangeError if a side is not an integer 1..4096.
 */
export async function renderSparkline(points: readonly PricePoint[], opts: SparklineOptions): Promise<Buffer> {
  const pal = palette(opts.theme);
  const color = opts.up ? pal.yes : pal.no;
  const data = flatIfShort(toSeries(points), 50);
  const [lo, hi] = extent(data.map((p) => p.y));
  // Pad the range so the line never touches the edges; a flat line gets a nominal ±5 %.
  const pad = hi > lo ? (hi - lo) * 0.12 : 5;
  const config: ChartConfiguration<'line', XY[]> = {
    type: 'line',
    data: {
      datasets: [
        { data, borderColor: color, borderWidth: 3, pointRadius: 0, fill: true, backgroundColor: fadeFill(color, 0.28), tension: 0.25 },
      ],
    },
    options: {
      parsing: false,
      layout: { padding: 3 },
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
      scales: {
        x: { type: 'linear', display: false, min: data[0].x, max: data[data.length - 1].x },
        y: { display: false, min: lo - pad, max: hi + pad },
      },
    },
  };
  return canvasFor(opts.width, opts.height, undefined).renderToBuffer(config as ChartConfiguration);
}

/**
 * `count` timestamps (epoch ms) evenly spaced over the history's time range, first and last
 * included: positions for the caller to label and pass back as {@link TimeTick}s.
 * @returns [] for fewer than two distinct timestamps or `count` < 2.
 */
export function evenTickTimes(points: readonly PricePoint[], count: number): number[] {
  const ts = points.map((p) => p.t).filter(Number.isFinite);
  if (ts.length < 2 || count < 2) return [];
  const [min, max] = extent(ts);
  if (max === min) return [];
  return Array.from({ length: count }, (_, i) => Math.round(min + ((max - min) * i) / (count - 1)));
}
