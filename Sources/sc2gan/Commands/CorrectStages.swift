import ArgumentParser
import Foundation
import SC2Engine

/// `correct --workdir DIR [--stage S] [--shard K/N]`: the correction cut into the stages a
/// cluster runs as separate jobs. Every stage leaves checksummed files in the work folder; the
/// outputs (`--out`) are the files the plain command writes, with the same bytes (the report's
/// `seconds` aside: it is the last stage's time).
extension CorrectCommand {
    static let synthesisStage = "synthesis"

    func runStaged(_ folder: WorkFolder, stage: CorrectionStage, shard: Shard?) throws {
        let (g, c, attr, corr) = try inputs()
        let pipeline = try correction.pipeline(g, c)
        switch stage {
        case .sample:
            try WorkOptions.sampleShard(engine, g, c, folder: folder, shard: shard!)
        case .fit:
            let dense = try WorkOptions.denseSamples(engine, g, c, folder: folder, computeMissing: true)
            try fit(pipeline, g, attr, corr, dense, folder)
        case .synthesis:
            let dense = try WorkOptions.denseSamples(engine, g, c, folder: folder, computeMissing: false)
            let plan = try loadPlan(folder, attr)
            try synthesize(pipeline, plan, dense, folder, shard: shard!)
        case .refit:
            let dense = try WorkOptions.denseSamples(engine, g, c, folder: folder, computeMissing: false)
            try refit(pipeline, try loadPlan(folder, attr), dense, folder)
        case .all:
            try WorkOptions.sampleShard(engine, g, c, folder: folder, shard: try Shard(index: 0, count: 1))
            let dense = try WorkOptions.denseSamples(engine, g, c, folder: folder, computeMissing: true)
            let plan = try existingPlan(folder, attr, pipeline, dense) ?? fit(pipeline, g, attr, corr, dense, folder)
            try synthesize(pipeline, plan, dense, folder, shard: try Shard(index: 0, count: 1))
            try refit(pipeline, plan, dense, folder)
        }
    }

    func planName(_ attr: String) -> String { "correct-\(attr)/plan.json" }

    /// Units of a plan live in a folder named after the plan's own hash: another plan (other
    /// options, samples or rows) never reads them.
    func unitName(_ plan: CorrectionPlan, positive: Bool, index: Int) throws -> String {
        String(format: "correct-%@/units-%@/%@-%06d.json", plan.attribute, ContentHash.of(try plan.encoded()), positive ? "on" : "off", index)
    }

    func loadPlan(_ folder: WorkFolder, _ attr: String) throws -> CorrectionPlan {
        guard let data = folder.read(planName(attr), log: WorkOptions.note) else {
            throw SC2Error("\(folder.file(planName(attr)).path): no correction plan (run --stage fit first)")
        }
        return try CorrectionPlan.decode(data, source: folder.file(planName(attr)).path)
    }

    /// The plan already in the work folder, when it was made from these samples with these options.
    func existingPlan(_ folder: WorkFolder, _ attr: String, _ pipeline: SC2Pipeline, _ dense: SampleSet) throws -> CorrectionPlan? {
        guard let plan = try? loadPlan(folder, attr), (try? pipeline.check(plan, dense: dense)) != nil,
              FileManager.default.fileExists(atPath: DirectionLibrary(directory: URL(fileURLWithPath: out)).url(attribute: attr, method: .conditional, base: correction.libraryBase).path) else { return nil }
        return plan
    }

    /// Stage fit: the base and conditional directions (written to --out as the plain command
    /// writes them) and the plan.
    @discardableResult
    func fit(_ pipeline: SC2Pipeline, _ g: Generator, _ attr: String, _ corr: [String]?, _ dense: SampleSet, _ folder: WorkFolder) throws -> CorrectionPlan {
        let original = try saveBaseDirections(g, attr, dense)
        let bars = CorrectionOptions.stageBars(attr)
        let plan = try pipeline.prepare(attribute: attr, dense: dense, original: original, correlated: corr, progress: bars.handler)
        bars.finish()
        try folder.write(try plan.encoded(), to: planName(attr))
        print("\(attr): plan in \(folder.file(planName(attr)).path): rows \(plan.rows.map(String.init).joined(separator: ",")) (\(plan.rowChoice))")
        return plan
    }

    /// Stage synthesis: this shard's slice of the planned units, skipping those already there.
    func synthesize(_ pipeline: SC2Pipeline, _ plan: CorrectionPlan, _ dense: SampleSet, _ folder: WorkFolder, shard: Shard) throws {
        let work = try SC2Pipeline.UnitWork(pipeline, plan: plan, dense: dense)
        let planned = work.plannedUnits(rowYield: plan.rowYield)
        let mine = shard.units(of: planned.count)
        let bar = ProgressBar("\(plan.attribute): synthesis shard \(shard)", total: max(mine.count, 1))
        var names: [String] = []
        for (n, i) in mine.enumerated() {
            let (side, index) = planned[i]
            let name = try unitName(plan, positive: side, index: index)
            if folder.read(name, log: WorkOptions.note) == nil {
                try folder.write(try work.compute(positive: side, index: index).encoded(), to: name)
            }
            names.append(name)
            bar.update(n + 1)
        }
        try ShardMarker.write(folder, stage: Self.synthesisStage, shard: shard, files: names)
        bar.finish("\(plan.attribute): synthesis shard \(shard): units \(mine) of \(planned.count) planned")
    }

    /// Stage refit: rounds from the units (any the shards did not compute are computed here and
    /// kept), the re-fit, and the corrected direction and report in --out.
    func refit(_ pipeline: SC2Pipeline, _ plan: CorrectionPlan, _ dense: SampleSet, _ folder: WorkFolder) throws {
        let t0 = Date()
        let work = try SC2Pipeline.UnitWork(pipeline, plan: plan, dense: dense)
        var computed = 0
        let bars = CorrectionOptions.stageBars(plan.attribute)
        let (corrected, report) = try pipeline.finish(plan: plan, dense: dense, started: t0, progress: bars.handler) { side, index in
            let name = try unitName(plan, positive: side, index: index)
            if let data = folder.read(name, log: WorkOptions.note), let unit = try? RareUnit.decode(data) { return unit }
            let unit = try work.compute(positive: side, index: index)
            try folder.write(try unit.encoded(), to: name)
            computed += 1
            return unit
        }
        bars.finish()
        if computed > 0 { WorkOptions.note("\(plan.attribute): \(computed) synthesis units were not in the work folder and were computed here") }
        try saveCorrected(corrected, report, plan.attribute)
        try folder.write(Data("\(plan.attribute)\n".utf8), to: "correct-\(plan.attribute)/done")
    }
}
