/**
 * The market card: one photo message (rendered chart card) whose caption and keyboard switch
 * between the card and the order book in place.
 *
 * Rendering a card costs a chart render and a PNG encode, and uploading it costs bandwidth, so
 * the Telegram `file_id` of every uploaded card is cached in Redis under everything the picture
 * shows (market, language, book version, status, price); an unchanged card is sent by file_id.
 * A busy market's book version changes with every trade, so the latest picture of each face
 * (market, language, status, price) is also kept for CARD_REUSE_SEC and sent while it is that new.
 */
import { TelegramError } from 'telegraf';
import type { Message, PhotoSize } from 'telegraf/types';
import type { Market } from '../../domain/entities';
import { sideOf, type BookLevel, type BookSide } from '../../domain/exchange';
import { cardExtrasOf, type CardExtras } from '../../domain/read/card-extras';
import { clarificationsOf, type Clarification } from '../../domain/services/market-admin';
import { getMarket, priceHistory } from '../../domain/read/markets';
import { holdingIn, openOrdersIn } from '../../domain/read/portfolio';
import { isWatched } from '../../domain/read/watchlist';
import { bookView, quote, type Quote } from '../../domain/read/quotes';
import { formatDateTime, formatKop, formatRelative, formatTick } from '../../infra/format';
import { renderOffThread, evenTickTimes, type MarketCardInput, type StatusTone } from '../../render';
import { renderMetrics } from '../../infra/metrics';
import { cb } from '../../messages/callback-data';
import { fitHtml, TELEGRAM_LIMITS, visibleLength } from '../../messages/fit';
import type { BotContext } from '../context';
import { tradingState, type TradingState } from '../../domain/read/trading-state';
import type { BotRuntime } from '../runtime';
import { button, isNotModified, markup, notice, type Keyboard } from '../ui';
import { cardExtraLines } from '../../messages/card-extras';
import { OUTCOME_KEY, STATE_KEY } from '../../messages/labels';
import { CARD_CLARIFICATIONS, clarificationLines, proposalCardLines, proposalStatus } from './resolution';

/** A card's file_id stays valid for as long as the bot exists; a week bounds the cache. */
const CARD_CACHE_TTL_SEC = 7 * 24 * 60 * 60;
/** The description's share of the caption at most; the whole text is behind the Rules button. */
const CARD_DESCRIPTION_CHARS = 300;
const BOOK_DEPTH = 5;
const CHART_TICKS = 4;

/** Everything a card shows, for one user. */
interface CardModel {
  market: Market;
  state: TradingState;
  quote: Quote;
  /** Shares the user can sell now (held minus reserved by open sell orders). */
  free: { YES: number; NO: number };
  /** The user's open orders in this market (a "cancel all" button when any). */
  openOrders: number;
  /** The latest clarifications of the rules (docs/RESOLUTION.md). */
  clarifications: Clarification[];
  extras?: CardExtras;
  /** In the user's watchlist (⭐, issue 11). */
  watched: boolean;
}

async function loadCard(rt: BotRuntime, userId: number, marketId: number): Promise<CardModel | null> {
  const m = rt.ds.manager;
  // Independent reads, side by side: a card view waits for the slowest, not for their sum.
  const [market, { free, openOrders }, q, clarifications, extras, watched] = await Promise.all([
    getMarket(m, marketId), holdingIn(m, userId, marketId), quote(m, marketId), clarificationsOf(m, marketId, CARD_CLARIFICATIONS),
    cardExtrasOf(m, [marketId]), isWatched(m, userId, marketId),
  ]);
  if (!market) return null;
  return { market, state: tradingState(market), quote: q, free, openOrders, clarifications, extras: extras.get(marketId), watched };
}

/** Own price a market buy would pay now: YES at the best ask, NO at 100 − best bid; else the display price. */
function buyPrice(q: Quote, side: 'YES' | 'NO'): number {
  return side === 'YES' ? (q.bestAsk ?? q.yesPrice) : q.bestBid === null ? q.noPrice : 100 - q.bestBid;
}

