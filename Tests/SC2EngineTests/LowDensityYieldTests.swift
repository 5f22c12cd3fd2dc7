import XCTest
@testable import SC2Engine
import Tensor

/// The rare-sample yield that picks the synthesis rows, recounted by hand on the shipped model:
/// shift each source's code on the rows, classify, apply the documented acceptance rule.
final class LowDensityYieldTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func setUp(seeds: Int) throws -> (Generator, AttributeClassifier, SampleSet, Direction) {
        let fw = Self.root.appendingPathComponent("assets/faceworld")
        let g = try Generator(contentsOf: fw.appendingPathComponent("generator.safetensors"))
        let c = try AttributeClassifier(contentsOf: fw.appendingPathComponent("classifier.safetensors"))
        let dense = try SampleSet.build(generator: g, classifier: c, seeds: (0..<UInt32(seeds)).map { $0 }, truncation: 1)
        let age = try DirectionBuilder(samples: dense).original("age")
        return (g, c, dense, age)
    }

    func testShiftYieldMatchesAHandCount() throws {
        let (g, c, dense, age) = try setUp(seeds: 600)
        var synth = LowDensitySynthesis(generator: g, classifier: c, direction: age, correlated: ["eyeglasses"])
        synth.mode = .shift
        let rows = [2, 3, 4], alpha: Float = 2.5, perSide = 10
        let y = try synth.yield(dense: dense, rows: rows, perSide: perSide, alphas: [alpha])

        // By hand: young sources (to make old) without glasses first, old sources (to make young)
        // with glasses first: the frequent combinations, where flipping age makes the rare one.
        let pa = try dense.scores(of: "age"), pe = try dense.scores(of: "eyeglasses")
        let nw = g.config.numWs, d = g.config.wDim
        let ia = c.index(of: "age")!, ie = c.index(of: "eyeglasses")!
        var expected = [0, 0]
        for (side, positive) in [true, false].enumerated() {
            let candidates = (0..<dense.count).filter { positive ? pa[$0] < 0.2 : pa[$0] > 0.8 }
            let frequent = candidates.filter { (pe[$0] > 0.5) == !positive }, other = candidates.filter { (pe[$0] > 0.5) == positive }
            let sources = Array((frequent + other).prefix(perSide))
            XCTAssertEqual(sources.count, perSide)
            var codes: [Float] = []
            for i in sources {
                let w = Array(dense.w.data[i * d..<(i + 1) * d])
                for r in 0..<nw {
                    codes += rows.contains(r) ? zip(w, age.vector).map { $0 + (positive ? alpha : -alpha) * $1 } : w
                }
            }
            let p = c.probabilities(generated: g.synthesis(Tensor(shape: [sources.count, nw, d], data: codes)))
            for (m, i) in sources.enumerated() {
                let flipped = positive ? p[m][ia] > 0.7 : p[m][ia] < 0.3
                let glassesKept = abs(p[m][ie] - pe[i]) <= 0.25 && (p[m][ie] > 0.5) == (pe[i] > 0.5)
                if flipped && glassesKept { expected[side] += 1 }
            }
        }
        XCTAssertEqual(y.positive, expected[0])
        XCTAssertEqual(y.negative, expected[1])
        XCTAssertEqual(y.triedPositive, perSide)
        XCTAssertEqual(y.rate, Double(expected[0] + expected[1]) / Double(2 * perSide), accuracy: 1e-12)
        XCTAssertGreaterThan(y.kept, 0, "a 2.5-unit age step on rows 2-4 should make some rare samples")
    }

    /// No rows: the codes do not move, confident sources cannot flip, nothing is kept.
    func testNoRowsYieldNothing() throws {
        let (g, c, dense, age) = try setUp(seeds: 300)
        for mode in LowDensitySynthesis.Mode.allCases {
            var synth = LowDensitySynthesis(generator: g, classifier: c, direction: age, correlated: ["eyeglasses"])
            synth.mode = mode
            let y = try synth.yield(dense: dense, rows: [], perSide: 6, alphas: [1, 2])
            XCTAssertEqual(y.kept, 0, "\(mode)")
            XCTAssertEqual(y.triedPositive + y.triedNegative, 12)
        }
    }
}
