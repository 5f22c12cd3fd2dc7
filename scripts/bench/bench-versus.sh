#!/usr/bin/env bash
# This build against another sc2gan binary, side by side in one run (interleaved rounds, so the
# ratios survive a noisy machine), on the work every evaluation and correction repeats:
#   - re-projection: ms per gradient step per image at 64 px (batch 16), from the wall clock of
#     `bench --reproject-steps 41` minus `--reproject-steps 1` (40 steps x 16 images);
#   - a fixed evaluation: `evaluate --split validation --restarts 1` on one pair with the shipped
#     directions as the fit, wall clock, and whether both binaries print the same table.
#   BASE=/path/to/previous/sc2gan bash scripts/bench/bench-versus.sh
#   ROUNDS=4 PAIR=age:eyeglasses COUNT=40 BASE=... bash scripts/bench/bench-versus.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
: "${BASE:?set BASE to the sc2gan binary to compare with}"
swift build -c release --product sc2gan 2>&1 | grep -E "error|warning: " || true
BIN=${BENCH_BIN:-.build/release/sc2gan}
source scripts/lib/blas-kernel.sh
blas_kernel "$BIN"
rounds=${ROUNDS:-4} pair=${PAIR:-age:eyeglasses} count=${COUNT:-40}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export SC2GAN_CACHE="$work/cache"
clock() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
step_ms() {
  local a c
  a=$(clock "$1" bench --batch 16 --iterations 1 --gemm-size 256 --reproject-steps 1)
  c=$(clock "$1" bench --batch 16 --iterations 1 --gemm-size 256 --reproject-steps 41)
  echo "($c - $a) * 1000 / 640" | bc -l
}
evaluate_s() {   # binary, output folder
  rm -rf "$2"
  clock "$1" evaluate --directions assets/faceworld/directions --pairs "$pair" --split validation --restarts 1 \
    --count "$count" --out "$2"
}
evaluate_s "$BIN" "$work/warm" >/dev/null     # the held-out sample cache, once, for both
printf "%-6s %22s %22s %8s %18s %18s %8s\n" round "re-projection ms (this)" "(base)" ratio "evaluate s (this)" "(base)" ratio
for r in $(seq "$rounds"); do
  tb=$(step_ms "$BIN"); bb=$(step_ms "$BASE")
  te=$(evaluate_s "$BIN" "$work/this"); be=$(evaluate_s "$BASE" "$work/base")
  printf "%-6s %22.2f %22.2f %7.2fx %18.2f %18.2f %7.2fx\n" "$r" "$tb" "$bb" "$(echo "$bb / $tb" | bc -l)" "$te" "$be" "$(echo "$be / $te" | bc -l)"
done
if cmp -s "$work/this/table.txt" "$work/base/table.txt"; then echo "evaluate: the same table from both binaries"
else echo "evaluate: the tables differ:"; diff "$work/this/table.txt" "$work/base/table.txt" || true; fi