function statusLine(ctx: BotContext, model: CardModel): string | undefined {
  if (model.state === 'open') return undefined;
  if (model.state === 'proposed') return proposalStatus(ctx, model.market);
  const outcome = model.market.outcome;
  return ctx.tp(STATE_KEY[model.state], { outcome: outcome ? ctx.tp(OUTCOME_KEY[outcome]) : '' });
}

function statusTone(model: CardModel): StatusTone {
  if (model.state === 'resolved' || model.state === 'settled') {
    return model.market.outcome === 'YES' ? 'yes' : model.market.outcome === 'NO' ? 'no' : 'neutral';
  }
  return 'warning';
}

/** Best bid and ask of the YES book, whichever exist. */
function spreadLine(ctx: BotContext, q: Quote): string {
  if (q.bestBid !== null && q.bestAsk !== null) return ctx.t('card.spread', { bid: q.bestBid, ask: q.bestAsk });
  if (q.bestBid !== null) return ctx.t('card.bid_only', { bid: q.bestBid });
  if (q.bestAsk !== null) return ctx.t('card.ask_only', { ask: q.bestAsk });
  return ctx.t('card.no_orders');
}

/**
 * The card's caption, at most 1024 visible characters (Bot API sendPhoto; docs/LIMITS.md): the
 * status, prices and holding always show; the description and clarifications get what is left and
 * are cut to it (their whole text is one tap away, behind the Rules button).
 */
function cardCaption(ctx: BotContext, model: CardModel): string {
  const { market, quote: q } = model;
  const head = [ctx.t('card.title', { title: market.title })];
  const status = statusLine(ctx, model);
  if (status) head.push(ctx.t('card.status', { status }), ...proposalCardLines(ctx, market));
  head.push(ctx.t('card.prices', { yes: q.yesPrice, no: q.noPrice }));
  head.push(spreadLine(ctx, q));
  head.push(ctx.t('card.volume', { amount: market.volumeKop }), ...cardExtraLines(ctx.lang, model.extras));
  head.push(ctx.t('card.deadline', {
    date: formatDateTime(market.deadline, ctx.lang), relative: formatRelative(market.deadline, ctx.lang),
  }));
  const tail = model.free.YES > 0 || model.free.NO > 0 ? ['', ctx.t('card.holding', { yes: model.free.YES, no: model.free.NO })] : [];
  const rules: string[] = [];
  if (market.description) {
    const d = market.description.length > CARD_DESCRIPTION_CHARS ? `${market.description.slice(0, CARD_DESCRIPTION_CHARS - 1)}\u2026` : market.description;
    rules.push('', ctx.t('card.description', { description: d }));
  }
  const notes = clarificationLines(ctx, model.clarifications);
  if (notes.length > 0) rules.push('', ...notes);
  const fixed = visibleLength([...head, ...tail].join('\n'));
  // One "\n" joins the rules block to the head; whatever room is left is the block's.
  const room = TELEGRAM_LIMITS.caption - fixed - 1;
  const middle = rules.length > 0 && room > 1 ? [fitHtml(rules.join('\n'), room)] : [];
  return fitHtml([...head, ...middle, ...tail].join('\n'), TELEGRAM_LIMITS.caption);
}

