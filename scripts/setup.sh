#!/usr/bin/env bash
# Installs the Debian packages sc2gan needs, only those that are missing (run as root, or
# with sudo available). Swift itself must already be installed (swift.org toolchain, 6.0+).
set -euo pipefail
# Scripts that need more (the tests: python3-numpy, python3-torch, python3-torchvision; fuzzing: unzip) name it in SETUP_EXTRA.
need=(pkg-config libopenblas-dev libncursesw5-dev libpng-dev zlib1g-dev ncurses-term tmux ${SETUP_EXTRA:-})
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
  for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do [ -x "$d/swift" ] && export PATH="$d:$PATH"; done
fi
command -v swift >/dev/null 2>&1 || { echo "setup: Swift 6 is not installed (get it from swift.org, then rerun)" >&2; exit 1; }
