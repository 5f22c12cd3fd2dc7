#!/usr/bin/env bash
# The AVX-512 element-wise kernels (Sources/SIMDKernels) of another revision against the working
# tree's (and the AVX2 instances of the FIR and the wide output transform), side by side in one
# process on the same in-cache inputs (kernels-harness.c): what a
# kernel change does to the kernel itself, free of the memory traffic and of the machine's noise
# that the end-to-end benchmarks carry. Needs an AVX-512 CPU.
#   BASE_REV=HEAD~1 bash scripts/bench/bench-kernels.sh        (default: HEAD)
#   WIDTHS="64 32" TRIALS=7 BASE_REV=<commit> bash scripts/bench/bench-kernels.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! grep -qw avx512f /proc/cpuinfo; then
  echo "bench-kernels.sh: this CPU has no AVX-512; the kernels it times are the AVX-512 instances" >&2
  exit 2
fi
rev=${BASE_REV:-HEAD}
git rev-parse --verify --quiet "$rev^{commit}" >/dev/null || { echo "bench-kernels.sh: no such revision: $rev" >&2; exit 2; }
cc=${CC:-clang}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/base" "$work/new"
for f in wide16.c wide8.c wino4_body.h; do
  git show "$rev:Sources/SIMDKernels/$f" > "$work/base/$f"
  cp "Sources/SIMDKernels/$f" "$work/new/$f"
done
# SwiftPM builds the C target with -O2 in release.
for side in base new; do
  "$cc" -O2 -c -ISources/SIMDKernels/include -I"$work/$side" "$work/$side/wide16.c" -o "$work/$side.16.o"
  "$cc" -O2 -c -ISources/SIMDKernels/include -I"$work/$side" "$work/$side/wide8.c" -o "$work/$side.8.o"
  ld -r "$work/$side.16.o" "$work/$side.8.o" -o "$work/$side.o"
  nm "$work/$side.o" | awk -v p="${side}_" '$2 == "T" { print $3, p $3 }' > "$work/$side.map"
  objcopy --redefine-syms="$work/$side.map" "$work/$side.o"
done
"$cc" -O2 -ISources/SIMDKernels/include scripts/bench/kernels-harness.c "$work/base.o" "$work/new.o" -o "$work/harness"
echo "base: $rev ($(git rev-parse --short "$rev")), new: the working tree; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for w in ${WIDTHS:-64 32}; do
  "$work/harness" "$w" "${TRIALS:-7}"
done
