import type { DataSource, EntityManager } from 'typeorm';
import { deriveB, makeLadder, OrderBook, rederive } from '../exchange';
import { ensureUserAccounts, post, systemAccountId } from '../ledger/ledger';
import { isPrice, kop, type Kop } from '../money';
import { loadBook } from './book-cache';
import { loadMakerState } from './maker-state';
import { MarketBatch, type LockedMarket } from './market-batch';
import { fail, type Result } from './result';

/** Default liquidity budget of an admin market, kop (config `MM_BUDGET`): 1 000 ₽. */
export const DEFAULT_MM_BUDGET_KOP = 100_000 as Kop;
/** Default ante of a group market, kop (config `GROUP_ANTE`): 100 ₽. */
export const DEFAULT_GROUP_ANTE_KOP = 10_000 as Kop;
/** Default opening YES price. */
export const DEFAULT_OPENING_PRICE = 50;
/** Smallest budget or ante, kop (10 ₽, the smallest order): below it the ladder is nearly empty. */
export const MIN_LIQUIDITY_KOP = 1_000 as Kop;
/** Largest single budget, ante or addition, kop (1 000 000 ₽, the largest order). */
export const MAX_LIQUIDITY_KOP = 100_000_000 as Kop;

/** The code of the house account that funds the makers of admin markets. */
export const HOUSE_LIQUIDITY = 'house:liquidity';

/** Synthetic Telegram id of a market's maker: negative, which no Telegram user id is. */
const MAKER_TELEGRAM_BASE = 1_000_000_000_000_000;

/** Who pays for a maker: a user's available balance (group ante), or `house:liquidity` (null). */
export interface Funding {
  budgetKop: Kop;
  openingPrice: number;
  funderUserId: number | null;
}

/**
 * Checks a budget / ante and an opening price. Failures: liquidity_out_of_range {minKop, maxKop},
 * opening_price_out_of_range {minPrice, maxPrice}.
 */
export function checkFunding(budgetKop: number, openingPrice: number): Result<object> {
  if (!Number.isSafeInteger(budgetKop) || budgetKop < MIN_LIQUIDITY_KOP || budgetKop > MAX_LIQUIDITY_KOP) {
    return fail('liquidity_out_of_range', { minKop: MIN_LIQUIDITY_KOP, maxKop: MAX_LIQUIDITY_KOP });
  }
  if (!isPrice(openingPrice)) return fail('opening_price_out_of_range', { minPrice: 1, maxPrice: 99 });
  return { ok: true };
}

/** A user's available kop, locked for this transaction (funding debits it). */
async function lockedAvailable(tx: EntityManager, userId: number): Promise<number> {
  const [r] = await tx.query(`SELECT balance FROM accounts WHERE code = 'user:' || $1::text || ':available' FOR UPDATE`, [userId]);
  return r ? Number(r.balance) : 0;
}

/**
 * Checks that the funder can pay `needKop` (always true for the house). Call before writing
 * anything, so a failure leaves the transaction clean. Failure: insufficient_funds {need, have}.
 */
export async function checkFunder(tx: EntityManager, funderUserId: number | null, needKop: number): Promise<Result<object>> {
  if (funderUserId === null) return { ok: true };
  const have = await lockedAvailable(tx, funderUserId);
  return have < needKop ? fail('insufficient_funds', { need: needKop, have }) : { ok: true };
}

/** The market row locked as a matching batch locks it (same statement shape as matching.ts). */
async function lockMarket(tx: EntityManager, marketId: number): Promise<LockedMarket | null> {
  const [row] = await tx.query(
    `SELECT m.status, m.trading_paused, m.deadline, m.book_version, a.id AS escrow_id
       FROM markets m JOIN accounts a ON a.code = 'market:' || m.id || ':escrow'
      WHERE m.id = $1 FOR UPDATE OF m`, [marketId]);
  if (!row) return null;
  return {
    id: marketId, status: row.status, tradingPaused: row.trading_paused, deadline: row.deadline,
    bookVersion: Number(row.book_version), escrowAccountId: Number(row.escrow_id),
  };
}

