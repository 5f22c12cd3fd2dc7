#!/usr/bin/env bash
# The whole SC² pipeline for one attribute, timed stage by stage, from an empty sample cache:
# sample N seeds, fit the original and conditional directions, correct (semantic rows,
# low-density set, re-projection, re-fit), evaluate the pair. Usage:
#   bash scripts/bench/bench-pipeline.sh [TARGET:CORRELATED] [SAMPLES]     (default age:eyeglasses 20000)
set -euo pipefail
cd "$(dirname "$0")/../.."
pair=${1:-age:eyeglasses}; samples=${2:-20000}
target=${pair%%:*}
[ -x .build/release/sc2gan ] || swift build -c release >/dev/null
B=.build/release/sc2gan
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export SC2GAN_CACHE="$work/cache"
t() { date +%s.%N; }
t0=$(t)
$B directions study --samples "$samples" >/dev/null 2>&1            # sampling (cached for the rest)
t1=$(t)
$B correct --samples "$samples" --attribute "$target" --out "$work/dirs" 2>/dev/null | head -n 1
t2=$(t)
$B evaluate --directions "$work/dirs" --pairs "$pair" --count 100 --out "$work/eval" 2>/dev/null | sed -n '1,4p'
t3=$(t)
kernel=$($B bench --batch 1 --iterations 1 --gemm-size 64 --json 2>/dev/null | sed -n "s/.*\"blas_kernel\":\"\([^\"]*\)\".*/\1/p")
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$samples" -v p="$pair" -v k="$kernel" 'BEGIN {
  printf "pipeline %s (OpenBLAS kernel %s): sampling %d seeds %.0f s, directions + correction %.0f s, evaluation %.0f s; total %.0f s (%.1f min)\n",
         p, k, n, b - a, c - b, d - c, d - a, (d - a) / 60 }'
