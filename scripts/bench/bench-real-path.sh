#!/usr/bin/env bash
# The real path on one machine, timed: a config-f 1024 px generator and anycost-gan's CelebA
# ResNet-50 predictor layout, both with random weights in the real files' layouts
# (tools/bench/make_random_model.py, tools/fixtures/make_resnet_fixtures.py full): the sampling cost with and
# without the early stop at the predictor's 256 px (`sc2gan bench --predictor`, timed
# alternately in one process), then `directions fit` and `correct` end to end on a small dense
# set, with their wall times. Random weights make the attributes meaningless; the point is the
# cost and that every stage runs on the real layouts.
#   bash scripts/bench/bench-real-path.sh          # SAMPLES=100 dense samples
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
swift build -c release --product sc2gan 2>&1 | grep -E "error|warning: " | grep -v "prohibited flag" || true
BIN=${BENCH_BIN:-.build/release/sc2gan}
source scripts/lib/blas-kernel.sh
blas_kernel "$BIN"
/usr/bin/python3 -c "import torch, torchvision" 2>/dev/null || { echo "bench-real-path: installing python3-torchvision" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-torchvision python3-numpy >/dev/null; }
mkdir -p .cache
M=.cache/configf-1024.safetensors
P=.cache/resnet-bench/attribute_predictor.pt
[ -f $M ] || /usr/bin/python3 tools/bench/make_random_model.py --resolution 1024 --out $M >/dev/null
[ -f $P ] || /usr/bin/python3 tools/fixtures/make_resnet_fixtures.py full --images Tests/SC2EngineTests/Fixtures/resnet --out .cache/resnet-bench >/dev/null
SAMPLES=${SAMPLES:-100}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
CACHE=${CACHE:-.cache/real-path}   # the dense samples (and the early-stop verdict), kept for reruns
echo "== sampling cost, config-f 1024 + ResNet-50 @256 (2 images a batch, alternating)"
"$BIN" bench --model $M --predictor $P --batch 2 --iterations 1 --gemm-size 512 | grep -E "BLAS|generation|sampling"
t() { local t0; t0=$(date +%s.%N); "$@"; /usr/bin/python3 -c "import sys; print(f'   {float(sys.argv[2]) - float(sys.argv[1]):.0f} s')" "$t0" "$(date +%s.%N)"; }
echo "== directions fit --samples $SAMPLES (the early-stop check, then sampling)"
t "$BIN" directions fit --model $M --predictor $P --attribute Eyeglasses --samples "$SAMPLES" --cache "$CACHE" --out "$tmp/eyeglasses.json"
echo "== correct --samples $SAMPLES (rows given, 16 rare samples, closed-form re-projection)"
t "$BIN" correct --model $M --predictor $P --attribute Eyeglasses --samples "$SAMPLES" --cache "$CACHE" \
  --rows 4-5 --rare 16 --max-rare 16 --refine-steps 0 --out "$tmp/dirs"
ls "$tmp/dirs"
