import Foundation
@testable import SC2Engine
import XCTest

/// The evaluation's orchestration without the command line: a small run on the shipped FaceWorld
/// model (300 dense seeds, 20 held-out samples per side, the original and conditional
/// directions; the classifier judges, to keep it fast).
final class EvaluationRunTests: XCTestCase {

    private func tempFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-evaluation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func configuration(out: URL, cache: URL) -> EvaluationRun.Configuration {
        let base = EvaluationRun.Base(name: "interfacegan", finder: InterFaceGANFinder(), folder: nil, settings: "test")
        var c = EvaluationRun.Configuration(directions: .fit(bases: [base], restarts: 2),
                                            pairs: [(target: "age", correlated: "eyeglasses")],
                                            methods: [.original, .conditional], cacheDirectory: cache, out: out)
        c.samples = 300
        c.count = 20
        c.levels = [0.3]
        return c
    }

    /// Runs and records the progress labels it reported.
    private func run(_ c: EvaluationRun.Configuration) throws -> (EvaluationRun.Outcome, tasks: [String]) {
        let models = try ShardedWorkTests.models.get()
        var run = EvaluationRun(generator: models.generator, predictor: models.classifier, judge: models.classifier, configuration: c)
        final class Log { var tasks: [String] = [] }
        let log = Log()
        run.progress.task = { (label, _) -> EvaluationRun.Progress.Task in log.tasks.append(label); return .init() }
        return (try run.run(), log.tasks)
    }

    private func rows(_ outcome: EvaluationRun.Outcome) throws -> [EntanglementEvaluation.Row] {
        guard case .evaluated(let rows, _, _, _) = outcome else { throw XCTSkip("not a full evaluation: \(outcome)") }
        return rows
    }

