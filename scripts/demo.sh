#!/usr/bin/env bash
# `npm run demo`: the main job end to end (see README). Exits non-zero if any step failed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/scripts/demo.js
