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
        let (g, c, attr, corr) = try inputs()
        let dense = try engine.denseSamples(g, c)
        let original = try saveBaseDirections(g, attr, dense)
        let (corrected, report) = try correction.run(g, c, attribute: attr, dense: dense, original: original, correlated: corr)
        try saveCorrected(corrected, report, attr)
    }

    /// What every stage starts from: the generator, the judge, the target attribute and the
    /// correlated ones, with the rows checked against the generator.
    func inputs() throws -> (Generator, any AttributePredictor, String, [String]?) {
        let (g, c) = try engine.load()
        let attr = try engine.attributeName(attribute, c)
        let corr = try correction.correlatedNames(engine, c, target: attr)
        try correction.checkRows(g)
        return (g, c, attr, corr)
    }

    /// The base and conditional directions, written to --out; returns the base.
    func saveBaseDirections(_ g: Generator, _ attr: String, _ dense: SampleSet) throws -> Direction {
        let original = try correction.baseDirection(g, attribute: attr, dense: dense)
        let lib = DirectionLibrary(directory: URL(fileURLWithPath: out))
        try lib.save(original, method: .original, base: correction.libraryBase)
        try lib.save(try correction.conditional(g, dense, attribute: attr, original: original), method: .conditional, base: correction.libraryBase)
        return original
    }

    /// The corrected direction and the report, written to --out, and the summary printed.
    func saveCorrected(_ corrected: Direction, _ report: SC2Pipeline.Report, _ attr: String) throws {
        try DirectionLibrary(directory: URL(fileURLWithPath: out)).save(corrected, method: .corrected, base: correction.libraryBase)
        try AtomicWrite.write(try report.encoded(), to: URL(fileURLWithPath: out).appendingPathComponent(correction.reportName(attr)))
        print(CorrectionOptions.summary(report))
        print("wrote \(correction.writtenNames(attr)) and \(correction.reportName(attr)) to \(out)")
    }
}
