#!/usr/bin/env bash
# `npm run bench`: each benchmark prints one JSON line {"name","ours","baseline","ratio","unit",...}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
for b in dist/bench/*.js; do
  node "$b"
done