    private func encoded(_ rows: [EntanglementEvaluation.Row]) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try e.encode(rows)
    }

    /// A second run reuses the stored fits and rows and gives the same rows; with the rows
    /// removed it evaluates them again from the stored fits, again the same.
    func testResumingFromStoredFitsAndRowsGivesTheSameRows() throws {
        let dir = try tempFolder()
        let c = configuration(out: dir.appendingPathComponent("out"), cache: dir.appendingPathComponent("cache"))
        let (first, firstTasks) = try run(c)
        let rows = try self.rows(first)
        XCTAssertEqual(rows.count, 2 * 2)   // 2 restarts x 2 methods x 1 level
        XCTAssertTrue(firstTasks.contains { $0.hasPrefix("restart 0: sampling") }, "\(firstTasks)")
        for name in ["table.txt", "summary.csv", "summary.json", "rows.json", "agreement.txt", "figure.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: c.out.appendingPathComponent(name).path), name)
        }

        let (again, againTasks) = try run(c)
        XCTAssertEqual(try encoded(try self.rows(again)), try encoded(rows))
        XCTAssertFalse(againTasks.contains { $0.contains("sampling") }, "the stored fits were fitted again: \(againTasks)")

        try FileManager.default.removeItem(at: c.out.appendingPathComponent("rows"))
        let (recomputed, recomputedTasks) = try run(c)
        XCTAssertEqual(try encoded(try self.rows(recomputed)), try encoded(rows))
        XCTAssertFalse(recomputedTasks.contains { $0.contains("sampling") }, "\(recomputedTasks)")

        // A fit made with other settings is not reused.
        var other = c
        other.directions = .fit(bases: [EvaluationRun.Base(name: "interfacegan", finder: InterFaceGANFinder(), folder: nil, settings: "other")], restarts: 1)
        let (_, otherTasks) = try run(other)
        XCTAssertTrue(otherTasks.contains { $0.hasPrefix("restart 0: sampling") }, "\(otherTasks)")
    }

    /// The summary is the rows folded: per method, the mean over fits of each fit's mean leakage,
    /// and the paired difference from the reference.
    func testSummaryIsTheRowsFoldedByHand() throws {
        let dir = try tempFolder()
        var c = configuration(out: dir.appendingPathComponent("out"), cache: dir.appendingPathComponent("cache"))
        c.otherReferences = [.original]
        guard case .evaluated(let rows, let summary, _, let written) = try run(c).0 else { return XCTFail("not evaluated") }
        XCTAssertEqual(written.first, "table.txt")
        XCTAssertEqual(summary.lines.map(\.method), ["original", "conditional"])
        for line in summary.lines {
            let mine = rows.filter { $0.method == line.method }.sorted { $0.restart < $1.restart }
            XCTAssertEqual(line.fits, 2)
            XCTAssertEqual(line.leakagePerFit, mine.map(\.leakage.mean))
            XCTAssertEqual(line.leakage, mine.map(\.leakage.mean).reduce(0, +) / 2, accuracy: 1e-12)
            XCTAssertEqual(line.reached, mine.filter(\.targetReached).count)
        }
        // The reference has no difference; the other method's is the mean over fits and seeds of
        // its per-seed leakage minus the reference's on the same seeds.
        let reference = rows.filter { $0.method == "conditional" }, original = rows.filter { $0.method == "original" }
        var differences: [Double] = []
        for o in original {
            let r = try XCTUnwrap(reference.first { $0.restart == o.restart })
            XCTAssertEqual(o.seeds, r.seeds)
            differences += zip(o.perSeedLeakage, r.perSeedLeakage).map { $0 - $1 }
        }
        let line = try XCTUnwrap(summary.lines.first { $0.method == "original" })
        XCTAssertEqual(try XCTUnwrap(line.difference), differences.reduce(0, +) / Double(differences.count), accuracy: 1e-9)
        XCTAssertNil(summary.lines.first { $0.method == "conditional" }?.difference)
        // The second reference: the conditional against the original, the same seeds' differences negated.
        XCTAssertTrue(written.contains("table-vs-original.txt") && written.contains("summary-vs-original.json"))
        let versus = try JSONDecoder().decode(EvaluationSummary.self, from: Data(contentsOf: c.out.appendingPathComponent("summary-vs-original.json")))
        let flipped = try XCTUnwrap(versus.lines.first { $0.method == "conditional" }?.difference)
        XCTAssertEqual(flipped, -differences.reduce(0, +) / Double(differences.count), accuracy: 1e-9)
        XCTAssertNil(versus.lines.first { $0.method == "original" }?.difference)
        // What the files hold is what the run returned.
        let table = try String(contentsOf: c.out.appendingPathComponent("table.txt"), encoding: .utf8)
        XCTAssertTrue(table.hasPrefix("split validation"), table)
        XCTAssertTrue(table.hasSuffix(summary.table()), table)
    }

    /// Fits first, then two shards into a work folder, then the merge: the rows of one process.
    func testShardsMergeToTheRowsOfOneRun() throws {
        let dir = try tempFolder()
        let whole = try rows(try run(configuration(out: dir.appendingPathComponent("whole"), cache: dir.appendingPathComponent("cache"))).0)

        let work = dir.appendingPathComponent("work")
        var c = configuration(out: work.appendingPathComponent("out"), cache: dir.appendingPathComponent("cache"))
        c.workFolder = work
        c.fitOnly = true
        guard case .fitted(restarts: 2) = try run(c).0 else { return XCTFail("fit-only") }
        c.fitOnly = false
        for k in 0..<2 {
            c.shard = try Shard(index: k, count: 2)
            guard case .shard(_, let evaluated, let units) = try run(c).0 else { return XCTFail("shard \(k)") }
            XCTAssertEqual(units, 4)
            XCTAssertEqual(evaluated.count, 2)
        }
        c.shard = nil
        let (merged, tasks) = try run(c)
        XCTAssertEqual(try encoded(try rows(merged)), try encoded(whole))
        XCTAssertFalse(tasks.contains { $0.contains("sampling") }, "\(tasks)")
    }
}

