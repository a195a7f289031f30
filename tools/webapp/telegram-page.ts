/**
 * Opens the Mini App in headless Chromium (playwright-core, Debian's /usr/bin/chromium) the way
 * Telegram's client would: telegram-web-app.js is answered with a `window.Telegram.WebApp` that
 * carries initData signed for the bot, the theme's colours, and MainButton / BackButton objects
 * whose state the caller can read. Used by the browser tests and the demo.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { signInitData } from './init-data';

/** Playwright's own browser download cannot work here: Debian's Chromium, headless. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Telegram's themeParams of its dark and light themes (as the clients send them). */
export const THEMES = {
  dark: { bg_color: '#17212b', text_color: '#f5f5f5', hint_color: '#708499', button_color: '#5288c1', button_text_color: '#ffffff', secondary_bg_color: '#232e3c' },
  light: { bg_color: '#ffffff', text_color: '#000000', hint_color: '#999999', button_color: '#2481cc', button_text_color: '#ffffff', secondary_bg_color: '#f1f1f4' },
} as const;

/** Starts Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A page of the app at `url` opened "from Telegram" by `user` (its language_code picks the app's
 * language) in the `scheme` theme; a new browser context each time, closed with the page's context.
 */
export async function openFromTelegram(browser: Browser, opts: {
  url: string; botToken: string; user: { id: number; first_name: string; language_code?: string }; scheme: 'dark' | 'light';
}): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 420, height: 900 }, colorScheme: opts.scheme });
  const page = await ctx.newPage();
  const webApp = {
    initData: signInitData(opts.botToken, opts.user), colorScheme: opts.scheme, themeParams: THEMES[opts.scheme],
  };
  await page.route('https://telegram.org/**', (r) => r.fulfill({
    contentType: 'text/javascript',
    body: `window.Telegram = { WebApp: Object.assign(${JSON.stringify(webApp)}, {
      ready() {}, expand() {}, onEvent() {},
      MainButton: { text: '', visible: false, setText(t) { this.text = t; }, show() { this.visible = true; }, hide() { this.visible = false; }, onClick() {}, offClick() {} },
      BackButton: { visible: false, show() { this.visible = true; }, hide() { this.visible = false; }, onClick() {}, offClick() {} },
    }) };`,
  }));
  await page.goto(opts.url);
  return page;
}

/** True when the chart's canvas has more than a background's worth of colours (candles drawn). */
export async function chartDrawn(page: Page): Promise<boolean> {
  return page.$$eval('[data-testid=chart] canvas', (canvases) => canvases.some((c) => {
    // Runs in the page (DOM types are not in the Node program).
    const cv = c as unknown as { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
    const g = cv.getContext('2d');
    if (!g || cv.width === 0) return false;
    const d = g.getImageData(0, 0, cv.width, cv.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < d.length; i += 16) colours.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return colours.size > 3;
  }));
}
