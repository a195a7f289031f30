#!/usr/bin/env bash
# `npm test`: the whole suite (unit, integration on real Postgres/Redis, end-to-end through the local Bot API).
set -euo pipefail
cd "$(dirname "$0")/.."
PRAVDA_SETUP_TESTS=1 bash scripts/setup.sh
exec npx jest --ci "$@"
