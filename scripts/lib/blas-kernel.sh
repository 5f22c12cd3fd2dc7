# Sourced, not run: `source scripts/lib/blas-kernel.sh; blas_kernel BIN`.
# OpenBLAS picks its kernel when it loads, and on VMs that hide the CPU model it picks a slow one.
# Which kernel suits this CPU is decided in one place, the sc2gan binary (`sc2gan kernel
# --recommended` prints an OPENBLAS_CORETYPE name such as SkylakeX, or nothing when it knows no
# better than OpenBLAS); scripts ask it rather than reading /proc/cpuinfo themselves. sc2gan
# itself needs none of this (it re-executes itself with the right kernel); it matters for what
# else a script runs against OpenBLAS: the XCTest process, torch, several processes at once.
#
# blas_kernel BIN: exports OPENBLAS_CORETYPE=<what BIN recommends>, unless OPENBLAS_CORETYPE is
# already set (the user's choice wins) or BIN recommends nothing. A BIN that cannot answer (an
# older build without the subcommand) leaves OpenBLAS to choose, with one line on stderr.
blas_kernel() {
  local bin=${1:?blas_kernel: the sc2gan binary to ask}
  [ -n "${OPENBLAS_CORETYPE:-}" ] && return 0
  local recommended
  if ! recommended=$("$bin" kernel --recommended 2>/dev/null </dev/null); then
    echo "blas-kernel: '$bin kernel --recommended' failed; OpenBLAS chooses its own kernel" >&2
    return 0
  fi
  recommended=${recommended#"${recommended%%[![:space:]]*}"}    # trim
  recommended=${recommended%"${recommended##*[![:space:]]}"}
  if [ -z "$recommended" ]; then return 0; fi
  if [[ ! $recommended =~ ^[A-Za-z0-9_]+$ ]]; then
    echo "blas-kernel: ignoring '$bin kernel --recommended' output '$recommended'" >&2
    return 0
  fi
  export OPENBLAS_CORETYPE="$recommended"
}
