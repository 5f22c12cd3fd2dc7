import Foundation
@testable import SC2Engine
import Tensor
import XCTest

/// Sharded work gives one process's result byte for byte: the dense samples from units computed
/// by several shards, and the SC² correction from synthesis units computed out of order, in
/// another process's shape (plan and units through their files), against `build` and `correct`
/// run whole. Damaged files are caught by their checksums.
final class ShardedWorkTests: XCTestCase {
    static let faceWorld = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("assets/faceworld")
    /// The shipped generator and classifier, loaded once; a failure fails the tests that use them.
    static let models = FixtureCache {
        (generator: try Generator(contentsOf: faceWorld.appendingPathComponent("generator.safetensors")),
         classifier: try AttributeClassifier(contentsOf: faceWorld.appendingPathComponent("classifier.safetensors")))
    }

    private func tempFolder() throws -> WorkFolder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return WorkFolder(url)
    }

    private func bits(_ t: Tensor) -> [UInt32] { t.data.map(\.bitPattern) }

    func testShardsCoverTheUnitsOnce() throws {
        for n in [1, 3, 4, 7, 13] {
            let ranges = try (0..<n).map { try Shard(index: $0, count: n).units(of: 10) }
            XCTAssertEqual(ranges.flatMap { Array($0) }, Array(0..<10), "N = \(n)")
        }
        XCTAssertThrowsError(try Shard(parsing: "4/4"))
        XCTAssertThrowsError(try Shard(parsing: "1-4"))
        XCTAssertEqual(try Shard(parsing: "2/5"), try Shard(index: 2, count: 5))
    }

    /// 700 seeds (units of 256: the last one partial), three shards, merged: the same bits as
    /// one `build` over all seeds, and the same cache file bytes.
    func testMergedSampleShardsAreOneProcessBitForBit() throws {
        let (g, c) = try Self.models.get()
        let seeds = (0..<UInt32(700)).map { $0 }
        let whole = try SampleSet.build(generator: g, classifier: c, seeds: seeds)
        let folder = try tempFolder()
        let sampling = ShardedSampling(generator: g, classifier: c, seeds: seeds, truncation: 1, folder: folder)
        XCTAssertEqual(sampling.unitCount, 3)
        for k in [2, 0, 1] { try sampling.run(try Shard(index: k, count: 3)) }
        XCTAssertEqual(try ShardMarker.incomplete(folder, stage: ShardedSampling.stage, count: 3), [])
        let merged = try sampling.merge(computeMissing: false)
        XCTAssertEqual(bits(merged.w), bits(whole.w))
        XCTAssertEqual(bits(merged.scores), bits(whole.scores))
        XCTAssertEqual(try merged.encoded(), try whole.encoded())

        // One byte of unit 1 changed: its checksum catches it, its shard is incomplete, a merge
        // without computing refuses, and one that computes redoes it with the same bits.
        let unit = folder.file(sampling.unitName(1))
        var bytes = try Data(contentsOf: unit)
        bytes[bytes.count - 5] ^= 0x40
        try bytes.write(to: unit)
        XCTAssertEqual(folder.state(sampling.unitName(1)), .damaged)
        XCTAssertEqual(try ShardMarker.incomplete(folder, stage: ShardedSampling.stage, count: 3), [1])
        XCTAssertThrowsError(try sampling.merge(computeMissing: false)) { e in
            XCTAssertTrue("\(e)".contains("1 of 3 sample units are missing or damaged"), "\(e)")
        }
        let redone = try sampling.merge(computeMissing: true)
        XCTAssertEqual(bits(redone.w), bits(whole.w))
        XCTAssertEqual(try ShardMarker.incomplete(folder, stage: ShardedSampling.stage, count: 3), [])
    }

    /// The correction from a plan and units that went through their files, the units computed
    /// in reverse order (as shards on other machines would, in any order): the same corrected
    /// direction, bit for bit, and the same report but for its wall time.
    func testCorrectionFromUnitsIsOneProcessBitForBit() throws {
        let (g, c) = try Self.models.get()
        let dense = try SampleSet.build(generator: g, classifier: c, seeds: (0..<UInt32(700)).map { $0 })
        var options = SC2Pipeline.Options()
        options.rareCount = 24; options.maxRare = 48; options.refineSteps = 2
        options.semanticSamples = 4; options.rows = [1, 2, 3]
        let pipeline = SC2Pipeline(generator: g, classifier: c, options: options)
        let whole = try pipeline.correct(attribute: "age", dense: dense)

        let plan = try CorrectionPlan.decode(try pipeline.prepare(attribute: "age", dense: dense).encoded(), source: "plan")
        let work = try SC2Pipeline.UnitWork(pipeline, plan: plan, dense: dense)
        let planned = work.plannedUnits(rowYield: plan.rowYield)
        XCTAssertFalse(planned.isEmpty)
        var files: [String: Data] = [:]
        for (side, index) in planned.reversed() { files["\(side)-\(index)"] = try work.compute(positive: side, index: index).encoded() }
        var asked: [String] = [], computedLate = 0
        let sharded = try pipeline.finish(plan: plan, dense: dense) { side, index in
            asked.append("\(side)-\(index)")
            if let data = files["\(side)-\(index)"] { return try RareUnit.decode(data) }
            computedLate += 1
            return try work.compute(positive: side, index: index)
        }
        XCTAssertEqual(sharded.direction.vector.map(\.bitPattern), whole.direction.vector.map(\.bitPattern))
        XCTAssertEqual(sharded.direction, whole.direction)
        var a = sharded.report, b = whole.report
        a.seconds = 0; b.seconds = 0
        let sorted = JSONEncoder()
        sorted.outputFormatting = .sortedKeys
        XCTAssertEqual(String(decoding: try sorted.encode(a), as: UTF8.self), String(decoding: try sorted.encode(b), as: UTF8.self))
        XCTAssertGreaterThan(whole.report.rareSynthesised, 0)
        XCTAssertEqual(Set(asked).count, asked.count, "a unit was asked for twice")
        XCTAssertEqual(computedLate, 0, "the plan should cover the units this small run needs")

        // A unit whose sources are not the plan's is refused, not mixed in.
        var wrong = try RareUnit.decode(files["true-0"]!)
        wrong.entries.swapAt(0, 1)
        XCTAssertThrowsError(try pipeline.finish(plan: plan, dense: dense) { side, index in
            side && index == 0 ? wrong : try RareUnit.decode(files["\(side)-\(index)"] ?? work.compute(positive: side, index: index).encoded())
        })
    }

    /// Each source's try depends on that source alone: the sequential `synthesize` finds the
    /// same samples as the units' accepted entries, source for source.
    func testSynthesisPerSourceMatchesTheSequentialAPI() throws {
        let (g, c) = try Self.models.get()
        let dense = try SampleSet.build(generator: g, classifier: c, seeds: (0..<UInt32(600)).map { $0 })
        var age = try DirectionBuilder(samples: dense).original("age")
        age.layers = [1, 2, 3]
        var synth = LowDensitySynthesis(generator: g, classifier: c, direction: age, correlated: ["eyeglasses"])
        synth.mode = .mix
        var used = Set<Int>()
        let alphas: [Float] = [1, 2, 3]
        let samples = try synth.synthesize(dense: dense, count: 8, alphas: alphas, used: &used)
        let ctx = try LowDensitySynthesis.Context(synth, dense)
        for s in samples {
            let i = dense.seeds.firstIndex(of: s.sourceSeed)!
            let again = try XCTUnwrap(try synth.attempt(ctx, source: i, positive: s.targetPositive, alphas: alphas, seed: 0))
            XCTAssertEqual(again.code, s.code)
            XCTAssertEqual(again.scores, s.scores)
        }
        XCTAssertGreaterThan(samples.count, 0)
    }
}
