/**
 * Closed-loop HTTP load from a worker thread, so the simulated clients do not share the server's
 * event loop (in production they are other machines). Each user repeats its own list of requests
 * back to back for `seconds`; latencies are kept per request kind.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/** One request of a user's cycle. */
export interface PlannedRequest {
  kind: string;
  path: string;
  headers: Record<string, string>;
}

/** Per kind: p50 and p95 latency (ms), requests per second, count; plus non-2xx answers. */
export interface LoadResult {
  out: Record<string, { p50: number; p95: number; perSec: number; n: number }>;
  errors: number;
}

interface Job {
  base: string;
  plans: PlannedRequest[][];
  seconds: number;
}

function pct(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function drive(job: Job): Promise<{ lat: Record<string, number[]>; errors: number }> {
  const lat: Record<string, number[]> = {};
  let errors = 0;
  const until = Date.now() + job.seconds * 1000;
  await Promise.all(job.plans.map(async (plan) => {
    for (let i = 0; Date.now() < until; i++) {
      const r = plan[i % plan.length]!;
      const t0 = performance.now();
      const res = await fetch(job.base + r.path, { headers: r.headers });
      await res.arrayBuffer();
      if (!res.ok) errors++;
      (lat[r.kind] ??= []).push(performance.now() - t0);
    }
  }));
  return { lat, errors };
}

/** Runs one user per entry of `plans` (each cycling through its requests) against `base` for `seconds`. */
export function runLoad(base: string, plans: PlannedRequest[][], seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { base, plans, seconds } satisfies Job });
    w.once('message', ({ lat, errors }: { lat: Record<string, number[]>; errors: number }) => {
      const out: LoadResult['out'] = {};
      for (const [k, v] of Object.entries(lat)) {
        v.sort((a, b) => a - b);
        out[k] = { p50: Math.round(pct(v, 50) * 10) / 10, p95: Math.round(pct(v, 95) * 10) / 10, perSec: Math.round(v.length / seconds), n: v.length };
      }
      resolve({ out, errors });
    });
    w.once('error', reject);
  });
}

if (!isMainThread && parentPort) {
  void drive(workerData as Job).then((r) => parentPort!.postMessage(r));
}
