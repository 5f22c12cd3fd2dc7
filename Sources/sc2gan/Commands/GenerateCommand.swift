import ArgumentParser
import Foundation
import Synchronization
import SC2Engine
import Tensor

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate images for seeds (the reference generate script's seeds and file names).",
        discussion: "Example: sc2gan generate --seeds 0-3,42 --truncation 0.7 --out out/  ->  out/seed0000.png ...")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Seeds, e.g. 0-3,42.") var seeds: String = "0-7"
    @Option(help: "Truncation psi (1 = none).") var truncation: Float = 1
    @Option(help: "Truncate only the first N ws (default: all).") var cutoff: Int?
    @Option(help: "Noise mode: const, random or none.") var noise: NoiseMode = .const
    @Option(help: ArgumentHelp("Stop synthesis after the block of this resolution: the skip architecture's image so far (what scoring at a predictor's resolution sees), written at that size.", valueName: "px"))
    var stopAt: Int?
    @Option(help: "Images per batch.") var batch: Int = 8
    @Option(help: "Output folder.") var out: String = "out"
    @Option(name: .customLong("png-compression"),
            help: ArgumentHelp("PNG compression: smallest (libpng's defaults), balanced (Sub filter, zlib level 1: about a third of the encoding time, files about 1.2x larger) or fastest (no filter, zlib level 3, files about 1.7x larger).", valueName: "level"))
    var pngCompression: PNG.Compression = .balanced
    @Flag(name: .customLong("fast-png"), help: "The same as --png-compression fastest.")
    var fastPNG = false

    func validate() throws {
        try OptionCheck.finite(truncation, "--truncation")
        try OptionCheck.range(batch, 1...256, "--batch")
        if let cutoff { try OptionCheck.range(cutoff, 0...64, "--cutoff", "a count of W+ rows") }
        try OutputCheck.folder(out, "--out")
    }

    func run() throws {
        let seedList = try SeedList.parse(seeds)
        let g = try modelOptions.load()
        if let stopAt, !g.config.resolutions.contains(stopAt) {
            throw SC2Error("--stop-at \(stopAt): this generator's blocks are \(g.config.resolutions.map(String.init).joined(separator: ", ")) px")
        }
        let dir = URL(fileURLWithPath: out)
        let bar = ProgressBar("generating", total: seedList.count)
        // A batch's pictures are encoded and written while the next batch is computed, side by
        // side over the cores (deflate is a fifth of the work at 64 px): one batch in flight, so
        // memory stays bounded; the first error stops the run.
        let writes = PictureWriter(compression: fastPNG ? .fastest : pngCompression)
        var done = 0
        for chunk in stride(from: 0, to: seedList.count, by: batch) {
            let s = Array(seedList[chunk..<min(chunk + batch, seedList.count)])
            let ws = g.ws(z: g.latents(seeds: s), truncation: truncation, cutoff: cutoff)
            let imgs = Generator.pictures(g.synthesis(ws, noise: noise, stopAt: stopAt))
            try writes.waitAndCheck()
            bar.update(done)
            writes.submit(zip(s, imgs).map { (dir.appendingPathComponent(String(format: "seed%04u.png", $0)), $1) })
            done += s.count
        }
        try writes.waitAndCheck()
        bar.update(done)
        let r = stopAt ?? g.config.resolution
        bar.finish("wrote \(seedList.count) images (\(r)x\(r)) to \(dir.path)")
    }
}

extension NoiseMode: ExpressibleByArgument {}
extension PNG.Compression: ExpressibleByArgument {}

/// Encodes and writes pictures on other threads while the caller computes the next ones: one
/// submission in flight at a time (`waitAndCheck` before the next), its pictures side by side.
final class PictureWriter: Sendable {
    private let group = DispatchGroup()
    private let failure = Mutex<(any Error)?>(nil)
    private let compression: PNG.Compression

    init(compression: PNG.Compression) { self.compression = compression }

    func submit(_ jobs: [(URL, RGBImage)]) {
        let compression = self.compression
        DispatchQueue.global().async(group: group) { [self] in
            DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
                do { try PNG.write(jobs[i].1, to: jobs[i].0, compression: compression) } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                }
            }
        }
    }

    /// Waits for the pictures in flight; throws the first error met writing them.
    func waitAndCheck() throws {
        group.wait()
        if let e = failure.withLock({ $0 }) { throw e }
    }
}
