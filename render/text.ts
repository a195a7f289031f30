/**
 * Text layout for the SVG overlays. SVG has no line wrapping, so lines are measured here
 * with node-canvas, which shapes DejaVu through Pango just as librsvg (inside sharp) does;
 * widths therefore match what finally gets drawn to within a pixel or two.
 */
import { createCanvas } from 'canvas';
import { FONT_FAMILY } from './theme';

/** Font weight used by the overlays. */
export type Weight = 'normal' | 'bold';

const ELLIPSIS = '\u2026';
const measureCtx = createCanvas(1, 1).getContext('2d');

/** Width in px of `text` set in {@link FONT_FAMILY} at `size` px. */
export function textWidth(text: string, size: number, weight: Weight = 'normal'): number {
  measureCtx.font = `${weight} ${size}px "${FONT_FAMILY}"`;
  return measureCtx.measureText(text).width;
}

/** Longest prefix of `text` that fits `maxWidth` once an ellipsis is appended, plus the ellipsis. */
function ellipsize(text: string, size: number, weight: Weight, maxWidth: number): string {
  const chars = Array.from(text);
  let n = chars.length;
  while (n > 0 && textWidth(chars.slice(0, n).join('').trimEnd() + ELLIPSIS, size, weight) > maxWidth) n--;
  return chars.slice(0, n).join('').trimEnd() + ELLIPSIS;
}

/** `text` on one line, cut with an ellipsis if wider than `maxWidth` px. */
export function fitLine(text: string, size: number, weight: Weight, maxWidth: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return textWidth(line, size, weight) <= maxWidth ? line : ellipsize(line, size, weight, maxWidth);
}

/**
 * `text` on one line at the largest whole font size in `minSize..maxSize` px that fits
 * `maxWidth`; below `minSize` it stays at `minSize` and is cut with an ellipsis instead.
 */
export function shrinkToFit(text: string, maxSize: number, minSize: number, weight: Weight, maxWidth: number): { text: string; size: number } {
  const line = text.replace(/\s+/g, ' ').trim();
  let size = maxSize;
  while (size > minSize && textWidth(line, size, weight) > maxWidth) size--;
  return { text: fitLine(line, size, weight, maxWidth), size };
}

/**
 * Greedy word wrap of `text` into at most `maxLines` lines of at most `maxWidth` px.
 * Words longer than a line are broken between characters (long URLs, tickers);
 * text left over after the last line is replaced by an ellipsis.
 * @returns 0..maxLines lines (0 for blank text).
 */
export function wrapText(text: string, size: number, weight: Weight, maxWidth: number, maxLines: number): string[] {
  const fits = (s: string): boolean => textWidth(s, size, weight) <= maxWidth;
  const lines: string[] = [];
  let current = '';
  const words = text.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const candidate = current ? `${current} ${words[i]}` : words[i];
    if (fits(candidate)) {
      current = candidate;
      continue;
    }
    if (current) {
      lines.push(current);
      current = '';
      i--; // retry the same word on a fresh line
    } else {
      const chars = Array.from(words[i]);
      let n = Math.max(1, chars.length - 1);
      while (n > 1 && !fits(chars.slice(0, n).join(''))) n--;
      lines.push(chars.slice(0, n).join(''));
      words[i] = chars.slice(n).join('');
      i--;
    }
    if (lines.length === maxLines) {
      const rest = [current, ...words.slice(i + 1)].filter(Boolean).join(' ');
      if (rest) lines[maxLines - 1] = ellipsize(`${lines[maxLines - 1]} ${rest}`, size, weight, maxWidth);
      return lines;
    }
  }
  if (current) lines.push(current);
  return lines;
}

/**
 * Escapes `s` for SVG text content and attribute values. Also drops C0 control characters:
 * XML 1.0 forbids them, and a single one makes librsvg reject the whole overlay.
 */
export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Options of one SVG `<text>` element; `x`/`y` are the anchor point and baseline in px. */
export interface SvgTextOptions {
  x: number;
  y: number;
  size: number;
  fill: string;
  weight?: Weight;
  anchor?: 'start' | 'middle' | 'end';
}

/** One escaped SVG `<text>` element. */
export function svgText(text: string, o: SvgTextOptions): string {
  return (
    `<text x="${o.x}" y="${o.y}" font-family="${FONT_FAMILY}" font-size="${o.size}" ` +
    `font-weight="${o.weight ?? 'normal'}" fill="${o.fill}" text-anchor="${o.anchor ?? 'start'}">` +
    `${escapeXml(text)}</text>`
  );
}