/// The evaluation figure's parts: the seeds it shows and the font of its labels.
final class EvaluationFigureTests: XCTestCase {
    /// Leakage per seed of the first and last method: the widest gap is seed 2 (0.9 − 0.1), the
    /// median of the first method's leakage (sorted 0.0, 0.2, 0.5, 0.9 → position 2) is seed 3.
    func testSeedsAreTheWidestGapAndTheMedian() {
        let s = EvaluationRun.figureSeeds(first: [0.0, 0.2, 0.9, 0.5], last: [0.0, 0.1, 0.1, 0.4], count: 4)
        XCTAssertEqual(s.map(\.index), [2, 3])
        XCTAssertEqual(s.map(\.label), ["widest gap", "median"])
        // When the median is the widest gap, the seed below it in the order is shown instead.
        let t = EvaluationRun.figureSeeds(first: [0.0, 0.5, 0.9], last: [0.0, 0.0, 0.9], count: 3)
        XCTAssertEqual(t.map(\.index), [1, 0])
        // Without rows, the first two seeds.
        XCTAssertEqual(EvaluationRun.figureSeeds(first: nil, last: nil, count: 5).map(\.index), [0, 1])
    }

    /// "I1" at scale 2 on a 20x20 canvas: the pixels set are exactly the glyphs' '#' cells doubled.
    func testFontDrawsTheGlyphCells() {
        var img = RGBImage(width: 30, height: 20, fill: (255, 255, 255))
        BitmapFont.draw("I1", into: &img, x: 1, y: 2, scale: 2, color: (0, 0, 0))
        var expected = Set<[Int]>()
        for (n, ch) in ["I", "1"].enumerated() {
            for (r, row) in BitmapFont.glyph(Character(ch)).enumerated() {
                for (c, bit) in row.enumerated() where bit == "#" {
                    for dy in 0..<2 { for dx in 0..<2 { expected.insert([1 + n * 12 + c * 2 + dx, 2 + r * 2 + dy]) } }
                }
            }
        }
        var drawn = Set<[Int]>()
        for y in 0..<20 { for x in 0..<30 where img[x, y] == (0, 0, 0) { drawn.insert([x, y]) } }
        XCTAssertEqual(drawn, expected)
        XCTAssertEqual(BitmapFont.width("I1", scale: 2), 22)
        // Lower case is drawn as capitals; an unknown character as a box.
        XCTAssertEqual(BitmapFont.glyph("a"), BitmapFont.glyph("A"))
        XCTAssertEqual(BitmapFont.glyph("€"), BitmapFont.missing)
    }
}

/// StyleSpace's attribute dependency, recomputed from the judge's scores by hand.
final class AttributeDependencyTests: XCTestCase {
    func testDependencyIsTheOthersChangeOverTheirSpread() throws {
        let m = try ShardedWorkTests.models.get(), g = m.generator, judge = m.classifier
        let dense = try SampleSet.build(generator: g, classifier: judge, seeds: (0..<300).map { UInt32($0) })
        let d = try DirectionBuilder(samples: dense).original("age")
        let ev = EntanglementEvaluation(generator: g, judge: judge)
        let held = try ev.heldOut(target: "age", seeds: (0..<300).map { 6_000_000 + UInt32($0) }, count: 16)
        let row = try ev.evaluate(d, method: "original", correlated: "eyeglasses", held: held, level: 0.3)
        let p = judge.probabilities(generated: g.synthesis(d.apply(to: held.codes, alpha: Float(row.alpha))))
        let ia = try judge.requiredIndex(of: "age")
        var expected = 0.0
        let others = judge.attributes.indices.filter { $0 != ia }
        for k in others {
            var change = 0.0, mean = 0.0, sq = 0.0
            for i in p.indices { change += Double(abs(p[i][k] - held.scores[i][k])) / Double(p.count) }
            for i in p.indices { mean += Double(held.scores[i][k]) / Double(p.count) }
            for i in p.indices { sq += pow(Double(held.scores[i][k]) - mean, 2) }
            // The sample standard deviation (n − 1), floored at 0.05.
            let spread = max(0.05, (sq / Double(p.count - 1)).squareRoot())
            XCTAssertEqual(try XCTUnwrap(row.attributeChanges?[judge.attributes[k]]), change, accuracy: 2e-3)
            expected += change / spread / Double(others.count)
        }
        XCTAssertEqual(try XCTUnwrap(row.dependency), expected, accuracy: 0.02 * max(expected, 0.05))
    }
}
