import type { Market } from '../entities';

/**
 * What a user can do with a market now, for the card and the trade buttons. A market past its
 * deadline counts as closed even before the close sweep has run (DESIGN §4: trading stops at the
 * deadline; the matching worker refuses such orders too).
 */
export type TradingState = 'open' | 'paused' | 'closed' | 'proposed' | 'resolved' | 'settled';

export function tradingState(market: Market, now: Date = new Date()): TradingState {
  if (market.status === 'open') {
    if (market.deadline.getTime() <= now.getTime()) return 'closed';
    return market.tradingPaused ? 'paused' : 'open';
  }
  return market.status;
}
