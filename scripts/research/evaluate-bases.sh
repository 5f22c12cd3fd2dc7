#!/usr/bin/env bash
# The base-method table of docs/EVALUATION.md: InterFaceGAN's SVM, class means and class-pca (the
# PCA of InterFaceGAN's classes, which the table calls "ganspace": its name until 2026-12-07; the
# committed fits under that name are stamped base=ganspace and are fitted again), each fitted
# RESTARTS times on the shipped FaceWorld generator, conditioned and SC²-corrected with itself,
# then judged on the test split by FaceWorld's judge, in one table (methods read BASE/METHOD).
# Resumable (fits in OUT/fits, rows in OUT/rows). The SVM's fits are shared with
# scripts/research/evaluate-testbeds.sh when OUT/../shipped/fits exists.
#
#   RESTARTS=2 OUT=eval/bases bash scripts/research/evaluate-bases.sh
#
# Cost on 2 cores: about 10 minutes of fitting per base and restart, then the judging.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
swift build -c release --product sc2gan 2>&1 | tail -n 1
B=.build/release/sc2gan
RESTARTS=${RESTARTS:-2}
OUT=${OUT:-eval/bases}
COUNT=${COUNT:-150}
ARGS="--pairs age:eyeglasses,lipstick:long_hair --methods original,conditional,sc2"
mkdir -p "$OUT/fits"
shipped="$(dirname "$OUT")/shipped/fits"
for r in $(seq 0 $((RESTARTS - 1))); do
  [ -d "$shipped/restart-$r" ] && [ ! -e "$OUT/fits/restart-$r" ] && ln -sfn "$(cd "$shipped/restart-$r" && pwd)" "$OUT/fits/restart-$r"
done
# Fits one restart at a time (an interrupted run keeps whole restarts), then the table.
for k in $(seq 1 "$RESTARTS"); do
  $B evaluate --fit-only --restarts "$k" --bases interfacegan,class-mean,class-pca $ARGS --out "$OUT"
done
$B evaluate --split test --restarts "$RESTARTS" --bases interfacegan,class-mean,class-pca $ARGS --count "$COUNT" --out "$OUT"
