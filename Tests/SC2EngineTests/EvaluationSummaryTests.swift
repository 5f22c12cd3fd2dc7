import XCTest
@testable import SC2Engine

/// The evaluation's arithmetic against hand-computed values: the step search on a change curve
/// that is not monotonic, the fold over restarts, and the paired difference.
final class EvaluationSummaryTests: XCTestCase {
    typealias E = EntanglementEvaluation

    /// A change that peaks near alpha 11 and falls after it: doubling (1, 2, 4, 8, 16) sees 0
    /// everywhere; the sqrt(2) grid lands on 11.31 and bisection finds where the change is 0.5.
    func testStepSearchFindsANarrowPeakAndSaysWhenALevelIsNeverReached() throws {
        let peak: (Float) -> Double = { a in max(0, 1 - Double(abs(a - 11)) / 2) }
        let grid: [Float] = (0...18).map { 0.125 * Float(pow(2.0, Double($0) / 2)) }
        let steps = try E.search(levels: [0.5, 0.95], grid: grid, bisections: 12, change: peak)
        // Left flank: 1 - (11 - a)/2 = 0.5 at a = 10, bracketed by grid points 8 and 11.31.
        XCTAssertTrue(steps[0].reached)
        XCTAssertEqual(steps[0].alpha, 10, accuracy: 0.01)
        // 0.95 needs a within 0.1 of 11: no grid point gets there; the peak found is 11.31 (0.84).
        XCTAssertFalse(steps[1].reached)
        XCTAssertEqual(steps[1].alpha, 0.125 * Float(pow(2.0, 13.0 / 2)), accuracy: 1e-4)
        for a: Float in [1, 2, 4, 8, 16] { XCTAssertEqual(peak(a), 0) }
    }

    func row(_ method: String, restart: Int, leak: [Double], other: [Double], reached: Bool = true) -> E.Row {
        E.Row(target: "age", correlated: "eyeglasses", method: method, side: "add", level: 0.5, restart: restart, alpha: 2,
              targetReached: reached, targetChange: E.Stat([0.5, 0.5]), leakage: E.Stat(leak), otherLeakage: E.Stat(other),
              pixelChange: E.Stat([1]), flipRate: 1, keptGivenFlip: 1, seeds: [1, 2, 3], perSeedLeakage: leak, perSeedOther: other)
    }

    /// Two fits of two methods on the same three seeds: leakage per fit is the mean over seeds,
    /// the spread is over fits, and the difference is the mean of the per-seed differences,
    /// its interval containing it; a method that is uniformly better has an interval below 0.
    func testFoldOverRestartsAndPairedDifference() throws {
        let rows = [
            row("conditional", restart: 0, leak: [0.3, 0.2, 0.4], other: [0.1, 0.1, 0.1]),
            row("conditional", restart: 1, leak: [0.5, 0.4, 0.6], other: [0.1, 0.1, 0.1]),
            row("sc2", restart: 0, leak: [0.1, 0.1, 0.2], other: [0.1, 0.2, 0.1]),
            row("sc2", restart: 1, leak: [0.2, 0.1, 0.3], other: [0.1, 0.1, 0.1], reached: false),
        ]
        let s = EvaluationSummary(rows: rows, reference: "conditional", bootstrap: 500)
        XCTAssertEqual(s.lines.map(\.method), ["conditional", "sc2"])
        let c = s.lines[0], k = s.lines[1]
        XCTAssertEqual(c.leakagePerFit[0], 0.3, accuracy: 1e-12)
        XCTAssertEqual(c.leakagePerFit[1], 0.5, accuracy: 1e-12)
        XCTAssertEqual(c.leakage, 0.4, accuracy: 1e-12)
        XCTAssertEqual(c.leakageStd, Statistics.std([0.3, 0.5]), accuracy: 1e-12)
        XCTAssertNil(c.difference)
        // sc2 − conditional per seed: fit 0: -0.2 -0.1 -0.2, fit 1: -0.3 -0.3 -0.3; mean -0.2333.
        XCTAssertEqual(k.difference!, -1.4 / 6, accuracy: 1e-9)
        XCTAssertLessThan(k.differenceHigh!, 0)
        XCTAssertLessThanOrEqual(k.differenceLow!, k.difference!)
        XCTAssertEqual(k.otherDifference!, 0.1 / 6, accuracy: 1e-9)
        XCTAssertEqual(k.reached, 1)
        let table = s.table()
        XCTAssertTrue(table.contains("1/2*") && table.contains("never reached"), table)
        XCTAssertTrue(table.contains("-0.233"), table)
    }

    /// Several bases in one table: BASE/METHOD is compared with the same base's reference, never
    /// with another base's (hand-computed differences).
    func testEachBaseIsComparedWithItsOwnReference() throws {
        let rows = [
            row("conditional", restart: 0, leak: [0.3, 0.3], other: [0, 0]),
            row("sc2", restart: 0, leak: [0.1, 0.2], other: [0, 0]),
            row("class-mean/conditional", restart: 0, leak: [0.5, 0.7], other: [0, 0]),
            row("class-mean/sc2", restart: 0, leak: [0.2, 0.2], other: [0, 0]),
            row("ganspace/original", restart: 0, leak: [0.4, 0.4], other: [0, 0]),
        ]
        let s = EvaluationSummary(rows: rows, reference: "conditional", bootstrap: 200)
        let by = Dictionary(uniqueKeysWithValues: s.lines.map { ($0.method, $0) })
        XCTAssertEqual(by["sc2"]!.difference!, -0.15, accuracy: 1e-12)
        XCTAssertEqual(by["sc2"]!.reference, "conditional")
        XCTAssertEqual(by["class-mean/sc2"]!.difference!, -0.4, accuracy: 1e-12)
        XCTAssertEqual(by["class-mean/sc2"]!.reference, "class-mean/conditional")
        XCTAssertNil(by["class-mean/conditional"]!.difference)
        // A base without its reference in the table has no difference (not InterFaceGAN's).
        XCTAssertNil(by["ganspace/original"]!.difference)
        XCTAssertTrue(s.table().contains("class-mean/conditional "), s.table())
    }
}
