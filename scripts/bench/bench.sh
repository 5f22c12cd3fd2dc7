#!/usr/bin/env bash
# Generation benchmark, Swift engine vs PyTorch (Debian python3-torch, 2 threads), same weights,
# same batch, interleaved in one run so the ratios survive a noisy machine.
#   bash scripts/bench/bench.sh            # 64 px (FaceWorld), config-f 256 and 1024
#   MODELS="256" bash scripts/bench/bench.sh
#   BENCH_BASE=/path/to/previous/sc2gan bash scripts/bench/bench.sh   # that binary too, interleaved
#     in the same run: its images/s and its ratio to the same PyTorch runs, and its generate time
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
command -v /usr/bin/python3 >/dev/null && /usr/bin/python3 -c "import torch" 2>/dev/null || {
  echo "bench: installing python3-torch for the PyTorch side" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy >/dev/null; }
swift build -c release --product sc2gan 2>&1 | grep -E "error|warning: " || true
BIN=${BENCH_BIN:-.build/release/sc2gan}
BASE=${BENCH_BASE:-}
mkdir -p .cache
# Same BLAS kernel for both sides (the Swift binary would choose it by itself; PyTorch would not).
source scripts/lib/blas-kernel.sh
blas_kernel "$BIN"
models=${MODELS:-"64 256 1024"}
if [ -n "$BASE" ]; then
  printf "%-10s %5s %14s %14s %7s %12s %10s %10s %12s %10s\n" model batch "swift img/s" "torch img/s" ratio "GEMM share" "swift MiB" "torch MiB" "base img/s" "base ratio"
else
  printf "%-10s %5s %14s %14s %7s %12s %10s %10s\n" model batch "swift img/s" "torch img/s" ratio "GEMM share" "swift MiB" "torch MiB"
fi
for m in $models; do
  case $m in
    64)   file=assets/faceworld/generator.safetensors
          [ -f "$file" ] || { file=.cache/faceworld-shape-64.safetensors
            [ -f "$file" ] || /usr/bin/python3 tools/bench/make_random_model.py --resolution 64 --z-dim 128 --mapping-layers 4 --channel-base 4096 --channel-max 128 --out "$file" >/dev/null; }
          batch=16; iters=4 ;;
    256)  file=.cache/configf-256.safetensors; batch=4; iters=2 ;;
    1024) file=.cache/configf-1024.safetensors; batch=1; iters=2 ;;
  esac
  [ -f "$file" ] || /usr/bin/python3 tools/bench/make_random_model.py --resolution "$m" --out "$file" >/dev/null
  swift_run() { $BIN bench --model "$file" --batch $batch --iterations $iters --json; }
  base_run() { if [ -n "$BASE" ]; then $BASE bench --model "$file" --batch $batch --iterations $iters --json; else echo '{}'; fi; }
  torch_run() { OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench/bench_torch.py --model "$file" --batch $batch --iterations $iters; }
  s1=$(swift_run); b1=$(base_run); t1=$(torch_run)
  s2=$(swift_run); b2=$(base_run); t2=$(torch_run)
  /usr/bin/python3 - "$m" "$batch" "$s1" "$s2" "$t1" "$t2" "$b1" "$b2" <<'PY'
import json, sys
m, b = sys.argv[1], sys.argv[2]
s = [json.loads(x) for x in sys.argv[3:5]]; t = [json.loads(x) for x in sys.argv[5:7]]; base = [json.loads(x) for x in sys.argv[7:9]]
si = max(x["images_per_s"] for x in s); ti = max(x["images_per_s"] for x in t)
share = max(x["gemm_time_share"] for x in s)
line = f"{m + 'px':<10} {b:>5} {si:>14.2f} {ti:>14.2f} {si / ti:>6.2f}x {share * 100:>11.0f}% {max(x['peak_rss_mib'] for x in s):>10.0f} {max(x['peak_rss_mib'] for x in t):>10.0f}"
if base[0]:
    bi = max(x["images_per_s"] for x in base)
    line += f" {bi:>12.2f} {bi / ti:>9.2f}x"
print(line)
print(f"           BLAS kernel {s[0]['blas_kernel']}, {s[0]['blas_threads']} threads; GEMM peak {s[0]['gemm_peak_gflops']:.0f} GFLOPS", file=sys.stderr)
PY
done

# generate against a PyTorch script that also writes the PNGs: whole processes, 2,048 images of
# the 64 px model, batch 16, interleaved, best of two (GENERATE=0 skips it).
if [ "${GENERATE:-1}" = 1 ] && [[ " $models " == *" 64 "* ]]; then
  file=assets/faceworld/generator.safetensors
  [ -f "$file" ] || file=.cache/faceworld-shape-64.safetensors
  out=$(mktemp -d)
  best() { local b=""; for t in "$@"; do [ -z "$b" ] || (( $(echo "$t < $b" | bc) )) && b=$t; done; echo "$b"; }
  run() { local s e; rm -rf "$out/x"; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
  s1=$(run $BIN generate --model "$file" --seeds 0-2047 --batch 16 --out "$out/x")
  [ -n "$BASE" ] && b1=$(run $BASE generate --model "$file" --seeds 0-2047 --batch 16 --out "$out/x")
  t1=$(run env OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench/bench_torch.py --model "$file" --batch 16 --write-pngs "$out/x" --count 2048)
  s2=$(run $BIN generate --model "$file" --seeds 0-2047 --batch 16 --out "$out/x")
  [ -n "$BASE" ] && b2=$(run $BASE generate --model "$file" --seeds 0-2047 --batch 16 --out "$out/x")
  t2=$(run env OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench/bench_torch.py --model "$file" --batch 16 --write-pngs "$out/x" --count 2048)
  rm -rf "$out"
  sb=$(best "$s1" "$s2"); tb=$(best "$t1" "$t2")
  printf "%-10s %5s %14.2f %14.2f %6.2fx   (generate, 2,048 PNGs, whole process: %.1f s against %.1f s)\n" \
    "64px-png" 16 "$(echo "2048 / $sb" | bc -l)" "$(echo "2048 / $tb" | bc -l)" "$(echo "$tb / $sb" | bc -l)" "$sb" "$tb"
  if [ -n "$BASE" ]; then
    bb=$(best "$b1" "$b2")
    printf "%-10s %5s %14.2f %14s %6.2fx   (the base binary's generate, same run: %.1f s)\n" \
      "base-png" 16 "$(echo "2048 / $bb" | bc -l)" "" "$(echo "$tb / $bb" | bc -l)" "$bb"
  fi
fi
