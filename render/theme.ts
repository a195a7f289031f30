/**
 * Colour palettes shared by every rendered image, so a chart and the card around it
 * always agree on background and YES/NO colours.
 */

/** Visual theme of a rendered image. */
export type Theme = 'dark' | 'light';

/** Tone of a card's status ribbon; the text itself is localized by the caller. */
export type StatusTone = 'neutral' | 'warning' | 'yes' | 'no';

/** Resolved colours of one theme (CSS colour strings, valid in both SVG and canvas). */
export interface Palette {
  /** Image background. */
  bg: string;
  /** Raised surfaces (digest tiles). */
  surface: string;
  border: string;
  text: string;
  muted: string;
  grid: string;
  /** Price line of the big chart: neutral, so it does not read as "up" or "down". */
  line: string;
  yes: string;
  no: string;
  /** Ribbon fill and text colour per status tone. */
  tones: Record<StatusTone, { fill: string; text: string }>;
}

/** Font available on every host (DejaVu ships with the image and covers Cyrillic). */
export const FONT_FAMILY = 'DejaVu Sans';

const PALETTES: Record<Theme, Palette> = {
  dark: {
    bg: '#0e1117',
    surface: '#171c24',
    border: '#2a313c',
    text: '#e8edf3',
    muted: '#8b95a3',
    grid: 'rgba(139,149,163,0.16)',
    line: '#4c8dff',
    yes: '#22c55e',
    no: '#f04444',
    tones: {
      neutral: { fill: '#4b5563', text: '#ffffff' },
      warning: { fill: '#f5a524', text: '#111111' },
      yes: { fill: '#16a34a', text: '#ffffff' },
      no: { fill: '#dc2626', text: '#ffffff' },
    },
  },
  light: {
    bg: '#ffffff',
    surface: '#f3f5f8',
    border: '#e1e6ec',
    text: '#0f172a',
    muted: '#64748b',
    grid: 'rgba(100,116,139,0.18)',
    line: '#2563eb',
    yes: '#16a34a',
    no: '#dc2626',
    tones: {
      neutral: { fill: '#6b7280', text: '#ffffff' },
      warning: { fill: '#f59e0b', text: '#111111' },
      yes: { fill: '#16a34a', text: '#ffffff' },
      no: { fill: '#dc2626', text: '#ffffff' },
    },
  },
};

/** Palette of `theme` (default dark: it reads better inside Telegram's dark and light modes alike). */
export function palette(theme: Theme = 'dark'): Palette {
  return PALETTES[theme];
}