/** `appUrl`: the Mini App (MINIAPP_URL); when set, the card gets an "Open in app" button to the market's page. */
function cardKeyboard(ctx: BotContext, model: CardModel, appUrl: string): Keyboard {
  const id = model.market.id;
  const rows: Keyboard = [];
  if (appUrl && ctx.chat?.type === 'private') {
    rows.push([{ text: ctx.tp('miniapp.open_in_app'), web_app: { url: `${appUrl.replace(/#.*$/, '')}#/market/${id}` } }]);
  }
  if (model.state === 'open') {
    rows.push([
      button(ctx.tp('card.buy_yes', { price: buyPrice(model.quote, 'YES') }), cb.buy.encode({ marketId: id, side: 'YES' })),
      button(ctx.tp('card.buy_no', { price: buyPrice(model.quote, 'NO') }), cb.buy.encode({ marketId: id, side: 'NO' })),
    ]);
    const sells = (['YES', 'NO'] as const).filter((s) => model.free[s] > 0).map((s) =>
      button(ctx.tp(s === 'YES' ? 'card.sell_yes' : 'card.sell_no', { shares: model.free[s] }), cb.sell.encode({ marketId: id, side: s })));
    if (sells.length > 0) rows.push(sells);
  }
  if (ctx.chat?.type === 'private') rows.push(...watchRows(ctx, model));
  const cancelAll = cancelAllRow(ctx, model, 'card');
  if (cancelAll) rows.push(cancelAll);
  rows.push([
    button(ctx.tp('card.book'), cb.view.encode({ marketId: id, view: 'book' })),
    button(ctx.tp('card.refresh'), cb.view.encode({ marketId: id, view: 'card' })),
  ]);
  // The caption shows the start of the rules; the button sends all of them (views/market-rules.ts).
  const back = button(ctx.tp('card.back'), cb.categories.encode({}));
  rows.push(model.market.description || model.clarifications.length > 0
    ? [button(ctx.tp('limits.rules_button'), cb.rules.encode({ marketId: id })), back]
    : [back]);
  return rows;
}

/**
 * ⭐ (watchlist toggle) and 🔔 (alert presets) on every private card; while the market is open and
 * the user holds free shares, 🛡 (stop-loss / take-profit) per side held.
 */
function watchRows(ctx: BotContext, model: CardModel): Keyboard {
  const id = model.market.id;
  const rows: Keyboard = [[
    button(ctx.tp(model.watched ? 'card.unwatch' : 'card.watch'), cb.watch.encode({ marketId: id })),
    button(ctx.tp('card.alert'), cb.alertMenu.encode({ marketId: id })),
  ]];
  if (model.state === 'open') {
    const protect = (['YES', 'NO'] as const).filter((s) => model.free[s] > 0).map((s) =>
      button(ctx.tp(s === 'YES' ? 'card.protect_yes' : 'card.protect_no'), cb.protect.encode({ marketId: id, side: s })));
    if (protect.length > 0) rows.push(protect);
  }
  return rows;
}

/** The user's resting shares by book side and YES price (`bid:40`), to mark their own levels. */
async function ownLevels(rt: BotRuntime, ctx: BotContext, model: CardModel): Promise<Map<string, number>> {
  const mine = new Map<string, number>();
  if (model.openOrders === 0) return mine;
  for (const o of await openOrdersIn(rt.ds.manager, ctx.user.id, model.market.id)) {
    const key = `${sideOf(o.intent)}:${o.price}`;
    mine.set(key, (mine.get(key) ?? 0) + o.remaining);
  }
  return mine;
}

/**
 * The order book face: the top BOOK_DEPTH levels of each side of the one YES book, best prices
 * nearest the middle, each level as its YES price, the NO price it equals (a YES bid at p is a NO
 * offer at 100 − p) and its size; levels holding the user's own orders say how much is theirs.
 */
