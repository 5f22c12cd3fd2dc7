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
swift test 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Build|Merging)' 
exit "${PIPESTATUS[0]}"
