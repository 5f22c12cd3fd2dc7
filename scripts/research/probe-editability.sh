#!/usr/bin/env bash
# Is a generator's W editable? A 30-second probe for candidate FaceWorld generators, before the
# minutes of a full correction: fits the original and conditional directions for age and
# lipstick on 6,000 samples and evaluates them on 60 held-out seeds. An editable W shows
# Δtarget spread under 0.5 (seeds move gradually), other leakage well under 0.2 and a conditional
# leakage far below the original's; a clustered W shows Δtarget ± 0.50 (every seed stays or flips
# whole) and other leakage near 0.4 for both. Usage:
#   bash scripts/research/probe-editability.sh MODEL [OUT_DIR]
# When the model is a snapshot of a --lin-weight run (lin_head.pt beside it), the head's normals,
# the directions that run trains G to follow, are evaluated too (rows "head normal"; the head as
# last saved, so for an older snapshot of a running run only roughly its own).
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:?usage: scripts/research/probe-editability.sh MODEL [OUT_DIR]}
out=${2:-$(mktemp -d)}
[ -x .build/release/sc2gan ] || swift build -c release >/dev/null
B=.build/release/sc2gan
source scripts/lib/blas-kernel.sh
blas_kernel "$B"
mkdir -p "$out/dirs"
for pair in age:eyeglasses lipstick:long_hair; do
  target=${pair%%:*}; correlated=${pair##*:}
  $B directions fit --model "$model" --samples 6000 --attribute "$target" --out "$out/dirs/$target.interfacegan.json" >/dev/null
  $B directions fit --model "$model" --samples 6000 --attribute "$target" --conditions "$correlated" \
    --out "$out/dirs/$target.conditional.json" >/dev/null
  printf '%s: original direction validation accuracy %s\n' "$target" \
    "$(grep -o '"validation_accuracy" : "[0-9.]*"' "$out/dirs/$target.interfacegan.json" | grep -o '[0-9.]*"$' | tr -d '"')"
done
$B evaluate --model "$model" --directions "$out/dirs" --pairs age:eyeglasses,lipstick:long_hair --count 60 \
  --methods original,conditional --out "$out/eval" 2>/dev/null
head="$(dirname "$model")/lin_head.pt"
if [ -f "$head" ] && [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 tools/research/head_directions.py --head "$head" --like "$out/dirs/age.interfacegan.json" --out "$out/head"
  $B evaluate --model "$model" --directions "$out/head" --pairs age:eyeglasses,lipstick:long_hair --count 60 \
    --methods original --out "$out/head-eval" 2>/dev/null | sed -n '2,3p' | sed 's/original   /head normal/'
fi
