import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Path of a compiled entry point; `npm test` builds first (scripts/setup.sh). */
export function dist(entry: string): string {
  const p = join(ROOT, 'dist', entry);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` (npm test does it)`);
  return p;
}

/** A running child process of ours, with its output kept for failure messages. */
export interface Child {
  proc: ChildProcess;
  output: () => string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Starts `node <dist entry> ...args` with extra environment. */
export function startNode(entry: string, args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [dist(entry), ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    exited,
    kill: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}
