#!/usr/bin/env bash
# Installs sc2gan: builds release, then puts the binary in PREFIX/bin and its assets (FaceWorld's
# generator, classifier, judge, presets and directions; the testbeds) in PREFIX/share/sc2gan/assets,
# where the binary looks for them. PREFIX defaults to /usr/local.
#   bash scripts/install.sh                 # /usr/local/bin/sc2gan
#   bash scripts/install.sh "$HOME/.local"  # ~/.local/bin/sc2gan, no root needed for the copy
# Each part is copied beside its destination first and renamed into place, so an interrupted
# install leaves the previous one whole.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
source scripts/setup.sh
swift build -c release --product sc2gan 2>&1 | grep -E "error|warning: " || true
bin=$(swift build -c release --show-bin-path)/sc2gan
[ -x "$bin" ] || { echo "install: the build failed" >&2; exit 1; }

mkdir -p "$prefix/bin" "$prefix/share/sc2gan"
share="$prefix/share/sc2gan"
staging=$(mktemp -d "$share/.assets.XXXXXX")
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/assets"
cp -R assets/faceworld assets/testbeds "$staging/assets/"
chmod -R a+rX "$staging"
rm -rf "$share/assets.old"
[ -e "$share/assets" ] && mv "$share/assets" "$share/assets.old"
mv "$staging/assets" "$share/assets"
rm -rf "$share/assets.old"

install -m 0755 "$bin" "$prefix/bin/.sc2gan.new"
mv -f "$prefix/bin/.sc2gan.new" "$prefix/bin/sc2gan"
echo "installed $prefix/bin/sc2gan (assets in $share/assets)"
"$prefix/bin/sc2gan" kernel >/dev/null
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "note: $prefix/bin is not on PATH" ;; esac
