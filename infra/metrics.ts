/**
 * Prometheus metrics of a process (prom-client), one registry per process, scraped at `/metrics`
 * (web/server.ts). Counters are incremented where the event happens; gauges that describe shared
 * state (queues, settlement, active users) are computed at scrape time by collectors that the
 * HTTP server registers (web/business-gauges.ts), so every process reports the same figures.
 * Names follow https://prometheus.io/docs/practices/naming/ (units in the name, `_total` counters).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** Matching commands and their fills, counted by the matching worker. */
export const tradeMetrics = {
  orders: new Counter({
    name: 'pravda_orders_total', help: 'Order commands by result (placed/rejected) and failure code',
    labelNames: ['result', 'code'] as const, registers: [registry],
  }),
  fills: new Counter({ name: 'pravda_fills_total', help: 'Trades (fills) executed', registers: [registry] }),
  volumeShares: new Counter({ name: 'pravda_fill_volume_shares_total', help: 'Shares traded in fills', registers: [registry] }),
  volumeKop: new Counter({ name: 'pravda_fill_volume_kop_total', help: 'Value of fills in kopecks (price x shares)', registers: [registry] }),
};

/** Bot API calls (infra/telegram-policy.ts) and the notification pipeline. */
export const telegramMetrics = {
  latency: new Histogram({
    name: 'pravda_telegram_request_duration_seconds', help: 'Bot API call latency by method and outcome (ok, HTTP code, network)',
    labelNames: ['method', 'outcome'] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15], registers: [registry],
  }),
  errors: new Counter({
    name: 'pravda_telegram_errors_total', help: 'Bot API answers 429 (flood wait) and 403 (blocked/kicked)',
    labelNames: ['code'] as const, registers: [registry],
  }),
  notifications: new Counter({
    name: 'pravda_notifications_total', help: 'Queued notifications by outcome (sent, rate_limited, forbidden, rejected, transient)',
    labelNames: ['outcome'] as const, registers: [registry],
  }),
};

/** Updates handled by the bot. */
export const updateMetrics = {
  duration: new Histogram({
    name: 'pravda_update_duration_seconds', help: 'Time to handle one Telegram update, by update type',
    labelNames: ['type'] as const, buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15], registers: [registry],
  }),
  rateLimited: new Counter({ name: 'pravda_updates_rate_limited_total', help: 'Updates refused by the per-user rate limit', registers: [registry] }),
};

/** The money monitor (workers/monitor.ts). */
export const monitorMetrics = {
  alerts: new Counter({ name: 'pravda_alerts_total', help: 'Incidents alerted to ALERT_CHAT_ID, by kind', labelNames: ['kind'] as const, registers: [registry] }),
  audits: new Counter({ name: 'pravda_audits_total', help: 'Scheduled audits by result (ok/violation)', labelNames: ['result'] as const, registers: [registry] }),
};

/** Images the bot draws (render/): the market card's chart and PNG encode, measured where the bot asks for it. */
export const renderMetrics = {
  card: new Histogram({
    name: 'pravda_card_render_seconds', help: 'Time to render one market card image (chart and PNG encode)',
    buckets: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5], registers: [registry],
  }),
};
