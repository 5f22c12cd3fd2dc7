#!/usr/bin/env bash
# Attribute-predictor benchmark: sc2gan's TorchVisionResNet vs torchvision (Debian python3-torch
# and python3-torchvision, 2 threads) on the same random-weight anycost-layout resnet50
# (tools/fixtures/make_resnet_fixtures.py full: 80 outputs, 256 px, bilinear align_corners) and the same
# images, scored one at a time, interleaved so the ratio survives a noisy machine.
#   bash scripts/bench/bench-predictor.sh          # COUNT=16 images
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
/usr/bin/python3 -c "import torch, torchvision" 2>/dev/null || {
  echo "bench-predictor: installing python3-torchvision for the PyTorch side" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torchvision python3-numpy >/dev/null; }
swift build -c release --product sc2gan 2>&1 | grep -E "error|warning: " || true
BIN=${BENCH_BIN:-.build/release/sc2gan}
source scripts/lib/blas-kernel.sh
blas_kernel "$BIN"
COUNT=${COUNT:-16}
dir=.cache/resnet-bench
img=Tests/SC2EngineTests/Fixtures/resnet
[ -f $dir/attribute_predictor.pt ] || /usr/bin/python3 tools/fixtures/make_resnet_fixtures.py full --images $img --out $dir >/dev/null
images=(); for i in $(seq 0 $((COUNT - 1))); do n=(face_a face_b face_c); images+=("$img/${n[$((i % 3))]}.png"); done
# Swift: (time for COUNT images - time for 1) / (COUNT - 1), so loading the 95 MB file is not counted.
swift_rate() {
  local t0 t1 t2
  t0=$(date +%s.%N); $BIN score --predictor $dir/attribute_predictor.pt --image "${images[0]}" >/dev/null
  t1=$(date +%s.%N); $BIN score --predictor $dir/attribute_predictor.pt --image "${images[@]}" >/dev/null
  t2=$(date +%s.%N)
  /usr/bin/python3 -c "import sys; a,b,c=map(float,sys.argv[1:]); print(($COUNT-1)/((c-b)-(b-a)))" "$t0" "$t1" "$t2"
}
torch_rate() { OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/fixtures/make_resnet_fixtures.py bench --images $img --out $dir --count "$COUNT" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['images_per_s'])"; }
s1=$(swift_rate); t1=$(torch_rate); s2=$(swift_rate); t2=$(torch_rate)
/usr/bin/python3 - "$s1" "$s2" "$t1" "$t2" <<'PY'
import sys
s1, s2, t1, t2 = map(float, sys.argv[1:])
s, t = max(s1, s2), max(t1, t2)
print(f"resnet50 @256, 80 outputs, one image at a time: swift {s:.2f} img/s, torchvision {t:.2f} img/s, ratio {s / t:.2f}")
PY
