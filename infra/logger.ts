import pino from 'pino';
import { requestIdMixin } from './request-context';

/**
 * The one structured logger (pino, JSON lines on stderr so stdout stays free for CLI output).
 * Every line logged while handling an update or a job carries its `reqId` (infra/request-context.ts).
 */
export const logger = pino(
  { level: process.env.LOG_LEVEL ?? 'info', base: { pid: process.pid, role: process.env.PRAVDA_ROLE }, mixin: requestIdMixin },
  pino.destination(2),
);
