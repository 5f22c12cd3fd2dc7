import Foundation
import SC2Engine
import TerminalUI
import XCTest
@testable import SC2Explorer

/// The grid view of many seeds: its flip counts are the evaluation's, on the same seeds and steps,
/// and the frame shows a row of faces per method with the flipped ones marked.
final class GridViewTests: XCTestCase {
    func testSummaryCountsAsTheEvaluationDoes() {
        // Target 0, correlated 1; four seeds.
        let base: [[Float]] = [[0.1, 0.1], [0.2, 0.9], [0.1, 0.2], [0.3, 0.1]]
        let edited: [[Float]] = [[0.9, 0.8], [0.7, 0.95], [0.4, 0.6], [0.6, 0.2]]
        let s = GridSummary(base: base, edited: edited, target: 0, correlated: 1)
        XCTAssertEqual(s.targetFlipped, [true, true, false, true])
        XCTAssertEqual(s.correlatedFlipped, [true, false, true, false])
        XCTAssertEqual(s.flipRate, 0.75)
        XCTAssertEqual(s.keptGivenFlip, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(s.correlatedFlipShare, 0.5)
    }

    /// On the shipped FaceWorld model: age's three directions at the step the evaluation's search
    /// finds for each, on 16 validation seeds without age. The worker renders the grid of those
    /// seeds at that step; the frame's counts equal `EntanglementEvaluation.evaluate`'s flip rate
    /// and P(eyeglasses kept | age flipped).
    func testGridMatchesTheEvaluationOnTheSameSeedsAndSteps() throws {
        let fw = CLI.packageRoot.appendingPathComponent("assets/faceworld")
        guard FileManager.default.fileExists(atPath: fw.appendingPathComponent("generator.safetensors").path) else {
            throw XCTSkip("no FaceWorld model in assets/")
        }
        let g = try Generator(contentsOf: fw.appendingPathComponent("generator.safetensors"))
        let c = try AttributeClassifier(contentsOf: fw.appendingPathComponent("classifier.safetensors"))
        let library = DirectionLibrary(directory: fw.appendingPathComponent("directions"))
        var eval = EntanglementEvaluation(generator: g, judge: c)
        eval.truncation = 0.7
        eval.bisections = 4
        let held = try eval.heldOut(target: "age", seeds: try SeedRanges.heldOut(.validation, count: 64), count: 16)
        XCTAssertEqual(held.seeds.count, 16)

        var walks: [WalkInput] = []
        var rows: [DirectionMethod: EntanglementEvaluation.Row] = [:]
        for m in DirectionMethod.allCases {
            let d = try XCTUnwrap(try library.direction(attribute: "age", method: m))
            let step = try eval.steps(d, held: held, levels: [0.5])[0]
            rows[m] = try eval.evaluate(d, method: m.rawValue, correlated: "eyeglasses", held: held, step: step)
            walks.append(WalkInput(method: m, direction: d, id: ExplorerDirectionStore.identity(of: d), stepSize: step.alpha))
        }
        var request = RenderRequest(generation: 1, seed: held.seeds[0], truncation: 0.7, attribute: "age", step: 1, stepSize: 0.5, walks: walks)
        request.gridSeeds = held.seeds
        let worker = ExplorerWorker(generator: g, classifier: c, prefetch: false)
        worker.start()
        defer { worker.stop() }
        worker.submit(request)
        var result: RenderResult?
        let deadline = Date().addingTimeInterval(120)
        // The panes first (the grid pending), then the same request with the grid's faces.
        while result?.grid == nil && Date() < deadline {
            if let r = worker.takeResult() {
                if r.grid == nil { XCTAssertTrue(r.gridPending && r.refining) }
                result = r
            }
            usleep(5000)
        }
        let r = try XCTUnwrap(result)
        let grid = try XCTUnwrap(r.grid)
        XCTAssertEqual(grid.seeds, held.seeds)

        let t = try XCTUnwrap(c.index(of: "age")), e = try XCTUnwrap(c.index(of: "eyeglasses"))
        var view = ExplorerView(modelName: "generator.safetensors", modelHash: g.hash, resolution: g.config.resolution,
                                truncation: 0.7, scoreNames: c.attributes, classifierNote: nil)
        view.result = r
        view.gridSeeds = held.seeds
        view.correlated = "eyeglasses"
        var state = ExplorerState(seed: held.seeds[0], attributes: c.attributes, stepSize: 0.5)
        _ = state.handle(.right)
        _ = state.handle(.char("g"))
        let surface = TextSurface(rows: 50, columns: 160)
        ExplorerRenderer(screen: surface, glyphs: .unicode).draw(state, view)
        for (k, m) in DirectionMethod.allCases.enumerated() {
            let row = try XCTUnwrap(rows[m])
            let s = GridSummary(base: grid.base.map { $0.scores! }, edited: grid.edited[m]!.map { $0.scores! }, target: t, correlated: e)
            XCTAssertEqual(s.flipRate, row.flipRate, accuracy: 1e-9, "\(m): flip rate")
            if row.keptGivenFlip.isNaN { XCTAssertTrue(s.keptGivenFlip.isNaN) } else {
                XCTAssertEqual(s.keptGivenFlip, row.keptGivenFlip, accuracy: 1e-9, "\(m): kept | flipped")
            }
            // What the frame says.
            let line = surface.lines[2 + k]
            let flipped = Int((row.flipRate * 16).rounded())
            XCTAssertTrue(line.contains("age flipped \(flipped)/16"), "\(m): \(line)")
            let kept = row.keptGivenFlip.isNaN ? "-" : String(format: "%.2f", row.keptGivenFlip)
            XCTAssertTrue(line.contains("eyeglasses kept | age flipped \(kept)"), "\(m): \(line)")
            // Marked faces: as many as changed side.
            XCTAssertEqual(s.correlatedFlipped.filter { $0 }.count,
                           grid.base.indices.filter { (grid.edited[m]![$0].scores![e] > 0.5) != (grid.base[$0].scores![e] > 0.5) }.count)
        }
        let marks = surface.cells.flatMap { $0 }.filter { $0.character == "✗" && $0.background == ExplorerRenderer.strongLeakColor }.count
        let expected = DirectionMethod.allCases.map { m in
            grid.base.indices.filter { (grid.edited[m]![$0].scores![e] > 0.5) != (grid.base[$0].scores![e] > 0.5) }.count
        }.reduce(0, +)
        XCTAssertEqual(marks, expected, surface.text)
        XCTAssertEqual(surface.text.components(separatedBy: "▀").count > 16 * 3 * 10, true, "faces drawn")
        XCTAssertTrue(surface.lines[1].contains("grid: 16 faces at step +1, equal effect (validation seeds without age)"), surface.lines[1])
    }
}
