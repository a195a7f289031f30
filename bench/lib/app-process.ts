import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * A real `node dist/bin/start.js <role>` process, as deployed; resolves once it has logged
 * "started". Benchmarks measure these processes, not in-process copies. `env` is added to this
 * process's environment; `nodeArgs` are node flags (e.g. `--cpu-prof`); every line of its log
 * (JSON lines on stderr, infra/logger.ts) is handed to `onLine`, else dropped.
 * @throws when the process exits before it started (with the end of its log).
 */
export async function startAppProcess(role: 'bot' | 'workers', env: Record<string, string>,
  opts: { nodeArgs?: string[]; onLine?: (line: string) => void } = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(__dirname, '..', '..', 'bin', 'start.js'), role], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    let tail = '';
    let started = false;
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!started) tail = (tail + line + '\n').slice(-2000);
        if (!started && line.includes('"msg":"started"')) {
          started = true;
          resolve();
        }
        opts.onLine?.(line);
      }
    });
    child.once('exit', (code) => { if (!started) reject(new Error(`${role} exited with ${code}: ${tail}`)); });
  });
  return child;
}

/** SIGTERMs a process started by {@link startAppProcess} (a graceful stop); SIGKILL after 15 s. */
export async function stopAppProcess(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

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

/** A real workers process ({@link startAppProcess}) against `o`. */
export function startWorkersProcess(o: WorkersProcessOptions): Promise<ChildProcess> {
  // BENCH_WORKERS_NODE_ARGS: node flags for the workers process (e.g. `--cpu-prof`, to see where a run spends its time).
  const nodeArgs = (process.env.BENCH_WORKERS_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return startAppProcess('workers', {
    DATABASE_URL: o.databaseUrl, REDIS_URL: o.redisUrl, QUEUE_PREFIX: o.prefix, BOT_TOKEN: o.token, TELEGRAM_API_ROOT: o.apiRoot, ...o.env,
  }, { nodeArgs });
}
