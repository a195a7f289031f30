/** Image rendering for Telegram photos: market cards, digests and their charts (PNG buffers). */
export { renderPriceChart, renderSparkline, evenTickTimes, renderValueChart, evenValueTicks } from './chart';
export type { PricePoint, TimeTick, PriceChartOptions, SparklineOptions, ValuePoint, ValueTick, ValueChartOptions } from './chart';
export { renderMarketCard, CARD_WIDTH, CARD_HEIGHT } from './card';
export type { MarketCardInput } from './card';
export { renderDigest, DIGEST_WIDTH, MAX_DIGEST_TILES } from './digest';
export type { DigestInput, DigestTile } from './digest';
export { renderJob } from './job';
export type { RenderJob } from './job';
export type { Theme, StatusTone } from './theme';
export { renderLeagueCard, LEAGUE_CARD_WIDTH, LEAGUE_CARD_HEIGHT } from './league';
export type { LeagueCardInput } from './league';
export { renderOffThread } from './thread';
