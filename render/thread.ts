/**
 * Rendering off the main thread: {@link renderOffThread} runs a {@link RenderJob} on one
 * long-lived worker thread (render/thread-worker.ts), so a card's chart and PNG encode (tens of
 * ms of CPU) do not hold up every other update of the bot's event loop, and can use another core.
 *
 * The thread runs the compiled JavaScript next to this file; where there is none (sources run
 * through a TypeScript transform, as in the test suite) the job is rendered in this thread.
 * A thread that dies is replaced on the next job; the jobs it had fail with its error.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { renderJob, type RenderJob } from './job';

/** A job's answer from the thread: the PNG bytes, or the error message. */
export type ThreadReply = { id: number; ok: true; png: Uint8Array } | { id: number; ok: false; message: string };

const WORKER_FILE = join(__dirname, 'thread-worker.js');
/** Whether the compiled worker file is there (looked up once: it does not come or go while running). */
const HAS_WORKER_FILE = existsSync(WORKER_FILE);

let worker: Worker | null = null;
let seq = 0;
const pending = new Map<number, { resolve: (png: Buffer) => void; reject: (err: Error) => void }>();

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_FILE);
  w.on('message', (r: ThreadReply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (pending.size === 0) w.unref();
    if (r.ok) p.resolve(Buffer.from(r.png.buffer, r.png.byteOffset, r.png.byteLength));
    else p.reject(new Error(r.message));
  });
  const fail = (err: Error) => {
    if (worker === w) worker = null;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(err);
    }
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`render thread exited with code ${code}`)));
  // An idle render thread must not keep the process alive, a busy one must (unref after the
  // listeners: adding one refs the thread again).
  w.unref();
  worker = w;
  return w;
}

/**
 * Renders `job` on the render thread (in this thread when there is no compiled worker file).
 * @returns PNG bytes. @throws the render's error.
 */
export function renderOffThread(job: RenderJob): Promise<Buffer> {
  if (!HAS_WORKER_FILE) return renderJob(job);
  const id = ++seq;
  return new Promise<Buffer>((resolve, reject) => {
    const w = thread();
    if (pending.size === 0) w.ref();
    pending.set(id, { resolve, reject });
    w.postMessage({ id, job });
  });
}