async function bookCaption(rt: BotRuntime, ctx: BotContext, model: CardModel): Promise<string> {
  const [book, mine] = await Promise.all([bookView(rt.ds.manager, model.market.id, BOOK_DEPTH), ownLevels(rt, ctx, model)]);
  const level = (side: BookSide) => (l: BookLevel) => {
    const own = mine.get(`${side}:${l.price}`);
    const vars = { price: l.price, no: 100 - l.price, qty: l.qty };
    return own ? ctx.t('book.level_mine', { ...vars, mine: own }) : ctx.t('book.level', vars);
  };
  const lines = [ctx.t('book.title', { title: model.market.title })];
  lines.push('', ctx.t('book.asks'));
  lines.push(...(book.asks.length ? [...book.asks].reverse().map(level('ask')) : [ctx.t('book.empty')]));
  lines.push('', ctx.t('book.bids'));
  lines.push(...(book.bids.length ? book.bids.map(level('bid')) : [ctx.t('book.empty')]));
  lines.push('', ctx.t('book.hint'));
  return fitHtml(lines.join('\n'), TELEGRAM_LIMITS.caption);
}

/** "Cancel my orders here (N)" while the user has open orders in the market (any state: cancelling is always allowed). */
function cancelAllRow(ctx: BotContext, model: CardModel, from: 'card' | 'book'): Keyboard[number] | undefined {
  if (model.openOrders === 0) return undefined;
  return [button(ctx.tp('order.cancel_all_button', { count: model.openOrders }), cb.cancelAll.encode({ marketId: model.market.id, from }))];
}

function bookKeyboard(ctx: BotContext, model: CardModel): Keyboard {
  const marketId = model.market.id;
  const cancelAll = cancelAllRow(ctx, model, 'book');
  return [
    ...(cancelAll ? [cancelAll] : []),
    [
      button(ctx.tp('book.back'), cb.view.encode({ marketId, view: 'card' })),
      button(ctx.tp('card.refresh'), cb.view.encode({ marketId, view: 'book' })),
    ],
  ];
}

/** What the card image needs, all strings localized (render/card.ts draws, never formats). */
async function cardImageInput(rt: BotRuntime, ctx: BotContext, model: CardModel): Promise<MarketCardInput> {
  const points = await priceHistory(rt.ds.manager, model.market.id);
  const span = points.length > 1 ? points[points.length - 1].t - points[0].t : 0;
  const status = statusLine(ctx, model);
  return {
    title: model.market.title,
    yesLabel: ctx.tp('side.yes'),
    noLabel: ctx.tp('side.no'),
    yesPrice: model.quote.yesPrice,
    noPrice: model.quote.noPrice,
    volumeText: ctx.tp('card.image_volume', { amount: formatKop(model.market.volumeKop, ctx.lang, { compact: true }) }),
    deadlineText: ctx.tp('card.image_deadline', { date: formatDateTime(model.market.deadline, ctx.lang) }),
    ...(status ? { statusText: status, statusTone: statusTone(model) } : {}),
    chartPoints: points,
    xTicks: evenTickTimes(points, CHART_TICKS).map((t) => ({ t, label: formatTick(new Date(t), ctx.lang, span) })),
  };
}

/**
 * Renders the card image on the render thread (render/thread.ts: the bot's event loop keeps
 * serving other updates meanwhile), timed into pravda_card_render_seconds.
 */
async function drawCard(input: MarketCardInput): Promise<Buffer> {
  const stop = renderMetrics.card.startTimer();
  try {
    return await renderOffThread({ kind: 'card', input });
  } finally {
    stop();
  }
}

/** A photo Telegram already has: its file_id and stable file_unique_id. */
interface CachedPhoto {
  fileId: string;
  uniqueId: string;
}

/** Cache key: every input the picture depends on (trades bump the book version and change history and volume). */
function photoKey(rt: BotRuntime, ctx: BotContext, model: CardModel): string {
  return rt.key('card', model.market.id, ctx.lang, model.market.bookVersion, ...pictureFace(model));
}

/**
 * What the picture shows big: the state, the YES price and the outcome. The picture's status line
 * shows a proposal's round, window and dispute, so they count too.
 */
function pictureFace(model: CardModel): (string | number)[] {
  const m = model.market;
  return [model.state, model.quote.yesPrice, m.outcome ?? '-', m.proposalRound, m.disputeUntil?.getTime() ?? '-', m.disputedAt ? 'd' : '-'];
}

