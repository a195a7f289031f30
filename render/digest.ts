/**
 * Channel digest: a header line over a two-column grid of up to six "top mover" tiles, each
 * with the market title, current price, 24 h change and a sparkline. Sparklines come from
 * Chart.js; the rest is an SVG overlay composed with sharp.
 */
import sharp from 'sharp';
import { renderSparkline, type PricePoint } from './chart';
import { shrinkToFit, svgText, wrapText } from './text';
import { palette, type Palette, type Theme } from './theme';

/** One market in the digest. Strings are already localized and formatted by the caller. */
export interface DigestTile {
  /** Market question; up to 2 lines, then cut with an ellipsis. */
  title: string;
  /** Current YES price in kop per share (1..99, = probability %); drawn rounded, as "65%". */
  price: number;
  /** Pre-formatted change over the period, e.g. "+12 pp in 24 h". */
  changeText: string;
  /** Direction of the change: green sparkline and change text if true, red if false. */
  up: boolean;
  /** Price history for the sparkline (typically the last 24 h); may be empty. */
  points: PricePoint[];
}

/** Everything a digest image shows; plain JSON, so it can travel to a render worker as-is. */
export interface DigestInput {
  /** Header line, e.g. "Top movers, 21 Nov". */
  header: string;
  /** 0..6 tiles, laid out row by row, two per row. */
  tiles: DigestTile[];
  theme?: Theme;
}

/** Most tiles one digest holds: three rows keep the image readable on a phone. */
export const MAX_DIGEST_TILES = 6;
/** Digest width in px; the height grows with the number of tile rows (at most 812 px). */
export const DIGEST_WIDTH = 1000;

const PAD = 32;
const HEADER_H = 78;
const GAP = 20;
const TILE_W = (DIGEST_WIDTH - 2 * PAD - GAP) / 2;
const TILE_H = 210;
const INSET = 22;
const SPARK_W = 220;
const SPARK_H = 92;

/** Top-left corner of tile `i` in px. */
function tileOrigin(i: number): { x: number; y: number } {
  return { x: PAD + (i % 2) * (TILE_W + GAP), y: PAD + HEADER_H + Math.floor(i / 2) * (TILE_H + GAP) };
}

function tileSvg(tile: DigestTile, i: number, pal: Palette): string {
  const { x, y } = tileOrigin(i);
  const color = tile.up ? pal.yes : pal.no;
  const title = wrapText(tile.title, 24, 'bold', TILE_W - 2 * INSET, 2);
  const change = shrinkToFit(tile.changeText, 22, 15, 'bold', TILE_W - 2 * INSET - SPARK_W - 16);
  return [
    `<rect x="${x}" y="${y}" width="${TILE_W}" height="${TILE_H}" rx="20" fill="${pal.surface}" stroke="${pal.border}" stroke-width="2"/>`,
    ...title.map((line, k) => svgText(line, { x: x + INSET, y: y + INSET + 18 + k * 31, size: 24, weight: 'bold', fill: pal.text })),
    svgText(`${Math.round(tile.price)}%`, { x: x + INSET, y: y + TILE_H - 58, size: 54, weight: 'bold', fill: pal.text }),
    svgText(change.text, { x: x + INSET, y: y + TILE_H - INSET, size: change.size, weight: 'bold', fill: color }),
  ].join('');
}

/**
 * Renders a digest image.
 * @returns PNG {@link DIGEST_WIDTH} px wide; 352 px tall with one row of tiles, 812 px with three.
 * @throws RangeError with more than {@link MAX_DIGEST_TILES} tiles.
 */
export async function renderDigest(input: DigestInput): Promise<Buffer> {
  const { tiles } = input;
  if (tiles.length > MAX_DIGEST_TILES) throw new RangeError(`a digest holds at most ${MAX_DIGEST_TILES} tiles, got ${tiles.length}`);
  const pal = palette(input.theme);
  const rows = Math.ceil(tiles.length / 2);
  const height = PAD + HEADER_H + rows * (TILE_H + GAP) - (rows > 0 ? GAP : 0) + PAD;
  const header = shrinkToFit(input.header, 38, 26, 'bold', DIGEST_WIDTH - 2 * PAD);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${DIGEST_WIDTH}" height="${height}">` +
    svgText(header.text, { x: PAD, y: PAD + 38, size: header.size, weight: 'bold', fill: pal.text }) +
    tiles.map((t, i) => tileSvg(t, i, pal)).join('') +
    `</svg>`;
  const sparks = await Promise.all(
    tiles.map(async (t, i) => {
      const { x, y } = tileOrigin(i);
      const png = await renderSparkline(t.points, { width: SPARK_W, height: SPARK_H, up: t.up, theme: input.theme });
      return { input: png, left: x + TILE_W - INSET - SPARK_W, top: y + TILE_H - INSET - SPARK_H };
    }),
  );
  return sharp({ create: { width: DIGEST_WIDTH, height, channels: 3, background: pal.bg } })
    .composite([{ input: Buffer.from(svg), left: 0, top: 0 }, ...sparks])
    .png()
    .toBuffer();
}
