#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, parity against the PyTorch
# reference fixtures, CLI end-to-end and the tmux-driven explorer tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# The tests link OpenBLAS directly: choose its kernel before it loads (see README, "BLAS kernel").
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
fi
log=$(mktemp)
set +e
swift test --disable-swift-testing 2>&1 | tee "$log" | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Build|Merging)'
status=${PIPESTATUS[0]}
set -e
# One plain closing line with XCTest's totals.
summary=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -n 1)
rm -f "$log"
if [[ $summary =~ Executed\ ([0-9]+)\ tests?,\ with\ ([0-9]+)\ failure ]]; then
  echo "$((BASH_REMATCH[1] - BASH_REMATCH[2])) passed, ${BASH_REMATCH[2]} failed"
fi
exit "$status"
