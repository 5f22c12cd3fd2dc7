#!/usr/bin/env bash
# The cost model behind `sc2gan slurm` (docs/SLURM.md, "Cost model"): seconds per
# dense sample and per re-projection (40 gradient steps) on ONE core (SC2GAN_THREADS=1) at 64,
# 256 and 1024 px, and what they predict for InterFaceGAN's 500,000 samples at 1024 px on 1, 16
# and 128 nodes. 64 px is the shipped FaceWorld generator with its classifier (sampling timed
# end to end with `sc2gan sample`); 256 and 1024 are config-f models with random weights
# (tools/bench/make_random_model.py), timed with `sc2gan bench` (generation only; scoring with a ResNet-50 is timed by bench-real-path.sh).
#   bash scripts/bench/bench-cost.sh                    # CORES_PER_NODE=32 for the prediction
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
swift build -c release --product sc2gan 2>&1 | grep -E "error|warning: " | grep -v "prohibited flag" || true
BIN=${BENCH_BIN:-.build/release/sc2gan}
mkdir -p .cache
source scripts/lib/blas-kernel.sh
blas_kernel "$BIN"
for m in 256 1024; do
  f=.cache/configf-$m.safetensors
  if [ ! -f "$f" ]; then
    /usr/bin/python3 -c "import torch" 2>/dev/null || { echo "bench-cost: installing python3-torch to make the random models" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy >/dev/null; }
    /usr/bin/python3 tools/bench/make_random_model.py --resolution "$m" --out "$f" >/dev/null
  fi
done
export SC2GAN_THREADS=1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s.%N)
"$BIN" sample --samples 2048 --out "$tmp/cache" >/dev/null 2>&1
t1=$(date +%s.%N)
sample64=$(/usr/bin/python3 -c "print(($t1 - $t0) / 2048)")
b64=$("$BIN" bench --batch 16 --iterations 4 --reproject-steps 4 --json)
b256=$("$BIN" bench --model .cache/configf-256.safetensors --batch 1 --iterations 2 --reproject-steps 2 --json)
b1024=$("$BIN" bench --model .cache/configf-1024.safetensors --batch 1 --iterations 2 --reproject-steps 1 --json)
/usr/bin/python3 - "$sample64" "$b64" "$b256" "$b1024" "${CORES_PER_NODE:-32}" <<'PY'
import json, math, sys
sample64 = float(sys.argv[1]); b = [json.loads(x) for x in sys.argv[2:5]]; cores = int(sys.argv[5])
print(f"measured on one core (SC2GAN_THREADS=1), BLAS kernel {b[0]['blas_kernel']}, GEMM peak {b[0]['gemm_peak_gflops']:.0f} GFLOPS")
print(f"{'model':<8} {'batch':>5} {'s/image':>9} {'s/sample':>9} {'reproj start s':>14} {'s/step':>8} {'s/reprojection (40)':>20}")
rows = {}
for x in b:
    gen = 1 / x["images_per_s"]
    samp = sample64 if x["model"] == "64" else gen
    rep = x["reproject_base_s"] + 40 * x["reproject_step_s"]
    rows[x["model"]] = (samp, rep, gen)
    print(f"{x['model'] + ' px':<8} {x['batch']:>5} {gen:>9.4f} {samp:>9.4f} {x['reproject_base_s']:>14.3f} {x['reproject_step_s']:>8.3f} {rep:>20.2f}")
print("(64 px s/sample: `sc2gan sample`, mapping + synthesis + classifier in batches of 32; 256/1024: generation only)")
# 500,000 samples at 1024 px (18 W+ rows), the correction's defaults (160 rare samples a round, at
# most 480: 3 rounds; 40 steps; rows by yield over windows of up to 4 rows, 32 sources a side, 3
# candidates each); yield 0.5 (FaceWorld measures 0.48-0.52).
gen, rep = rows["1024"][0], rows["1024"][1]
n, nw, want, rounds, rate = 500_000, 18, 80, 3, 0.5
fit_images = nw * (nw + 1) // 2 * 24 + sum(nw - k + 1 for k in range(1, 5)) * 2 * 32 * 3
side = min(rounds * (20 * want + 1), math.ceil(rounds * want / rate * 1.5) + 32)
units = 2 * math.ceil(side / 32)
unit_s = 32 * 3 * gen + 32 * rate * rep
sample_units = math.ceil(n / 256)
print(f"\n500,000 samples at 1024 px, {cores} cores per node, one array task per core, the fit on one node's cores:")
print(f"  sampling {n * gen / 3600:.1f} core-hours in {sample_units} units; fit {fit_images} images ({fit_images * gen / 3600:.1f} core-hours, one job);")
print(f"  synthesis {units} units of 32 sources ({unit_s / 3600:.2f} core-hours each, {units * unit_s / 3600:.1f} in all)")
print(f"{'nodes':>6} {'cores':>6} {'sampling h':>11} {'fit h':>7} {'synthesis h':>12} {'total h':>8}")
for nodes in (1, 16, 128):
    p = nodes * cores
    ts = math.ceil(sample_units / p) * 256 * gen / 3600
    tf = fit_images * gen / cores / 3600
    tu = math.ceil(units / p) * unit_s / 3600
    print(f"{nodes:>6} {p:>6} {ts:>11.2f} {tf:>7.2f} {tu:>12.2f} {ts + tf + tu:>8.2f}")
PY
