import ArgumentParser
import Foundation
import SC2Engine

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Sample and score the dense set (seeds 0..<N) into a cache folder, the heavy first step of directions and correct.",
        discussion: """
        --out is a cache folder: pass it as --cache to directions, correct or explore and they use these samples. \
        With --workdir the samples are made in units of \(ShardedSampling.unitSize) seeds kept in the work folder \
        (a rerun resumes); --shard K/N computes one slice, and a run without --shard puts the slices together \
        (computing any that are missing) into --out.
        """)
    @OptionGroup var engine: EngineOptions
    @Option(help: "Cache folder to write the sample set to (samples-KEY.safetensors).") var out: String?
    @OptionGroup var work: WorkOptions

    func validate() throws {
        if work.shard == nil, out == nil { throw ValidationError("--out is needed (the cache folder to write), unless --shard computes one slice") }
        if let out { try OutputCheck.folder(out, "--out") }
    }

    func run() throws {
        let (g, c) = try engine.load()
        let seeds = (0..<UInt32(engine.samples)).map { $0 }
        let set: SampleSet
        if let folder = work.folder {
            if let shard = try work.shardValue { return try WorkOptions.sampleShard(engine, g, c, folder: folder, shard: shard) }
            set = try WorkOptions.denseSamples(engine, g, c, folder: folder, computeMissing: true)
        } else {
            let bar = ProgressBar("sampling", total: seeds.count)
            set = try SampleSet.build(generator: g, classifier: c, seeds: seeds, truncation: engine.truncation) { bar.update($0) }
            bar.finish("sampled \(seeds.count) seeds")
        }
        let dir = URL(fileURLWithPath: out!)
        try set.store(in: dir)
        print("wrote \(SampleSet.cacheURL(in: dir, generator: g, classifier: c, seeds: seeds, truncation: engine.truncation).lastPathComponent) (\(seeds.count) samples) to \(dir.path); use it with --cache \(dir.path)")
    }
}
