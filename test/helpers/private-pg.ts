import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './private-redis';

const run = promisify(execFile);

/** The newest PostgreSQL server binaries on this machine (Debian layout: /usr/lib/postgresql/<major>/bin). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  if (majors.length === 0) throw new Error(`no PostgreSQL under ${root}`);
  return join(root, majors[0]!, 'bin');
}

/**
 * A private PostgreSQL cluster for fault tests (issue 13: "Postgres stopped for 10 s"): its own data
 * directory under /tmp and a free port, trust auth for `postgres` on 127.0.0.1. fsync is off (an
 * `-m immediate` stop is a crash of the server, not of the machine: the OS still has every write)
 * but synchronous_commit stays on, or a commit already answered would be lost by that stop. The server
 * runs as the OS user postgres (it refuses root); the shared server on 5432 is never touched.
 */
export class PrivatePostgres {
  private constructor(readonly port: number, private readonly dataDir: string, private readonly bin: string, private readonly asRoot: boolean) {}

  /** `postgres://postgres@127.0.0.1:<port>` (append `/<database>`). */
  get server(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  /** initdb + start; resolves when it accepts connections. */
  static async start(): Promise<PrivatePostgres> {
    const asRoot = process.getuid?.() === 0;
    const dataDir = mkdtempSync(join(tmpdir(), 'pravda-pg-'));
    if (asRoot) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: g } = await run('id', ['-g', 'postgres']);
      chownSync(dataDir, Number(stdout.trim()), Number(g.trim()));
    }
    const pg = new PrivatePostgres(await freePort(), dataDir, binDir(), asRoot);
    await pg.exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await pg.startServer();
    return pg;
  }

  /** Runs a server binary as the OS user postgres (directly, when not root). */
  private async exec(tool: string, args: string[]): Promise<string> {
    const file = join(this.bin, tool);
    const { stdout } = this.asRoot ? await run('runuser', ['-u', 'postgres', '--', file, ...args]) : await run(file, args);
    return stdout;
  }

  /** Starts the (stopped) server and waits until it accepts connections (pg_ctl -w). */
  async startServer(): Promise<void> {
    const opts = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='${this.dataDir}' -c fsync=off -c full_page_writes=off -c max_connections=200`;
    await this.exec('pg_ctl', ['-D', this.dataDir, '-o', opts, '-l', join(this.dataDir, 'server.log'), '-w', '-t', '60', 'start']);
  }

  /** Stops the server at once, like a crash (`-m immediate`): open connections are cut. */
  async stopServer(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  /** Stops the server (if running) and deletes its data directory. */
  async destroy(): Promise<void> {
    await this.stopServer('immediate').catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
