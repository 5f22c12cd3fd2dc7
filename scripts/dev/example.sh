#!/usr/bin/env bash
# sc2gan as a library other packages depend on (run by CI):
# 1. Examples/FaceEdit, which depends on sc2gan by path, builds and runs: a face walked along a
#    shipped direction, written as a PNG, with the classifier's scores at both ends.
# 2. The same product taken as a versioned dependency (a tagged clone of this checkout, by URL):
#    SwiftPM refuses a versioned dependency whose product's targets carry `unsafeFlags`, and it
#    decides that when it loads the package graph, which `show-dependencies` does.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/setup.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

(cd Examples/FaceEdit && swift build -c release 2>&1 | grep -E "error:" || true)
bin=$(cd Examples/FaceEdit && swift build -c release --show-bin-path)/FaceEdit
[ -x "$bin" ] || { echo "example: Examples/FaceEdit did not build" >&2; exit 1; }
"$bin" assets 7 age sc2 "$out/age.png"
[ -s "$out/age.png" ] || { echo "example: no picture written" >&2; exit 1; }
echo "example: Examples/FaceEdit built by path and wrote a picture"

git clone -q . "$out/sc2gan"
git -C "$out/sc2gan" -c user.name=ci -c user.email=ci@localhost tag 0.0.0-ci
mkdir -p "$out/consumer/Sources/Consumer"
cat > "$out/consumer/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "Consumer", platforms: [.macOS(.v15)],
    dependencies: [.package(url: "file://$out/sc2gan", exact: "0.0.0-ci")],
    targets: [.executableTarget(name: "Consumer", dependencies: [.product(name: "SC2Engine", package: "sc2gan")])])
SWIFT
echo 'import SC2Engine' > "$out/consumer/Sources/Consumer/main.swift"
(cd "$out/consumer" && swift package show-dependencies >/dev/null)
echo "example: SC2Engine resolves as a versioned dependency"
