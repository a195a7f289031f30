/**
 * Market card: one landscape PNG with the title, the YES-price chart, big YES/NO prices,
 * volume, deadline and an optional status ribbon. The chart comes from Chart.js; all text is an
 * SVG overlay composed on top with sharp.
 */
import sharp from 'sharp';
import { renderPriceChart, type PricePoint, type TimeTick } from './chart';
import { fitLine, shrinkToFit, svgText, wrapText } from './text';
import { palette, type Palette, type StatusTone, type Theme } from './theme';

// Every card is a new picture, so libvips' operation cache (50 MB by default) only holds memory.
sharp.cache(false);

/**
 * Everything a card shows. Every string is already localized and formatted by the caller;
 * the object is plain JSON so it can travel to a render worker as-is.
 */
export interface MarketCardInput {
  /** Market question; wrapped onto at most 3 lines, then cut with an ellipsis. */
  title: string;
  /** Outcome captions, e.g. "YES" / "NO" in the user's language. */
  yesLabel: string;
  noLabel: string;
  /** Prices in kop per share (1..99, = probability %); drawn rounded, as "65%". */
  yesPrice: number;
  noPrice: number;
  /** Pre-formatted lines such as "Volume: 12 400 RUB" and "Closes 31 Dec 2025". */
  volumeText: string;
  deadlineText: string;
  /** Ribbon across the top, e.g. "Trading closed" or "Resolved: YES"; omitted = no ribbon. */
  statusText?: string;
  /** Ribbon colour; default 'neutral'. */
  statusTone?: StatusTone;
  /** YES price history; may be empty (a dashed line at `yesPrice` is drawn). */
  chartPoints: PricePoint[];
  /** Labelled time-axis ticks, see `evenTickTimes`. */
  xTicks?: TimeTick[];
  theme?: Theme;
}

/** Card size in px: landscape, sharp on phones, far inside Telegram's photo limits. */
export const CARD_WIDTH = 1000;
export const CARD_HEIGHT = 560;

const PAD = 40;
const RIBBON_H = 52;
const TITLE_SIZE = 34;
const TITLE_LINE = 44;
const PANEL_W = 270;
const PANEL_X = CARD_WIDTH - PAD - PANEL_W;
const BOX_H = 96;
const META_SIZE = 21;

/** Vertical layout, which depends on whether there is a ribbon and how many lines the title takes. */
function layout(hasRibbon: boolean, titleLines: number) {
  const titleTop = (hasRibbon ? RIBBON_H : 0) + PAD;
  const contentTop = titleTop + titleLines * TITLE_LINE + (titleLines > 0 ? 16 : 0);
  return {
    titleTop,
    contentTop,
    chart: { left: 16, top: contentTop, width: PANEL_X - 16 - 28, height: CARD_HEIGHT - 20 - contentTop },
  };
}

type Layout = ReturnType<typeof layout>;

/** A tinted outcome box: caption on the left, big price on the right. */
function priceBox(y: number, label: string, price: number, color: string): string {
  const priceText = `${Math.round(price)}%`;
  const mid = y + BOX_H / 2;
  return (
    `<rect x="${PANEL_X}" y="${y}" width="${PANEL_W}" height="${BOX_H}" rx="18" fill="${color}" fill-opacity="0.13" ` +
    `stroke="${color}" stroke-opacity="0.45" stroke-width="2"/>` +
    svgText(fitLine(label, 24, 'bold', 100), { x: PANEL_X + 22, y: mid + 9, size: 24, weight: 'bold', fill: color }) +
    svgText(priceText, { x: PANEL_X + PANEL_W - 22, y: mid + 21, size: 60, weight: 'bold', fill: color, anchor: 'end' })
  );
}

/**
 * The two muted lines under the price boxes. Long text shrinks a little before it gets cut;
 * both lines share one size so they read as a pair.
 */
function metaLines(lines: [string, string], pal: Palette): string {
  const size = Math.min(...lines.map((l) => shrinkToFit(l, META_SIZE, 16, 'normal', PANEL_W).size));
  return lines
    .map((l, i) => svgText(fitLine(l, size, 'normal', PANEL_W), { x: PANEL_X, y: CARD_HEIGHT - PAD - (1 - i) * 34, size, fill: pal.muted }))
    .join('');
}

function overlaySvg(input: MarketCardInput, pal: Palette, titleLines: string[], { titleTop, contentTop }: Layout): string {
  const parts: string[] = [];
  if (input.statusText !== undefined) {
    const tone = pal.tones[input.statusTone ?? 'neutral'];
    parts.push(
      `<rect x="0" y="0" width="${CARD_WIDTH}" height="${RIBBON_H}" fill="${tone.fill}"/>`,
      svgText(fitLine(input.statusText, 24, 'bold', CARD_WIDTH - 2 * PAD), { x: PAD, y: RIBBON_H / 2 + 9, size: 24, weight: 'bold', fill: tone.text }),
    );
  }
  // The first baseline sits one cap height below the top; DejaVu caps are ~0.73 em.
  titleLines.forEach((line, i) => {
    parts.push(svgText(line, { x: PAD, y: titleTop + Math.round(TITLE_SIZE * 0.76) + i * TITLE_LINE, size: TITLE_SIZE, weight: 'bold', fill: pal.text }));
  });
  parts.push(
    priceBox(contentTop, input.yesLabel, input.yesPrice, pal.yes),
    priceBox(contentTop + BOX_H + 14, input.noLabel, input.noPrice, pal.no),
    metaLines([input.volumeText, input.deadlineText], pal),
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}">${parts.join('')}</svg>`;
}

/**
 * Renders a market card.
 * @returns PNG of {@link CARD_WIDTH} × {@link CARD_HEIGHT} px (typically 40–120 KB).
 */
export async function renderMarketCard(input: MarketCardInput): Promise<Buffer> {
  const pal = palette(input.theme);
  const titleLines = wrapText(input.title, TITLE_SIZE, 'bold', CARD_WIDTH - 2 * PAD, 3);
  const box = layout(input.statusText !== undefined, titleLines.length);
  const { chart } = box;
  const chartPng = await renderPriceChart(input.chartPoints, {
    width: chart.width,
    height: chart.height,
    theme: input.theme,
    xTicks: input.xTicks,
    placeholderPrice: input.yesPrice,
  });
  return sharp({ create: { width: CARD_WIDTH, height: CARD_HEIGHT, channels: 3, background: pal.bg } })
    .composite([
      { input: chartPng, left: chart.left, top: chart.top },
      { input: Buffer.from(overlaySvg(input, pal, titleLines, box)), left: 0, top: 0 },
    ])
    .png()
    .toBuffer();
}