async function postFunding(
  tx: EntityManager, marketId: number, makerUserId: number, funderUserId: number | null, amountKop: number, key: string | null,
): Promise<void> {
  const from = funderUserId === null
    ? await systemAccountId(tx, HOUSE_LIQUIDITY)
    : (await ensureUserAccounts(tx, funderUserId)).available;
  const to = (await ensureUserAccounts(tx, makerUserId)).available;
  await post(tx, [{ from, to, amount: kop(amountKop), kind: 'liquidity', refType: 'market', refId: marketId, idempotencyKey: key }]);
}

/**
 * Gives a new market its maker (DESIGN §9) inside the caller's transaction, right after the market
 * row: the maker's own user and accounts, its `market_makers` row (b derived from the budget and
 * opening price), the funding posting (from `house:liquidity`, or the funder's available balance:
 * check it first with {@link checkFunder}) and its first quotes in the book. `fundingKey`: the
 * funding posting's idempotency key (default `liquidity:<market>:open`; {@link addLiquidity} passes
 * its caller's, so a retry finds it).
 */
export async function openMaker(tx: EntityManager, marketId: number, f: Funding, fundingKey = `liquidity:${marketId}:open`): Promise<void> {
  const [u] = await tx.query(
    `INSERT INTO users (telegram_id, first_name, is_maker) VALUES ($1, 'maker', true) RETURNING id`,
    [-(MAKER_TELEGRAM_BASE + marketId)]);
  const makerUserId = Number(u.id);
  await ensureUserAccounts(tx, makerUserId);
  const b = deriveB(f.budgetKop, f.budgetKop, f.openingPrice);
  await tx.query(
    `INSERT INTO market_makers (market_id, user_id, funder_user_id, budget_kop, opening_price, b, anchor_price, anchor_net)
     VALUES ($1, $2, $3, $4, $5, $6, $5, 0)`,
    [marketId, makerUserId, f.funderUserId, f.budgetKop, f.openingPrice, b]);
  await postFunding(tx, marketId, makerUserId, f.funderUserId, f.budgetKop, fundingKey);
  await requoteInTx(tx, marketId);
}

/** Requotes the maker of a market whose row this transaction has locked (or just created), and writes it. */
async function requoteInTx(tx: EntityManager, marketId: number): Promise<void> {
  const market = await lockMarket(tx, marketId);
  if (!market) return;
  const book = market.bookVersion === 0 ? new OrderBook() : await loadBook(tx, marketId);
  const batch = new MarketBatch(tx, market, book, Date.now());
  await batch.requoteMaker();
  await batch.flush();
}

/** What the market card says about the maker: liquidity given (kop) and its b (shares). */
export interface MakerInfo {
  budgetKop: Kop;
  b: number;
  openingPrice: number;
  /** users.id of the funder; null: the house. */
  funderUserId: number | null;
}

/** The maker of a market for the card, or null when the market has none. */
export async function makerInfo(m: EntityManager, marketId: number): Promise<MakerInfo | null> {
  const [r] = await m.query(
    `SELECT budget_kop, b, opening_price, funder_user_id FROM market_makers WHERE market_id = $1`, [marketId]);
  if (!r) return null;
  return {
    budgetKop: Number(r.budget_kop) as Kop, b: Number(r.b), openingPrice: Number(r.opening_price),
    funderUserId: r.funder_user_id === null ? null : Number(r.funder_user_id),
  };
}

/**
 * Adds liquidity to a market's maker (`/liquidity`, DESIGN §9): `amountKop` from `house:liquidity`
 * (admins; `funderUserId` omitted) or from the funder's available balance (the market's own funder
 * only, so what the maker returns has one owner). Re-derives b from the maker's current inventory
 * plus the new money, centred on its current price, and requotes, all under the market lock.
 * A market without a maker gets one, opening at its last price. `idempotencyKey` (an outside
 * event, e.g. the Telegram update) makes a retry change nothing.
 *
 * Failures: liquidity_out_of_range {minKop, maxKop}, market_not_found, market_closed,
 * liquidity_wrong_funder, insufficient_funds {need, have}.
 */
