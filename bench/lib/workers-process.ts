import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** What a benchmark's workers process runs against. */
export interface WorkersProcessOptions {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  /** The Bot API the workers send through (a local simulator, tools/botapi). */
  apiRoot: string;
  token: string;
  /** More environment (MATCHING_BATCH_MAX, ...). */
  env?: Record<string, string>;
}

/**
 * A real workers process (`node dist/bin/start.js workers`, as deployed); resolves once it has
 * logged "started". Benchmarks measure this process, not an in-process copy of the workers.
 */
export async function startWorkersProcess(o: WorkersProcessOptions): Promise<ChildProcess> {
  // BENCH_WORKERS_NODE_ARGS: node flags for the workers process (e.g. `--cpu-prof`, to see where a run spends its time).
  const nodeArgs = (process.env.BENCH_WORKERS_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(__dirname, '..', '..', 'bin', 'start.js'), 'workers'], {
    env: { ...process.env, DATABASE_URL: o.databaseUrl, REDIS_URL: o.redisUrl, QUEUE_PREFIX: o.prefix, BOT_TOKEN: o.token,
      TELEGRAM_API_ROOT: o.apiRoot, LOG_LEVEL: 'info', ...o.env },
    // The log is JSON lines on stderr (infra/logger.ts): read until "started", then drop it.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    let started = false;
    child.stderr!.on('data', (d: Buffer) => {
      if (started) return;
      out += d.toString();
      if (out.includes('"msg":"started"')) {
        started = true;
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`workers exited with ${code}: ${out.slice(-2000)}`)));
  });
  return child;
}

/** SIGTERMs a workers process (a graceful stop) and waits for it to exit. */
export async function stopWorkersProcess(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
