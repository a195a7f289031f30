/**
 * The render thread's body (render/thread.ts): renders each job it is sent and answers with the
 * PNG bytes (transferred to it) or the error message.
 */
import { parentPort } from 'node:worker_threads';
import { renderJob, type RenderJob } from './job';
import type { ThreadReply } from './thread';

parentPort?.on('message', ({ id, job }: { id: number; job: RenderJob }) => {
  renderJob(job).then((png) => {
    // A copy of its own (the PNG's memory belongs to sharp), handed over without another copy.
    const bytes = new Uint8Array(png);
    parentPort!.postMessage({ id, ok: true, png: bytes } satisfies ThreadReply, [bytes.buffer as ArrayBuffer]);
  }, (err: unknown) => {
    parentPort!.postMessage({ id, ok: false, message: (err as Error).message } satisfies ThreadReply);
  });
});
