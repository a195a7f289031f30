import type { Queue } from 'bullmq';

/** Job names on the notifications queue. */
export const PUMP_JOB = 'pump';
export const DIGEST_JOB = 'digest';

/** A pump job: send the head of chat `chatId`'s lane, as generation `gen` (see lanes.ts). */
export interface PumpData {
  chatId: number;
  gen: number;
}

/** Tries per message: network errors and 5xx retry with exponential backoff 1 s, 2 s, 4 s, 8 s, 16 s. */
export const SEND_ATTEMPTS = 6;

/**
 * BullMQ priorities (lower runs first). A group's 20/min budget is the scarcest: a group slot not
 * used when it comes is lost, while a private chat catches up at 1/s. So when the global budget is
 * saturated, ready group pumps go before private ones (the digest tick goes first of all).
 */
export const PRIORITY = { tick: 1, group: 2, private: 3 } as const;

/**
 * Add the pump job of generation `gen`. The job id is unique per generation (`p<chat>-<gen>`: BullMQ
 * custom ids must not contain ':' nor be integers), so a finishing job can never swallow its successor.
 */
export async function addPump(queue: Queue, chatId: number, gen: number, delayMs = 0): Promise<void> {
  const data: PumpData = { chatId, gen };
  await queue.add(PUMP_JOB, data, {
    jobId: `p${chatId}-${gen}`,
    delay: Math.max(0, Math.ceil(delayMs)),
    priority: chatId < 0 ? PRIORITY.group : PRIORITY.private,
    attempts: SEND_ATTEMPTS,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}
