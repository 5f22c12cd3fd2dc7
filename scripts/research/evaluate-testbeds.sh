#!/usr/bin/env bash
# The evaluation of docs/EVALUATION.md: every method fitted RESTARTS times on disjoint dense blocks of both
# testbeds (the shipped FaceWorld generator and the unshaped interim one), then judged on the
# test split by FaceWorld's judge. Resumable: rerun it after an interruption and it continues
# (fits in OUT/<testbed>/fits, rows in OUT/<testbed>/rows).
#
#   RESTARTS=3 OUT=eval bash scripts/research/evaluate-testbeds.sh
#
# Cost on 2 cores: about 15 minutes of fitting per restart and testbed for the main methods,
# 10 more for the shipped testbed's ablations (restart 0 only), then the judging.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
swift build -c release --product sc2gan 2>&1 | tail -n 1
B=.build/release/sc2gan
RESTARTS=${RESTARTS:-5}
OUT=${OUT:-eval}
COUNT=${COUNT:-150}
PAIRS="age:eyeglasses,lipstick:long_hair"
MAIN="--pairs $PAIRS --methods original,conditional,sc2,sc2-dense-only,sc2-conditional --doses 0,10,25,50,100,200,400"
ABL="--pairs $PAIRS --methods original,conditional,sc2,sc2-dense-only,sc2-no-reprojection,sc2-closed-form"
INTERIM="--model assets/testbeds/interim-100kimg/generator.safetensors"

# 1. Fits, one restart at a time for both testbeds (an interrupted run keeps whole restarts).
$B evaluate --fit-only --restarts 1 $ABL --out "$OUT/shipped"
for k in $(seq 1 "$RESTARTS"); do
  $B evaluate --fit-only --restarts "$k" $MAIN --out "$OUT/shipped"
  $B evaluate --fit-only --restarts "$k" $INTERIM $MAIN --out "$OUT/interim"
done

# 2. The tables on the test split, judged by FaceWorld's judge.
for tb in shipped interim; do
  extra=""; [ "$tb" = interim ] && extra="$INTERIM"
  $B evaluate --split test --restarts "$RESTARTS" $extra $MAIN --count "$COUNT" --out "$OUT/$tb"
  # Removing the attribute and other target levels (first fit; its fits are reused).
  mkdir -p "$OUT/$tb-levels/fits" && ln -sfn "$(cd "$OUT/$tb/fits" && pwd)/restart-0" "$OUT/$tb-levels/fits/restart-0"
  $B evaluate --split test --restarts 1 $extra --pairs $PAIRS --methods original,conditional,sc2 \
     --levels 0.25,0.5,0.75,0.9 --sides add,remove --count "$COUNT" --out "$OUT/$tb-levels"
done
# 3. The ablations (first fit of the shipped testbed).
mkdir -p "$OUT/shipped-ablations/fits" && ln -sfn "$(cd "$OUT/shipped/fits" && pwd)/restart-0" "$OUT/shipped-ablations/fits/restart-0"
$B evaluate --split test --restarts 1 $ABL --count "$COUNT" --out "$OUT/shipped-ablations"
