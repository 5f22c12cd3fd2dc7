import Foundation
import SC2Engine
import Tensor

/// Everything sc2gan takes from its surroundings (environment variables, the executable's path,
/// /proc), read once at start-up and handed to the libraries, which read none of it themselves.
/// Every variable here is in the README's environment table (a test checks).
struct Configuration: Sendable {
    /// The shipped assets, or why they were not found (reported when a command needs them).
    var assets: Result<Assets, SC2Error>
    /// Sample sets and other caches: $SC2GAN_CACHE, else $XDG_CACHE_HOME/sc2gan, else ~/.cache/sc2gan.
    var cacheDirectory: URL
    /// $SC2GAN_MEMORY_LIMIT_MB in bytes (nil: three quarters of the machine's memory).
    var memoryLimitBytes: Int?
    /// $SC2GAN_SCORER_TIMEOUT, checked when a scorer is started.
    var scorerTimeoutText: String?
    /// $SC2GAN_THREADS, $SC2GAN_CONV and $SC2GAN_SIMD.
    var kernel: KernelConfiguration
    /// $SC2GAN_CONV as given, when it is not a known algorithm (reported at start-up).
    var unknownConvolution: String?
    /// $SC2GAN_SIMD as given, when it is not sse, avx2 or avx512 (reported at start-up).
    var unknownVectorISA: String?
    /// $SC2GAN_EXPLORE_PREFETCH=0 turns the explorer's prefetch off.
    var explorePrefetch: Bool
    /// $SC2GAN_MALLOC=system keeps glibc's allocator defaults.
    var tuneMalloc: Bool

    init(environment env: [String: String], executable: URL?, workingDirectory: URL,
         home: URL = FileManager.default.homeDirectoryForCurrentUser) {
        assets = Self.findAssets(environment: env, executable: executable, workingDirectory: workingDirectory)
        if let p = env["SC2GAN_CACHE"], !p.isEmpty { cacheDirectory = URL(fileURLWithPath: p) }
        else if let x = env["XDG_CACHE_HOME"], !x.isEmpty { cacheDirectory = URL(fileURLWithPath: x).appendingPathComponent("sc2gan") }
        else { cacheDirectory = home.appendingPathComponent(".cache/sc2gan") }
        if let text = env["SC2GAN_MEMORY_LIMIT_MB"], let mb = Int(text), mb > 0 {
            memoryLimitBytes = mb.multipliedReportingOverflow(by: 1 << 20).overflow ? Int.max : mb << 20
        }
        scorerTimeoutText = env["SC2GAN_SCORER_TIMEOUT"].flatMap { $0.isEmpty ? nil : $0 }
        var kernel = KernelConfiguration()
        if let text = env["SC2GAN_THREADS"], let n = Int(text), n > 0 { kernel.workers = n }
        if let text = env["SC2GAN_CONV"], !text.isEmpty {
            if let algorithm = ConvolutionAlgorithm(rawValue: text) { kernel.convolution = algorithm } else { unknownConvolution = text }
        }
        if let text = env["SC2GAN_SIMD"], !text.isEmpty {
            if let isa = VectorISA(rawValue: text) { kernel.vectorLimit = isa } else { unknownVectorISA = text }
        }
        self.kernel = kernel
        explorePrefetch = env["SC2GAN_EXPLORE_PREFETCH"] != "0"
        tuneMalloc = env["SC2GAN_MALLOC"] != "system"
    }

    /// The process's own configuration, read on first use (at start-up, by `ProcessPolicy`).
    static let current = Configuration(environment: ProcessInfo.processInfo.environment,
                                       executable: ProcessPolicy.executablePath(),
                                       workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))

    /// The assets, or the one-line error saying where sc2gan looked.
    func requireAssets() throws -> Assets { try assets.get() }

    /// Seconds a scorer may take to start and to answer each batch.
    func scorerTimeout() throws -> Double {
        guard let text = scorerTimeoutText else { return ExternalScorer.defaultTimeout }
        guard let value = Double(text), value.isFinite, value > 0, value <= 86_400 else {
            throw SC2Error("SC2GAN_SCORER_TIMEOUT '\(text)' is not a number of seconds from 0 to 86400")
        }
        return value
    }

    /// Where sc2gan looks for its assets, in order: $SC2GAN_ASSETS; PREFIX/share/sc2gan/assets for
    /// a binary installed in PREFIX/bin (scripts/install.sh); an assets/ folder beside the binary
    /// or in a folder above it (a build under .build/ sits inside its checkout); the same from the
    /// working directory.
    static func assetCandidates(environment env: [String: String], executable: URL?, workingDirectory: URL) -> [URL] {
        if let dir = env["SC2GAN_ASSETS"], !dir.isEmpty { return [URL(fileURLWithPath: dir)] }
        var candidates: [URL] = []
        if let executable {
            let bin = executable.deletingLastPathComponent()
            candidates.append(bin.deletingLastPathComponent().appendingPathComponent("share/sc2gan/assets"))
            var dir = bin
            for _ in 0..<8 { candidates.append(dir.appendingPathComponent("assets")); dir = dir.deletingLastPathComponent() }
        }
        var dir = workingDirectory
        for _ in 0..<4 { candidates.append(dir.appendingPathComponent("assets")); dir = dir.deletingLastPathComponent() }
        var seen = Set<String>()
        return candidates.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    static func findAssets(environment env: [String: String], executable: URL?, workingDirectory: URL) -> Result<Assets, SC2Error> {
        let candidates = assetCandidates(environment: env, executable: executable, workingDirectory: workingDirectory)
        if let found = candidates.first(where: Assets.isAssetsFolder) { return .success(Assets(directory: found)) }
        if let dir = env["SC2GAN_ASSETS"], !dir.isEmpty {
            return .failure(SC2Error("SC2GAN_ASSETS=\(dir) is not sc2gan's assets folder (it has no faceworld/ inside)"))
        }
        let places = candidates.prefix(3).map(\.path).joined(separator: ", ")
        return .failure(SC2Error("cannot find sc2gan's assets (looked in \(places) and the folders above): install with scripts/install.sh, or set SC2GAN_ASSETS to the folder that holds faceworld/"))
    }
}
