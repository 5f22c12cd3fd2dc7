import ArgumentParser
import Foundation
import SC2Engine

struct CorrectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correct",
        abstract: "Correct an attribute's direction with SC²: semantic layers, low-density samples in W+, re-projection, re-fit.")
    @OptionGroup var engine: EngineOptions
    @OptionGroup var correction: CorrectionOptions
    @Option(help: "Target attribute.") var attribute: String
    @Option(help: "Output folder: <attribute>.interfacegan.json, .conditional.json and .sc2.json (another base B: <attribute>.B.json, .B-conditional.json, .B-sc2.json), plus a report.")
    var out: String
    @OptionGroup var work: WorkOptions
    @Option(help: "With --workdir: the stage to run (all, sample, fit, synthesis, refit; sample and synthesis take --shard).")
    var stage: CorrectionStage?

    func validate() throws {
        try OutputCheck.folder(out, "--out")
        if stage != nil, work.workdir == nil { throw ValidationError("--stage needs --workdir") }
        if work.shard != nil, stage != .sample, stage != .synthesis {
            throw ValidationError("--shard is for --stage sample or --stage synthesis")
        }
        if stage == .sample || stage == .synthesis, work.shard == nil { throw ValidationError("--stage \(stage!.rawValue) needs --shard K/N") }
    }

    func run() throws {
        if let folder = work.folder { return try runStaged(folder, stage: stage ?? .all, shard: try work.shardValue) }
        let (g, c) = try engine.load()
        let attr = try engine.attributeName(attribute, c)
        let corr = try correction.correlatedNames(engine, c, target: attr)
        try correction.checkRows(g)
        let dense = try engine.denseSamples(g, c)
        let lib = DirectionLibrary(directory: URL(fileURLWithPath: out))
        let original = try correction.baseDirection(g, attribute: attr, dense: dense)
        let (corrected, report) = try correction.run(g, c, attribute: attr, dense: dense, original: original, correlated: corr)
        let base = correction.libraryBase
        try lib.save(original, method: .original, base: base)
        try lib.save(try correction.conditional(dense, attribute: attr, original: original), method: .conditional, base: base)
        try lib.save(corrected, method: .corrected, base: base)
        try AtomicWrite.write(try report.encoded(), to: URL(fileURLWithPath: out).appendingPathComponent(correction.reportName(attr)))
        print(CorrectionOptions.summary(report))
        print("wrote \(correction.writtenNames(attr)) and \(correction.reportName(attr)) to \(out)")
    }
}
