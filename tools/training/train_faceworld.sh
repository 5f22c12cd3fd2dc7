#!/usr/bin/env bash
# Rebuilds FaceWorld's training data and (re)starts generator training in the background,
# resuming from .train/gan/state.pt when present, else from the committed compact pack
# assets/training/faceworld-resume.safetensors (fp16 G/G_ema/G_long/D; optimiser state reset).
# Environment: PRESET (the FaceWorld preset the data is drawn from, biased; strong for the
# paper's regime), RUN (run folder, .train/gan), MINUTES (stop after so long, 0: no limit), NICE
# (5), RESUME_PACK (empty: start from scratch), KIMG, THREADS,
# MAPPING_LAYERS (new runs only), MIX_PROB, PL_WEIGHT, LR, SNAP_KIMG, STAT_WEIGHT (> 0: feature matching on a
# teacher classifier, rendered and trained here first when missing; see tools/training/train_generator.py), STAT_CELLS
# (moments or chi2), LIN_WEIGHT (> 0: linear separability of W; see tools/training/train_generator.py), LIN_SHARPEN, LIN_ORTHO, LIN_EDIT.
# Log: .train/gan/train.out. Refresh the pack before a session ends:
#   /usr/bin/python3 tools/training/train_generator.py --run .train/gan --pack assets/training/faceworld-resume.safetensors
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x .build/release/sc2gan ] || swift build -c release
PRESET=${PRESET:-biased}
if [ ! -f ".train/data/faceworld-$PRESET.images.npy" ]; then
  .build/release/sc2gan faceworld render --preset "$PRESET" --count 60000 --seed 1 --out ".train/data/faceworld-$PRESET"
fi
if { [ "${STAT_WEIGHT:-0}" != "0" ] || [ "${LIN_WEIGHT:-0}" != "0" ]; } && [ ! -f .train/teacher/teacher.safetensors ]; then
  .build/release/sc2gan faceworld render --preset independent --count 30000 --seed 12 --out .train/data/teach-train
  .build/release/sc2gan faceworld render --preset independent --count 3000 --seed 13 --out .train/data/teach-test
  mkdir -p .train/teacher
  /usr/bin/python3 tools/training/train_classifier.py --train .train/data/teach-train --test .train/data/teach-test \
    --test-biased none --epochs 2 --seed 1 --out .train/teacher/teacher.safetensors
fi
source scripts/lib/blas-kernel.sh
blas_kernel .build/release/sc2gan
export OPENBLAS_NUM_THREADS=1
RUN=${RUN:-.train/gan}
mkdir -p "$RUN"
nohup nice -n "${NICE:-5}" /usr/bin/python3 tools/training/train_generator.py --data ".train/data/faceworld-$PRESET" --run "$RUN" \
  --minutes "${MINUTES:-0}" \
  --resume-pack "${RESUME_PACK-assets/training/faceworld-resume.safetensors}" \
  --kimg "${KIMG:-400}" --threads "${THREADS:-2}" --mapping-layers "${MAPPING_LAYERS:-8}" --mix-prob "${MIX_PROB:-0.5}" --pl-weight "${PL_WEIGHT:-2}" \
  --lr "${LR:-0.002}" --stat-weight "${STAT_WEIGHT:-0}" --stat-cells "${STAT_CELLS:-moments}" --lin-weight "${LIN_WEIGHT:-0}" --lin-sharpen "${LIN_SHARPEN:-1}" --lin-ortho "${LIN_ORTHO:-0}" --lin-edit "${LIN_EDIT:-0}" --snap-kimg "${SNAP_KIMG:-10}" >> "$RUN/train.out" 2>&1 &
echo "training in the background (pid $!); tail -f $RUN/train.out"
