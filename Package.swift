// swift-tools-version:6.0
import PackageDescription

// No target sets compiler flags of its own (`unsafeFlags` would stop any other package from
// depending on this one): every target keeps Swift's bounds and overflow checks, and the tensor
// kernels drop them only where they say so, with unchecked arithmetic over unsafe buffer
// pointers whose extents the engine fixes (never a file). The optimisation level is the build
// configuration's: `swift build -c release`; the tests run in release too (scripts/test.sh), so
// that the parity tests take seconds rather than minutes.

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
    .target(name: "Resampling"),
    // The element-wise kernels that need AVX2 or AVX-512 (C: Swift has no per-function target
    // features, and -march would need unsafeFlags); chosen at run time, the Swift kernels the baseline.
    .target(name: "SIMDKernels"),
    .target(name: "Tensor", dependencies: ["CBLAS", "Resampling", "SIMDKernels"]),
    .target(name: "SC2Engine",
            dependencies: ["Tensor", "Resampling", "CPNG", "CZlib"]),
    // The fuzzing entry points (`FuzzTargets`): the libFuzzer harness and the tests call them;
    // in no product, so the SC2Engine library does not ship them.
    .target(name: "SC2Fuzzing", dependencies: ["SC2Engine", "Tensor"]),
    // Pure drawing model (layout, colours, half-block canvas, the surface protocol, an
    // in-memory surface); the ncurses backend is TerminalCurses.
    .target(name: "TerminalUI", dependencies: ["Resampling"]),
    .target(name: "TerminalCurses", dependencies: ["TerminalUI", "CNcurses"]),
    // The explorer: state, directions store, worker, renderer, export. Draws on any
    // TerminalSurface; knows nothing of ncurses or the command line.
    .target(name: "SC2Explorer", dependencies: ["SC2Engine", "Tensor", "TerminalUI"]),
    .executableTarget(name: "sc2gan",
                      dependencies: ["SC2Engine", "SC2Explorer", "TerminalUI", "TerminalCurses",
                                     .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    .testTarget(name: "TensorTests", dependencies: ["Tensor", "Resampling"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "SC2EngineTests", dependencies: ["SC2Engine", "SC2Fuzzing"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
    .testTarget(name: "TerminalCursesTests", dependencies: ["TerminalCurses", "TerminalUI", "CNcurses"]),
    .testTarget(name: "SC2ExplorerTests", dependencies: ["SC2Explorer", "SC2Engine", "TerminalUI"]),
    .testTarget(name: "CLITests", dependencies: ["sc2gan", "SC2Engine"]),
]

// The libFuzzer harness (scripts/dev/fuzz.sh): libFuzzer supplies main(), so the target exists only
// in the fuzzing build, `SC2GAN_FUZZ=1 swift build -Xswiftc -sanitize=fuzzer,address ...`.
// The entry points it calls live in SC2Fuzzing (`FuzzTargets`) and are replayed by the tests.
if Context.environment["SC2GAN_FUZZ"] == "1" {
    targets.append(.executableTarget(name: "sc2gan-fuzz", dependencies: ["SC2Fuzzing"],
                                     path: "Fuzz/sc2gan-fuzz",
                                     swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}

let package = Package(
    name: "sc2gan",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sc2gan", targets: ["sc2gan"]),
        .library(name: "SC2Engine", targets: ["SC2Engine"]),
    ],
    dependencies: [
        // Pinned to the version the tests ran with (an application pins what it ships).
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)
