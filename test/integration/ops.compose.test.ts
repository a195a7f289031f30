import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../infra/config';

const ROOT = join(__dirname, '..', '..');

/** The compose file as `docker-compose config` resolves it, as JSON (via python3-yaml, a dependency of Debian's docker-compose). */
let config: { services: Record<string, Service>; volumes: Record<string, unknown> };
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  restart?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: (string | { source: string; target: string })[];
}

function have(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
}

beforeAll(() => {
  // Debian's `docker-compose` package validates and resolves a compose file without a Docker engine.
  if (!have('docker-compose') && process.getuid?.() === 0) {
    spawnSync('apt-get', ['install', '-y', 'docker-compose'], { stdio: 'ignore' });
  }
  if (!have('docker-compose')) throw new Error('docker-compose is missing: apt-get install -y docker-compose');
  const yaml = execFileSync('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), 'config'], { cwd: ROOT, env: { ...process.env, COMPOSE_PROJECT_NAME: 'pravda' } });
  config = JSON.parse(execFileSync('python3', ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: yaml }).toString());
}, 300_000);

test('issue 15: docker-compose config validates, and every service restarts and has a healthcheck', () => {
  expect(Object.keys(config.services).sort()).toEqual(['bot', 'botapi', 'postgres', 'redis', 'workers']);
  for (const [name, s] of Object.entries(config.services)) {
    expect({ name, restart: s.restart }).toEqual({ name, restart: 'unless-stopped' });
    expect(s.healthcheck?.test.length).toBeGreaterThan(0);
  }
});

test('issue 15: bot and workers start after healthy postgres, redis and local Bot API, and their healthcheck is /health', () => {
  for (const name of ['bot', 'workers']) {
    const s = config.services[name]!;
    expect(s.depends_on).toEqual({
      postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' }, botapi: { condition: 'service_healthy' },
    });
    expect(s.healthcheck!.test.join(' ')).toContain('/health');
    expect(s.command).toEqual(['node', 'dist/bin/start.js', name]);
  }
  expect(config.services.botapi!.command).toEqual(['node', 'dist/tools/botapi/main.js']);
});

test('issue 15: every setting of the runtime contract is passed through to bot and workers', () => {
  for (const name of ['bot', 'workers']) {
    const env = config.services[name]!.environment ?? {};
    expect(CONFIG_VARIABLES.filter((v) => !(v in env))).toEqual([]);
  }
  expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(['RESOLVE_QUORUM', 'DISPUTE_WINDOW', 'DIGEST_CRON', 'DIGEST_LANG', 'LOG_LEVEL', 'ALERT_CHAT_ID']));
});

test('issue 15: Postgres and Redis keep their data in volumes', () => {
  const targets = (s: Service) => (s.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target));
  expect(targets(config.services.postgres!)).toContain('/var/lib/postgresql/data');
  expect(targets(config.services.redis!)).toContain('/data');
  expect(Object.keys(config.volumes).sort()).toEqual(['pgdata', 'redisdata']);
});

test('issue 15: the image is multi-stage, with production dependencies only in the final stage, running as a non-root user', () => {
  const stages = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').split(/^FROM /m).slice(1);
  expect(stages.length).toBeGreaterThanOrEqual(2);
  const final = stages.at(-1)!;
  expect(stages[0]).toMatch(/npm prune --omit=dev/);
  expect(final).toMatch(/^USER node$/m);
  expect(final).not.toMatch(/npm (ci|install)/);
  expect(final).toMatch(/COPY --from=build .*node_modules/);
});
