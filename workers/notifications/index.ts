/** The notifications pipeline: `Notifier` for producers, `startNotificationsWorker` for the worker process. */
export { NOTIFICATIONS_QUEUE } from './keys';
export { Notifier, DEFAULT_DEDUPE_TTL_MS, type NotifyOutcome } from './producer';
export { startNotificationsWorker, type NotificationsWorker, type NotificationsWorkerOptions } from './worker';
export { DEFAULT_LIMITS, type NotificationJob, type NotifyLimits } from './types';
