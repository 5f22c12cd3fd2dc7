import ArgumentParser
import Foundation
import SC2Engine

/// --workdir, --shard and --stage: a long job cut into shards that leave checksummed results in
/// a shared folder (what `sc2gan slurm` runs on each node). Without --workdir a command runs in
/// one process as before.
struct WorkOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Shared work folder: every finished unit of work is kept there with its checksum, so a rerun resumes and shards can run on other machines.", valueName: "dir"))
    var workdir: String?
    @Option(help: ArgumentHelp("With --workdir: compute only slice K of N (K from 0) of the stage.", valueName: "K/N"))
    var shard: String?

    var folder: WorkFolder? { workdir.map { WorkFolder(URL(fileURLWithPath: $0)) } }

    var shardValue: Shard? { get throws { try FlagErrors.naming { try shard.map { try Shard(parsing: $0) } } } }

    func validate() throws {
        if shard != nil, workdir == nil { throw ValidationError("--shard needs --workdir (the shared folder the shards write to)") }
        _ = try shardValue
        if let workdir { try OutputCheck.folder(workdir, "--workdir") }
    }

    /// The dense samples through the work folder: the merged set when a stage already made it,
    /// else the units put together (`computeMissing`: units not there are computed here).
    static func denseSamples(_ engine: EngineOptions, _ g: Generator, _ c: any AttributePredictor, folder: WorkFolder,
                             computeMissing: Bool) throws -> SampleSet {
        let seeds = (0..<UInt32(engine.samples)).map { $0 }
        // The merged set is kept with a checksum too: a damaged one is merged again.
        let name = "cache/" + SampleSet.cacheURL(in: folder.url, generator: g, classifier: c, seeds: seeds, truncation: engine.truncation).lastPathComponent
        if folder.read(name, log: note) != nil,
           let set = SampleSet.load(from: folder.file("cache"), generator: g, classifier: c, seeds: seeds, truncation: engine.truncation) { return set }
        var sampling = ShardedSampling(generator: g, classifier: c, seeds: seeds, truncation: engine.truncation, folder: folder)
        sampling.log = note
        let missing = sampling.missingUnits().count
        let bar = ProgressBar(missing > 0 && computeMissing ? "sampling \(missing) missing units" : "merging samples", total: seeds.count)
        let set = try sampling.merge(computeMissing: computeMissing) { done, _ in bar.update(done) }
        bar.finish("samples: \(seeds.count) from \(sampling.unitCount) units in \(folder.url.path)")
        try folder.write(try set.encoded(), to: name)
        return set
    }

    /// Dense sampling, shard `shard` only.
    static func sampleShard(_ engine: EngineOptions, _ g: Generator, _ c: any AttributePredictor, folder: WorkFolder, shard: Shard) throws {
        var sampling = ShardedSampling(generator: g, classifier: c, seeds: (0..<UInt32(engine.samples)).map { $0 },
                                       truncation: engine.truncation, folder: folder)
        sampling.log = note
        let bar = ProgressBar("sampling, shard \(shard)", total: max(1, shard.units(of: sampling.unitCount).count * ShardedSampling.unitSize))
        try sampling.run(shard) { done, total in bar.update(done) }
        bar.finish("sample shard \(shard): units \(shard.units(of: sampling.unitCount)) of \(sampling.unitCount) in \(folder.url.path)")
    }

    static func note(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}