/**
 * How long a card picture stays good for the same face after trades moved the book: only the
 * chart's latest points and the volume line are behind, and a card at a busy market would
 * otherwise be drawn again (56–80 ms of CPU) on nearly every view.
 */
export const CARD_REUSE_SEC = 15;

/** The key of the latest picture drawn for this face of the card, whatever the book version (see CARD_REUSE_SEC). */
function recentKey(rt: BotRuntime, ctx: BotContext, model: CardModel): string {
  return rt.key('card-recent', model.market.id, ctx.lang, ...pictureFace(model));
}

/** The picture to send without drawing: the exact one for this book version, else a recent one of the same face. */
async function cachedPhoto(rt: BotRuntime, keys: CardKeys): Promise<CachedPhoto | null> {
  return parsePhoto(await rt.redis.get(keys.exact)) ?? parsePhoto(await rt.redis.get(keys.recent));
}

function parsePhoto(raw: string | null): CachedPhoto | null {
  if (!raw) return null;
  const [fileId, uniqueId] = raw.split(' ');
  return fileId && uniqueId ? { fileId, uniqueId } : null;
}

function photoOf(message: Message | true): CachedPhoto | null {
  if (message === true || !('photo' in message)) return null;
  const largest: PhotoSize | undefined = message.photo[message.photo.length - 1];
  return largest ? { fileId: largest.file_id, uniqueId: largest.file_unique_id } : null;
}

/** An upload of a face's picture that views of the same face wait for (see `uploading`). */
interface UploadClaim {
  photo: Promise<CachedPhoto | null>;
  settle: (photo: CachedPhoto | null) => void;
}

/**
 * Pictures being uploaded by this process, by face (CardKeys.recent), as the file_id they will
 * have (null: the upload failed). When a busy market's price moves, many users open its new face
 * at once: they wait for the first upload instead of each drawing and uploading the same picture.
 */
const uploading = new Map<string, UploadClaim>();

function claimUpload(keys: CardKeys): UploadClaim {
  let settle!: (photo: CachedPhoto | null) => void;
  const claim: UploadClaim = { photo: new Promise((resolve) => (settle = resolve)), settle };
  uploading.set(keys.recent, claim);
  return claim;
}

/**
 * The picture to send without drawing: the exact one for this book version, else a recent one of
 * the same face, else the one another view of this process is uploading (waited for). With none,
 * this view is the one that uploads: `claim` (pass it to uploadPhoto at once). The lookup of the
 * upload in flight and the claim are one synchronous step, so two views never both claim.
 */
async function photoToSend(rt: BotRuntime, keys: CardKeys): Promise<{ photo: CachedPhoto; claim?: never } | { photo: null; claim?: UploadClaim }> {
  const photo = await cachedPhoto(rt, keys);
  if (photo) return { photo };
  const inFlight = uploading.get(keys.recent);
  if (!inFlight) return { photo: null, claim: claimUpload(keys) };
  const uploaded = await inFlight.photo;
  return uploaded ? { photo: uploaded } : { photo: null };
}

/**
 * Draws and sends a new picture through `send` and caches its file_id under both keys; views of the
 * same face meanwhile wait for it (photoToSend). @returns what `send` returned. @throws its error.
 */
async function uploadPhoto(rt: BotRuntime, keys: CardKeys, send: () => Promise<Message | true>, claim = claimUpload(keys)): Promise<Message | true> {
  let photo: CachedPhoto | null = null;
  try {
    const message = await send();
    photo = photoOf(message);
    claim.settle(photo);
    if (photo) {
      const value = `${photo.fileId} ${photo.uniqueId}`;
      await Promise.all([
        rt.redis.set(keys.exact, value, { EX: CARD_CACHE_TTL_SEC }),
        rt.redis.set(keys.recent, value, { EX: CARD_REUSE_SEC }),
      ]);
    }
    return message;
  } finally {
    if (uploading.get(keys.recent) === claim) uploading.delete(keys.recent);
    claim.settle(photo);
  }
}

