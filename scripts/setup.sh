#!/usr/bin/env bash
# Installs and starts what the project needs on a fresh Debian machine, then builds.
# Idempotent: each step is skipped when already done. Used by `npm run demo`, `npm test`, `npm run bench`.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

# 1. Debian packages that `canvas` compiles against (no prebuilt binary is reachable), and fonts
#    with Cyrillic for the rendered cards.
DEBS=(libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev libpixman-1-dev build-essential pkg-config fonts-dejavu-core)
# The test suite also validates the compose file (docker-compose config, no engine needed).
if [ "${PRAVDA_SETUP_TESTS:-}" = "1" ]; then DEBS+=(docker-compose python3-yaml); fi
missing=()
for p in "${DEBS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. Postgres and Redis, when not already answering (DATABASE_URL / REDIS_URL may point elsewhere).
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "installing postgresql"; $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  fi
  log "starting postgresql"
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! (command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1); then
  if ! command -v redis-server >/dev/null 2>&1; then
    log "installing redis"; $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
  fi
  log "starting redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/pravda.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

# 2b. Chromium for the Mini App's browser tests and the demo (Playwright's own browsers cannot be downloaded here).
if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium"; $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# 3. npm packages (npm 11 runs install scripts only for packages in package.json "allowScripts").
stamp=node_modules/.pravda-install-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  log "installing npm packages (npm ci: exactly the versions in package-lock.json)"
  # npm ci installs from the lock alone and never rewrites it; it refuses a lock that disagrees with
  # package.json or lacks other platforms' optional packages (test/unit/lockfile.test.ts guards that).
  # It empties node_modules first, so the stamp is written after it.
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
# canvas must have been compiled (its install script builds it from source with node-gyp).
if ! node -e "require('canvas')" >/dev/null 2>&1; then
  log "building canvas from source"
  npm rebuild canvas --loglevel=error
fi

# 4. Compile TypeScript.
log "building"
npx tsc -p tsconfig.json
npm run build:app --silent
