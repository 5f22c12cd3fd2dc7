// swift-tools-version:6.0
import PackageDescription

// Heavy numeric code: always optimise the engine, even in debug builds of the tests,
// so that the parity tests run in seconds rather than minutes.
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"])]

let package = Package(
    name: "sc2gan",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sc2gan", targets: ["sc2gan"]),
        .library(name: "SC2Engine", targets: ["SC2Engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .target(name: "Tensor", dependencies: ["CBLAS"], swiftSettings: fast),
        .target(name: "SC2Engine",
                dependencies: ["Tensor", "CPNG"],
                swiftSettings: fast),
        .target(name: "TerminalUI", dependencies: ["CNcurses"]),
        .executableTarget(name: "sc2gan",
                          dependencies: ["SC2Engine", "TerminalUI",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "SC2EngineTests", dependencies: ["SC2Engine"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
        .testTarget(name: "CLITests", dependencies: ["sc2gan", "SC2Engine"]),
    ],
    swiftLanguageModes: [.v5]
)
