#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, parity against the PyTorch
# reference fixtures, CLI end-to-end and the tmux-driven explorer tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# The NumPy interop and SeFa tests load sc2gan's files with Debian's numpy; the converter and
# external-scorer tests run tools/ scripts that need Debian's torch and torchvision (sc2gan itself needs no Python).
SETUP_EXTRA="python3-numpy python3-torch python3-torchvision" source scripts/setup.sh
# Optimised, with @testable imports allowed: the package sets no compiler flags of its own, and
# the parity tests would take minutes unoptimised. In a build folder of its own, so that the
# release build of scripts/explore.sh (without -enable-testing) is not rebuilt each time.
build=(-c release -Xswiftc -enable-testing --scratch-path .build-test)
# The tests link OpenBLAS directly, so its kernel is chosen before they start: the binary (built
# here; `swift test` reuses the build) says which one suits this CPU (docs/PERFORMANCE.md).
rm -f .build-test/release/sc2gan
swift build "${build[@]}" --product sc2gan 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Build|Merging)' || true
[ -x .build-test/release/sc2gan ] || { echo "build failed" >&2; exit 1; }
source scripts/lib/blas-kernel.sh
blas_kernel .build-test/release/sc2gan
log=$(mktemp)
set +e
swift test "${build[@]}" --disable-swift-testing 2>&1 | tee "$log" | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Build|Merging)'
status=${PIPESTATUS[0]}
set -e
# One plain closing line with XCTest's totals; skipped tests are named, never counted as passed.
summary=$(grep -E "Executed [0-9]+ tests?, with " "$log" | tail -n 1)
skipped_names=$(grep -E "^Test Case '.*' skipped" "$log" | sed -E "s/^Test Case '([^']*)' skipped.*/\1/" | sort -u || true)
# XCTest's totals count failed assertions; the closing line counts failed tests.
failed_tests=$(grep -cE "^Test Case '.*' failed" "$log" || true)
rm -f "$log"
if [[ $summary =~ Executed\ ([0-9]+)\ tests?,\ with\ (([0-9]+)\ tests?\ skipped\ and\ )?([0-9]+)\ failure ]]; then
  total=${BASH_REMATCH[1]}; skipped=${BASH_REMATCH[3]:-0}; failed=$failed_tests
  [ "${BASH_REMATCH[4]}" -gt 0 ] && [ "$failed" -eq 0 ] && failed=1   # a failure outside any test case
  echo "$((total - skipped - failed)) passed, $skipped skipped, $failed failed"
  [ -n "$skipped_names" ] && echo "skipped: $(echo $skipped_names)"
fi
exit "$status"
