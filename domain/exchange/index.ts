/** The pure exchange core (DESIGN §2): book, matching, fees, limits, money effects, preview. No I/O. */
export * from './types';
export { OrderBook, BookError } from './book';
export { match, expire, isExpired, MatchError } from './match';
export { fillKind, isBuy, outcomeOf, ownPrice, sideOf } from './intent';
export {
  BPS_DENOMINATOR,
  MAKER_REBATE_BPS,
  TAKER_FEE_SCHEDULE,
  cumulativeFee,
  feeOn,
  feeTier,
  makerRebate,
  maxNotionalForSpend,
  takerFeeBps,
  type FeeTier,
  type FeeTierStep,
} from './fees';
export {
  cancelEffects,
  EffectsError,
  fillEffects,
  reserveEffects,
  reserveFor,
  restingReserve,
  takerReleaseEffects,
  type AccountRef,
  type Effects,
  type MoneyMove,
  type MoveKind,
  type Reserve,
  type ShareMove,
} from './effects';
export {
  MAX_NOTIONAL_KOP,
  MIN_NOTIONAL_KOP,
  validateOrder,
  type OrderDraft,
  type OrderInvalidCode,
  type OrderValidation,
} from './limits';
export { previewOrder, type OrderPreview, type PreviewInput } from './preview';
export {
  FEE_VOLUME_WINDOW_DAYS,
  preTradeCheck,
  type MarketFacts,
  type OrderRequest,
  type PreTradeRejectCode,
  type PreTradeResult,
  type TraderFacts,
} from './pre-trade';
export { AMOUNT_PRESETS_KOP, bestOwnPrice, guardPrice, minBuyAmount, orderSize, SLIPPAGE, type BestPrices, type BetDraft } from './bet-size';
export {
  deriveB, ladderLosses, ladderPos, ladderSizes, makeLadder, makerPrice, quote, rederive, worstEndValues,
  type Ladder, type MakerInventory, type MakerParams, type Quote,
} from './maker';
export { applyFillToMaker, makerOrders, matchWithMaker, requote, type MakerSim, type MakerStep } from './maker-match';
