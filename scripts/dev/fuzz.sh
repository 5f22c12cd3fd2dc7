#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of every reader of untrusted files.
#   bash scripts/dev/fuzz.sh                  # every target, 600 s each
#   SECONDS_PER_TARGET=30 bash scripts/dev/fuzz.sh png npy
# Builds .build-fuzz/release/sc2gan-fuzz, seeds each target's working corpus (.cache/fuzz/T/corpus)
# from the valid fixtures and the committed regression inputs (Tests/SC2EngineTests/Fixtures/fuzz/T),
# runs it, and prints one line per target: executions, seconds, corpus size, findings. A finding
# (crash, leak, timeout, out-of-memory) is saved as .cache/fuzz/T/crash-* and fails the script;
# copy it into Tests/SC2EngineTests/Fixtures/fuzz/T/ once fixed, so the tests replay it.
set -euo pipefail
cd "$(dirname "$0")/../.."
SETUP_EXTRA=unzip source scripts/setup.sh
seconds=${SECONDS_PER_TARGET:-600}
all=(safetensors zip unpickler generator classifier predictor predictor-config direction png npy npz labels latents-pt direction-pt direction-npz)
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
SC2GAN_FUZZ=1 swift build -c release --scratch-path .build-fuzz --product sc2gan-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -g 2>&1 | grep -E "error|warning: " | grep -v "prohibited flag" || true
bin=.build-fuzz/release/sc2gan-fuzz
[ -x "$bin" ] || { echo "fuzz: build failed" >&2; exit 1; }
fx=Tests/SC2EngineTests/Fixtures

seed() {  # seed TARGET DIR: the valid (and known-bad) inputs a target starts from
  local t=$1 d=$2
  case $t in
    safetensors) cp $fx/checkpoints/*.safetensors $fx/parity/nv16_clamp.safetensors "$d"/ ;;
    zip)         cp $fx/checkpoints/*.pt $fx/fuzz-seeds/npz/*.npz "$d"/ ;;
    unpickler)   for f in $fx/checkpoints/*.pt $fx/parity/ros16.pt; do
                   unzip -p "$f" '*/data.pkl' > "$d/$(basename "$f" .pt).pkl" 2>/dev/null || true; done ;;
    generator)   cp $fx/checkpoints/generator_* $fx/parity/nv16_clamp.safetensors $fx/parity/ros16.pt "$d"/ ;;
    classifier)  cp $fx/fuzz-seeds/classifier/*.safetensors "$d"/ ;;
    predictor)   cp $fx/fuzz-seeds/predictor/* "$d"/ ;;
    predictor-config) cp $fx/fuzz-seeds/predictor-config/* $fx/resnet/*.json "$d"/ 2>/dev/null || true ;;
    direction)   cp assets/faceworld/directions/age.*.json assets/faceworld/directions/smile.sc2.json "$d"/ ;;
    png)         cp $fx/fuzz-seeds/png/*.png "$d"/ ;;
    npy)         cp $fx/fuzz-seeds/npy/*.npy "$d"/ ;;
    npz)         cp $fx/fuzz-seeds/npz/*.npz "$d"/ ;;
    labels)      cp $fx/fuzz-seeds/labels/*.json "$d"/ ;;
    latents-pt|direction-pt|direction-npz) cp $fx/fuzz-seeds/$t/* "$d"/ ;;
  esac
  [ -d "$fx/fuzz/$t" ] && cp "$fx/fuzz/$t"/* "$d"/ 2>/dev/null || true
}

status=0
printf "%-12s %12s %8s %9s %9s  %s\n" target executions seconds "exec/s" corpus findings
for t in "${targets[@]}"; do
  work=.cache/fuzz/$t; mkdir -p "$work/corpus" "$work/seeds"
  rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*
  seed "$t" "$work/seeds"
  # Small memory limits: a reader that asks for more than it should is a finding (oom-*).
  SC2FUZZ_TARGET=$t SC2GAN_MEMORY_LIMIT_MB=256 ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
    "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=20 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$work/seeds" > "$work/log" 2>&1 || true
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$work/log" | grep -Eo '[0-9]+$' | tail -1)
  took=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$work/log" | grep -Eo 'in [0-9]+' | grep -Eo '[0-9]+' | tail -1)
  findings=$(ls "$work" | grep -cE '^(crash|leak|timeout|oom|slow-unit)-' || true)
  corpus=$(ls "$work/corpus" | wc -l)
  [ -n "$took" ] && [ "$took" -gt 0 ] && rate=$(( ${runs:-0} / took )) || rate=-
  printf "%-12s %12s %8s %9s %9s  %s\n" "$t" "${runs:-?}" "${took:-?}" "$rate" "$corpus" "$findings"
  if [ "$findings" != 0 ] || [ -z "$runs" ]; then status=1; echo "  see $work/log and $work/" >&2; fi
done
exit $status
