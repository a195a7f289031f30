import pino from 'pino';

/** The one structured logger (pino, JSON lines on stderr so stdout stays free for CLI output). */
export const logger = pino(
  { level: process.env.LOG_LEVEL ?? 'info', base: { pid: process.pid, role: process.env.PRAVDA_ROLE } },
  pino.destination(2),
);