/** The two cache keys of a card picture. */
interface CardKeys {
  exact: string;
  recent: string;
}

function cardKeys(rt: BotRuntime, ctx: BotContext, model: CardModel): CardKeys {
  return { exact: photoKey(rt, ctx, model), recent: recentKey(rt, ctx, model) };
}

/** A 400 about the file itself: the cached file_id is no longer usable, so upload again. */
function isBadFile(err: unknown): boolean {
  return err instanceof TelegramError && err.code === 400 && /file|photo|wrong/i.test(err.description);
}

/**
 * Sends market `marketId`'s card as a new photo message (from the market list, a deep link).
 * An unknown market gets a notice.
 */
export async function sendMarketCard(rt: BotRuntime, ctx: BotContext, marketId: number): Promise<void> {
  const model = await loadCard(rt, ctx.user.id, marketId);
  if (!model) return notice(ctx, ctx.tp('errors.market_not_found'));
  const extra = { caption: cardCaption(ctx, model), parse_mode: 'HTML' as const, reply_markup: markup(cardKeyboard(ctx, model, rt.config.miniApp.url)) };
  const keys = cardKeys(rt, ctx, model);
  const { photo: cached, claim } = await photoToSend(rt, keys);
  if (cached) {
    try {
      await ctx.replyWithPhoto(cached.fileId, extra);
      return;
    } catch (err) {
      if (!isBadFile(err)) throw err;
      await Promise.all([rt.redis.del(keys.exact), rt.redis.del(keys.recent)]);
    }
  }
  await uploadPhoto(rt, keys, async () => ctx.replyWithPhoto({ source: await drawCard(await cardImageInput(rt, ctx, model)), filename: `market-${marketId}.png` }, extra), claim);
}

/**
 * Redraws the photo message the pressed button is on, in place: the card (a new picture only when
 * it changed, else just the caption) or the order book (caption only). Outside a photo message
 * (an old text keyboard) it sends the card instead.
 */
export async function redrawMarketMessage(rt: BotRuntime, ctx: BotContext, marketId: number, view: 'card' | 'book'): Promise<void> {
  const message = ctx.callbackQuery?.message;
  if (!message || !('photo' in message)) return sendMarketCard(rt, ctx, marketId);
  const model = await loadCard(rt, ctx.user.id, marketId);
  if (!model) return notice(ctx, ctx.tp('errors.market_not_found'));
  try {
    if (view === 'book') {
      await ctx.editMessageCaption(await bookCaption(rt, ctx, model), { parse_mode: 'HTML', reply_markup: markup(bookKeyboard(ctx, model)) });
      return;
    }
    const caption = cardCaption(ctx, model);
    const keyboard = markup(cardKeyboard(ctx, model, rt.config.miniApp.url));
    const keys = cardKeys(rt, ctx, model);
    const { photo: cached, claim } = await photoToSend(rt, keys);
    const shown = message.photo[message.photo.length - 1]?.file_unique_id;
    if (cached && cached.uniqueId === shown) {
      await ctx.editMessageCaption(caption, { parse_mode: 'HTML', reply_markup: keyboard });
      return;
    }
    const edit = (media: string | { source: Buffer; filename: string }) => ctx.editMessageMedia({ type: 'photo', media, caption, parse_mode: 'HTML' }, { reply_markup: keyboard });
    if (cached) {
      await edit(cached.fileId);
      return;
    }
    await uploadPhoto(rt, keys, async () => edit({ source: await drawCard(await cardImageInput(rt, ctx, model)), filename: `market-${marketId}.png` }), claim);
  } catch (err) {
    // Refresh of an unchanged card or book: nothing to do, the user sees the current state.
    if (!isNotModified(err)) throw err;
  }
}
