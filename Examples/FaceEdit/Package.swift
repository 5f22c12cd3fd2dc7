// swift-tools-version:6.0
import PackageDescription

// A package that uses sc2gan as a library: it depends on the SC2Engine product by path, as a
// package elsewhere would by URL and version (SwiftPM refuses `unsafeFlags` in such a
// dependency: sc2gan sets none).
let package = Package(
    name: "FaceEdit",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "sc2gan", path: "../..")],
    targets: [
        .executableTarget(name: "FaceEdit", dependencies: [.product(name: "SC2Engine", package: "sc2gan")]),
    ]
)
