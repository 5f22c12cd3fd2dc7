// swift-tools-version:6.0
import PackageDescription

// Checks stay on wherever bytes from a file are read or interpreted. Only the tensor kernels
// (Tensor: GEMM, convolutions, epilogues; sizes fixed by the engine, never by a file) drop
// bounds and overflow checks. The engine is optimised in every build, tests included, so that
// the parity tests run in seconds rather than minutes, but keeps Swift's checks.
let kernels: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"])]
let checkedButFast: [SwiftSetting] = [.unsafeFlags(["-O"])]

var targets: [Target] = [
    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                   providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CNcurses", path: "Sources/CNcurses", pkgConfig: "ncursesw",
                   providers: [.apt(["libncursesw5-dev"])]),
    .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                   providers: [.apt(["libpng-dev"])]),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                   providers: [.apt(["zlib1g-dev"])]),
    // The area-average resize (torch's adaptive average pooling), written once for the tensor
    // batches, 8-bit pictures and the terminal canvas; depends on nothing, so that TerminalUI
    // need not link OpenBLAS through Tensor.
    .target(name: "Resampling", swiftSettings: checkedButFast),
    .target(name: "Tensor", dependencies: ["CBLAS", "Resampling"], swiftSettings: kernels),
    .target(name: "SC2Engine",
            dependencies: ["Tensor", "Resampling", "CPNG", "CZlib"],
            swiftSettings: checkedButFast),
    // Pure drawing model (layout, colours, half-block canvas, the surface protocol, an
    // in-memory surface); the ncurses backend is TerminalCurses.
    .target(name: "TerminalUI", dependencies: ["Resampling"]),
    .target(name: "TerminalCurses", dependencies: ["TerminalUI", "CNcurses"]),
    // The explorer: state, directions store, worker, renderer, export. Draws on any
    // TerminalSurface; knows nothing of ncurses or the command line.
    .target(name: "SC2Explorer", dependencies: ["SC2Engine", "Tensor", "TerminalUI"], swiftSettings: checkedButFast),
    .executableTarget(name: "sc2gan",
                      dependencies: ["SC2Engine", "SC2Explorer", "TerminalUI", "TerminalCurses",
                                     .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    .testTarget(name: "TensorTests", dependencies: ["Tensor", "Resampling"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "SC2EngineTests", dependencies: ["SC2Engine"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
    .testTarget(name: "TerminalCursesTests", dependencies: ["TerminalCurses", "TerminalUI", "CNcurses"]),
    .testTarget(name: "SC2ExplorerTests", dependencies: ["SC2Explorer", "SC2Engine", "TerminalUI"]),
    .testTarget(name: "CLITests", dependencies: ["sc2gan", "SC2Engine"]),
]

// The libFuzzer harness (scripts/fuzz.sh): libFuzzer supplies main(), so the target exists only
// in the fuzzing build, `SC2GAN_FUZZ=1 swift build -Xswiftc -sanitize=fuzzer,address ...`.
// The entry points it calls live in SC2Engine (`FuzzTargets`) and are replayed by the tests.
if Context.environment["SC2GAN_FUZZ"] == "1" {
    targets.append(.executableTarget(name: "sc2gan-fuzz", dependencies: ["SC2Engine"],
                                     path: "Fuzz/sc2gan-fuzz",
                                     swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}

let package = Package(
    name: "sc2gan",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sc2gan", targets: ["sc2gan"]),
        .library(name: "SC2Engine", targets: ["SC2Engine"]),
    ],
    dependencies: [
        // Pinned to the version the tests ran with (an application pins what it ships).
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: targets,
    swiftLanguageModes: [.v5]
)
