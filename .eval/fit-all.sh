#!/usr/bin/env bash
# Fits of both testbeds, one restart at a time, alternating (each call reuses the restarts done).
set -u
B=/tmp/sc2gan-eval
export OPENBLAS_CORETYPE=SkylakeX
S="--pairs age:eyeglasses,lipstick:long_hair --methods original,conditional,sc2,sc2-dense-only,sc2-no-reprojection,sc2-closed-form --doses 0,10,25,50,100,200,400"
I="--model assets/testbeds/interim-100kimg/generator.safetensors --pairs age:eyeglasses,lipstick:long_hair --methods original,conditional,sc2,sc2-dense-only,sc2-no-reprojection,sc2-closed-form --doses 0,10,25,50,100,200,400"
for k in 1 2 3 4 5; do
  echo "=== shipped restarts $k $(date)"; $B evaluate --fit-only --restarts $k $S --out .eval/shipped
  echo "=== interim restarts $k $(date)"; $B evaluate --fit-only --restarts $k $I --out .eval/interim
done
echo "=== all done $(date)"
