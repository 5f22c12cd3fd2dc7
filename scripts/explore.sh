#!/usr/bin/env bash
# Installs what is missing, builds sc2gan (release) and opens the explorer on the default model.
# Extra arguments go to `sc2gan explore`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build -c release --product sc2gan 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
[ -x .build/release/sc2gan ] || { echo "build failed" >&2; exit 1; }
exec .build/release/sc2gan explore "$@"