export async function addLiquidity(
  ds: DataSource | EntityManager,
  input: { marketId: number; amountKop: Kop; funderUserId?: number | null; idempotencyKey?: string },
): Promise<Result<{ budgetKop: Kop; b: number }>> {
  const amount = input.amountKop;
  if (!Number.isSafeInteger(amount) || amount < MIN_LIQUIDITY_KOP || amount > MAX_LIQUIDITY_KOP) {
    return fail('liquidity_out_of_range', { minKop: MIN_LIQUIDITY_KOP, maxKop: MAX_LIQUIDITY_KOP });
  }
  const funder = input.funderUserId ?? null;
  const m = 'manager' in ds ? ds.manager : ds;
  return m.transaction(async (tx) => {
    const market = await lockMarket(tx, input.marketId);
    if (!market) return fail('market_not_found');
    const key = input.idempotencyKey === undefined ? null : `liquidity:${input.marketId}:${input.idempotencyKey}`;
    const seen = key === null ? [] : await tx.query(`SELECT 1 FROM postings WHERE idempotency_key = $1`, [key]);
    const state = await loadMakerState(tx, input.marketId, true);
    if (seen.length > 0 && state) return { ok: true as const, budgetKop: state.budgetKop, b: state.params.ladder.b };
    if (market.status !== 'open' || market.deadline.getTime() <= Date.now()) return fail('market_closed');
    if (state && state.funderUserId !== funder) return fail('liquidity_wrong_funder');
    const funds = await checkFunder(tx, funder, amount);
    if (!funds.ok) return funds;
    if (!state) {
      const [r] = await tx.query(`SELECT last_price FROM markets WHERE id = $1`, [input.marketId]);
      await openMaker(tx, input.marketId, { budgetKop: amount, openingPrice: r.last_price ?? DEFAULT_OPENING_PRICE, funderUserId: funder }, key ?? undefined);
      const b = deriveB(amount, amount, r.last_price ?? DEFAULT_OPENING_PRICE);
      return { ok: true as const, budgetKop: amount, b };
    }
    await postFunding(tx, input.marketId, state.userId, funder, amount, key);
    const next = rederive(state.params, state.inv, amount);
    await tx.query(
      `UPDATE market_makers SET budget_kop = budget_kop + $2, b = $3, anchor_price = $4, anchor_net = $5 WHERE market_id = $1`,
      [input.marketId, amount, next.ladder.b, next.ladder.p0, next.anchorNet]);
    await requoteInTx(tx, input.marketId);
    return { ok: true as const, budgetKop: kop(state.budgetKop + amount), b: next.ladder.b };
  });
}

/** How the maker of a settled market did: what it got, what it returned to its funder, kop. */
export interface MakerSettlement {
  funderUserId: number | null;
  budgetKop: Kop;
  returnedKop: Kop;
  /** returned − budget: positive when the maker made money, negative when it lost (never below −budget). */
  profitKop: Kop;
}

/**
 * Returns what a settled market's maker holds (its cash after every position was paid) to its
 * funder, by one posting with the idempotency key `maker-return:<market>`; a rerun returns the
 * recorded figures and posts nothing. Runs in the caller's transaction, after the payouts.
 * Returns null when the market has no maker.
 */
export async function returnMakerFunds(tx: EntityManager, marketId: number): Promise<MakerSettlement | null> {
  const state = await loadMakerState(tx, marketId, true);
  if (!state) return null;
  let returned = state.returnedKop;
  if (returned === null) {
    const acc = await ensureUserAccounts(tx, state.userId);
    const [a] = await tx.query(`SELECT balance FROM accounts WHERE id = $1`, [acc.available]);
    returned = kop(Number(a.balance));
    const to = state.funderUserId === null
      ? await systemAccountId(tx, HOUSE_LIQUIDITY)
      : (await ensureUserAccounts(tx, state.funderUserId)).available;
    await post(tx, [{ from: acc.available, to, amount: returned, kind: 'liquidity_return', refType: 'market', refId: marketId, idempotencyKey: `maker-return:${marketId}` }]);
    await tx.query(`UPDATE market_makers SET returned_kop = $2 WHERE market_id = $1`, [marketId, returned]);
  }
  return { funderUserId: state.funderUserId, budgetKop: state.budgetKop, returnedKop: returned, profitKop: kop(returned - state.budgetKop) };
}

/** The ladder a budget and opening price give (for /newmarket's confirmation: b and shares a level). */
export function ladderFor(budgetKop: number, openingPrice: number): { b: number; sharesAtOpen: number } {
  const b = deriveB(budgetKop, budgetKop, openingPrice);
  return { b, sharesAtOpen: makeLadder(b, openingPrice).sizes[Math.min(99, openingPrice + 1)] ?? 0 };
}
