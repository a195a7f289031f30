/**
 * The part of Telegram's Mini App object (`window.Telegram.WebApp`, telegram-web-app.js) the app
 * uses. Only `initData` (signed) is ever sent to the server; `initDataUnsafe` is used for nothing.
 */
export interface ThemeParams {
  bg_color?: string;
  text_color?: string;
  hint_color?: string;
  link_color?: string;
  button_color?: string;
  button_text_color?: string;
  secondary_bg_color?: string;
  destructive_text_color?: string;
}

interface TgButton {
  setText(text: string): void;
  show(): void;
  hide(): void;
  onClick(cb: () => void): void;
  offClick(cb: () => void): void;
}

export interface WebApp {
  initData: string;
  colorScheme?: 'light' | 'dark';
  themeParams: ThemeParams;
  ready(): void;
  expand?(): void;
  onEvent?(event: 'themeChanged', cb: () => void): void;
  BackButton?: TgButton;
  MainButton?: TgButton;
  HapticFeedback?: { notificationOccurred(kind: 'success' | 'error'): void };
}

declare global {
  interface Window {
    Telegram?: { WebApp?: WebApp };
  }
}

/** The WebApp object when opened from Telegram with sign-in data, else null. */
export function webApp(): WebApp | null {
  const w = window.Telegram?.WebApp;
  return w && w.initData ? w : null;
}

/** Copies Telegram's theme into CSS variables (light and dark come from the client). */
export function applyTheme(w: WebApp): void {
  const p = w.themeParams ?? {};
  const dark = w.colorScheme === 'dark';
  const vars: Record<string, string> = {
    '--bg': p.bg_color ?? (dark ? '#17212b' : '#ffffff'),
    '--text': p.text_color ?? (dark ? '#f5f5f5' : '#000000'),
    '--hint': p.hint_color ?? (dark ? '#708499' : '#999999'),
    '--link': p.link_color ?? '#2481cc',
    '--button': p.button_color ?? '#2481cc',
    '--button-text': p.button_text_color ?? '#ffffff',
    '--card': p.secondary_bg_color ?? (dark ? '#232e3c' : '#f1f1f4'),
    '--danger': p.destructive_text_color ?? '#e53935',
  };
  for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
  document.documentElement.dataset.scheme = dark ? 'dark' : 'light';
}
