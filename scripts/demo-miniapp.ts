import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { bookView } from '../domain/read/quotes';
import type { SimClient } from '../tools/botapi/client';
import { chartDrawn, launchChromium, openFromTelegram } from '../tools/webapp/telegram-page';
import { labelPrefix, template, type ChatDriver, type Person } from './demo-chat';

/**
 * The Mini App part of the demo (issue 10): `maker` rests a YES bid from the chat; `taker` taps
 * "Open in app" on the market card, and in headless Chromium (the app served by the bot's HTTP
 * server, signed in by initData as Telegram would pass it) sees the chart and the book, buys NO
 * with the first amount preset, previews and confirms; the bid fills and `maker` hears it in the
 * chat. Screenshots of the market page and the portfolio go to `outDir`.
 * @returns the number of fills the app's order made.
 */
export async function playMiniAppDemo(o: {
  chat: ChatDriver; sim: SimClient; ds: DataSource; log: (line: string) => void; outDir: string;
  marketId: number; maker: Person; taker: Person & { telegram: { id: number; first_name: string; language_code: string } };
  /** Where the bot's HTTP server answers (what the app's public https URL is proxied to). */
  localOrigin: string; botToken: string;
}): Promise<number> {
  const { chat, ds, log, maker, taker, marketId } = o;
  // The maker bids one point above the house maker's best bid: the best bid, and no ask crosses it.
  const book = await bookView(ds.manager, marketId, 1);
  const bid = (book.bids[0]?.price ?? 40) + 1;
  if (book.asks[0] && book.asks[0].price <= bid) throw new Error(`no room inside the spread of market ${marketId}`);

  await chat.say(maker, `/start m${marketId}`);
  const card = await chat.expect(maker, { hasPhoto: true });
  await chat.tap(maker, { prefix: labelPrefix(maker.lang, 'card.buy_yes') }, card.messageId);
  await chat.expect(maker, { hasKeyboard: true });
  await chat.say(maker, '50');
  await chat.expect(maker, { textIncludes: labelPrefix(maker.lang, 'order.size_amount').replace(/<\/?b>/g, '') });
  await chat.say(maker, String(bid));
  await chat.expect(maker, { textIncludes: labelPrefix(maker.lang, 'order.preview_title').replace(/<\/?b>/g, '') });
  await chat.tap(maker, { exact: template(maker.lang, 'order.confirm') });
  await chat.expect(maker, { textIncludes: String(bid), edited: true });

  // The taker opens the same market's card; its "Open in app" button is a web_app button.
  await chat.say(taker, `/start m${marketId}`);
  const takerCard = await chat.expect(taker, { hasPhoto: true });
  const rows = (takerCard.replyMarkup as { inline_keyboard?: { text: string; web_app?: { url: string } }[][] } | undefined)?.inline_keyboard ?? [];
  const button = rows.flat().find((b) => b.web_app);
  if (!button?.web_app) throw new Error('the market card has no "Open in app" button (MINIAPP_URL unset?)');
  const publicUrl = new URL(button.web_app.url);
  const url = `${o.localOrigin}${publicUrl.pathname}${publicUrl.hash}`;
  log(`\n👆 ${taker.name} taps [${button.text}] → Telegram opens the Mini App ${publicUrl.href}`);
  log(`   (headless Chromium loads ${url}, served by the bot's HTTP server; initData signed for the bot)`);

  const mark = Math.max(0, ...(await o.sim.messages(maker.id)).map((m) => m.seq));
  const browser = await launchChromium();
  try {
    const page = await openFromTelegram(browser, { url, botToken: o.botToken, user: taker.telegram, scheme: 'dark' });
    await page.waitForSelector('[data-testid=chart] canvas');
    const title = await page.textContent('[data-testid=market-title]');
    log(`📱 ${taker.name} sees "${title}", ${(await page.textContent('[data-testid=yes-price]'))?.trim()}; the best bid is ${bid}`);
    await page.click('[data-testid=buy-no]');
    await page.waitForSelector('[data-testid=preview]');
    log(`📱 ${taker.name} taps Buy NO; the preview:\n    ${(await page.innerText('[data-testid=preview]')).trim().split('\n').filter(Boolean).join(' · ')}`);
    await page.click('[data-testid=confirm]');
    await page.waitForSelector('[data-testid=note].ok');
    log(`📱 ${taker.name} confirms: ${(await page.textContent('[data-testid=note]'))?.trim()}`);
    await page.waitForFunction("document.querySelectorAll('[data-testid=trades] tr').length > 0");
    for (let i = 0; i < 50 && !(await chartDrawn(page)); i++) await page.waitForTimeout(100);
    const market = join(o.outDir, `${String(++chat.images).padStart(2, '0')}-miniapp-market-${taker.lang}-dark.png`);
    await page.screenshot({ path: market, fullPage: true });
    log(`    (saved ${market})`);
    await page.click('[data-testid=tab-portfolio]');
    await page.waitForSelector('[data-testid=position]');
    log(`📱 ${taker.name}'s portfolio: ${(await page.textContent('[data-testid=balance]'))?.trim()}`);
    const portfolio = join(o.outDir, `${String(++chat.images).padStart(2, '0')}-miniapp-portfolio-${taker.lang}-dark.png`);
    await page.screenshot({ path: portfolio, fullPage: true });
    log(`    (saved ${portfolio})`);
  } finally {
    await browser.close();
  }
  // The maker's resting bid was filled by the app's order: the notice arrives in the chat.
  await chat.expect(maker, { textIncludes: '✅' }, mark);
  const [r] = await ds.query(
    `SELECT count(*) n FROM fills f JOIN orders o ON o.id = f.taker_order_id WHERE f.market_id = $1 AND o.idempotency_key LIKE 'app:%'`, [marketId]);
  return Number(r.n);
}
