/**
 * League season card (issue 12): the season, the division, the place in the cohort and the score,
 * drawn as an SVG with sharp (the same fonts and palette as the market cards).
 */
import sharp from 'sharp';
import { fitLine, svgText } from './text';
import { palette, type StatusTone, type Theme } from './theme';

/** Everything the card shows; every string already localized and formatted by the caller. */
export interface LeagueCardInput {
  /** e.g. "Season 2026-12". */
  title: string;
  /** e.g. "Bronze → Silver". */
  divisionText: string;
  /** e.g. "1 / 31". */
  placeText: string;
  /** e.g. "+49.95 ₽ realized". */
  scoreText: string;
  /** Ribbon, e.g. "Promoted"; its tone. */
  statusText: string;
  statusTone?: StatusTone;
  theme?: Theme;
}

export const LEAGUE_CARD_WIDTH = 1000;
export const LEAGUE_CARD_HEIGHT = 520;
const PAD = 48;

/** Renders the card. @returns PNG of {@link LEAGUE_CARD_WIDTH} × {@link LEAGUE_CARD_HEIGHT} px. */
export async function renderLeagueCard(input: LeagueCardInput): Promise<Buffer> {
  const pal = palette(input.theme);
  const tone = pal.tones[input.statusTone ?? 'neutral'];
  const w = LEAGUE_CARD_WIDTH - 2 * PAD;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${LEAGUE_CARD_WIDTH}" height="${LEAGUE_CARD_HEIGHT}">`
    + `<rect x="0" y="0" width="${LEAGUE_CARD_WIDTH}" height="64" fill="${tone.fill}"/>`
    + svgText(fitLine(input.statusText, 28, 'bold', w), { x: PAD, y: 43, size: 28, weight: 'bold', fill: tone.text })
    + svgText(fitLine(input.title, 40, 'bold', w), { x: PAD, y: 140, size: 40, weight: 'bold', fill: pal.text })
    + svgText(fitLine(input.divisionText, 30, 'normal', w), { x: PAD, y: 200, size: 30, fill: pal.muted })
    + svgText(fitLine(input.placeText, 120, 'bold', w), { x: PAD, y: 360, size: 120, weight: 'bold', fill: pal.yes })
    + svgText(fitLine(input.scoreText, 30, 'normal', w), { x: PAD, y: 440, size: 30, fill: pal.muted })
    + '</svg>';
  return sharp({ create: { width: LEAGUE_CARD_WIDTH, height: LEAGUE_CARD_HEIGHT, channels: 3, background: pal.bg } })
    .composite([{ input: Buffer.from(svg), left: 0, top: 0 }])
    .png()
    .toBuffer();
}
