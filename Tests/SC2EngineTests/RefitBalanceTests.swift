import XCTest
@testable import SC2Engine

final class RefitBalanceTests: XCTestCase {
    private func rows(_ on: Int, _ off: Int) -> [[Bool]] {
        [[Bool]](repeating: [true], count: on) + [[Bool]](repeating: [false], count: off)
    }

    /// Fully biased classes (pos: all glasses, neg: none) with enough rare samples: 5 swaps per
    /// class bring both rates to 0.5 (J from 1 to 0), the hand-computed optimum.
    func testBalancesFullyBiasedClasses() {
        let plan = RefitBalance.plan(densePositive: rows(10, 0), denseNegative: rows(0, 10),
                                     rarePositive: rows(0, 20), rareNegative: rows(20, 0), cap: 10)
        XCTAssertEqual(plan.imbalanceBefore, 1, accuracy: 1e-12)
        XCTAssertEqual(plan.imbalanceAfter, 0, accuracy: 1e-12)
        XCTAssertEqual(plan.addPositive.count + plan.addNegative.count, 10)
        XCTAssertEqual(plan.addPositive.count, plan.dropPositive.count)
        XCTAssertEqual(plan.addNegative.count, plan.dropNegative.count)
        // Every swap replaces a dense "glasses" sample in the positive class by a rare "no glasses" one.
        XCTAssertEqual(Set(plan.dropPositive).count, plan.dropPositive.count)
    }

    /// The cap bounds the rare samples per class: 2 each leaves rates 0.8 and 0.2, J = 0.36.
    func testCapLimitsSwaps() {
        let plan = RefitBalance.plan(densePositive: rows(10, 0), denseNegative: rows(0, 10),
                                     rarePositive: rows(0, 20), rareNegative: rows(20, 0), cap: 2)
        XCTAssertEqual(plan.addPositive.count, 2)
        XCTAssertEqual(plan.addNegative.count, 2)
        XCTAssertEqual(plan.imbalanceAfter, 0.36, accuracy: 1e-12)
    }

    /// No bias, nothing to fix: no rare sample enters (the "no harm" control).
    func testUnbiasedClassesAreLeftAlone() {
        let plan = RefitBalance.plan(densePositive: rows(5, 5), denseNegative: rows(5, 5),
                                     rarePositive: rows(3, 3), rareNegative: rows(3, 3), cap: 10)
        XCTAssertTrue(plan.addPositive.isEmpty && plan.addNegative.isEmpty)
        XCTAssertEqual(plan.imbalanceAfter, 0)
    }

    /// Rare samples that would worsen the imbalance are never used, and the rare pool bounds the swaps:
    /// only 1 useful rare positive exists, so the positive class moves 1.0 -> 0.9 and the negative
    /// class (no useful rare sample) stays at 0.
    func testOnlyHelpfulRareSamplesAreUsed() {
        let plan = RefitBalance.plan(densePositive: rows(10, 0), denseNegative: rows(0, 10),
                                     rarePositive: rows(5, 1), rareNegative: rows(0, 5), cap: 10)
        XCTAssertEqual(plan.addPositive, [5])
        XCTAssertTrue(plan.addNegative.isEmpty)
        XCTAssertEqual(plan.imbalanceAfter, 0.81, accuracy: 1e-12)
    }

    /// Two correlated attributes at once (the lipstick case: long hair up, beard down): the swaps
    /// pick the rare pattern that fixes both, and J matches an independent recount.
    func testTwoCorrelatedAttributes() {
        let densePos = [[Bool]](repeating: [true, false], count: 8) + [[Bool]](repeating: [false, false], count: 2)
        let denseNeg = [[Bool]](repeating: [false, true], count: 6) + [[Bool]](repeating: [false, false], count: 4)
        let rarePos = [[Bool]](repeating: [true, true], count: 4) + [[Bool]](repeating: [false, true], count: 4)
        let rareNeg = [[Bool]](repeating: [true, false], count: 6)
        let plan = RefitBalance.plan(densePositive: densePos, denseNegative: denseNeg, rarePositive: rarePos, rareNegative: rareNeg, cap: 5)
        XCTAssertEqual(plan.imbalanceBefore, 0.8 * 0.8 + 0.6 * 0.6, accuracy: 1e-12)
        func apply(_ d: [[Bool]], _ r: [[Bool]], _ drop: [Int], _ add: [Int]) -> [[Bool]] {
            d.indices.filter { !drop.contains($0) }.map { d[$0] } + add.map { r[$0] }
        }
        let after = RefitBalance.imbalance(positive: apply(densePos, rarePos, plan.dropPositive, plan.addPositive),
                                           negative: apply(denseNeg, rareNeg, plan.dropNegative, plan.addNegative))
        XCTAssertEqual(after, plan.imbalanceAfter, accuracy: 1e-12)
        XCTAssertLessThan(plan.imbalanceAfter, 0.1)
        XCTAssertLessThanOrEqual(plan.addPositive.count, 5)
    }

    /// Add mode on fully biased classes: no dense sample leaves; the positive class's glasses rate
    /// is 10/(10+a) and the negative's b/(10+b), equal (J = 0) first at a = b = 10 within the cap
    /// (ab = 100), so ten are added to each side.
    func testAddModeKeepsTheDenseSamples() {
        let plan = RefitBalance.addPlan(densePositive: rows(10, 0), denseNegative: rows(0, 10),
                                        rarePositive: rows(0, 20), rareNegative: rows(20, 0), cap: 10)
        XCTAssertTrue(plan.dropPositive.isEmpty && plan.dropNegative.isEmpty)
        XCTAssertEqual(plan.addPositive.count, 10)
        XCTAssertEqual(plan.addNegative.count, 10)
        XCTAssertEqual(plan.imbalanceBefore, 1, accuracy: 1e-12)
        XCTAssertEqual(plan.imbalanceAfter, 0, accuracy: 1e-12)
        XCTAssertEqual(plan.order.count, 20)
    }

    /// Add mode under a cap of 2: rates 10/12 and 2/12, J = (8/12)² by hand.
    func testAddModeCap() {
        let plan = RefitBalance.addPlan(densePositive: rows(10, 0), denseNegative: rows(0, 10),
                                        rarePositive: rows(0, 20), rareNegative: rows(20, 0), cap: 2)
        XCTAssertEqual(plan.addPositive.count, 2)
        XCTAssertEqual(plan.addNegative.count, 2)
        XCTAssertEqual(plan.imbalanceAfter, (8.0 / 12) * (8.0 / 12), accuracy: 1e-12)
        // The first two of the plan, recounted: one addition to each side first (the greedy
        // choice is symmetric, the positive class first on a tie), 10/11 against 1/11.
        let first = plan.prefix(2)
        XCTAssertEqual(first.addPositive.count + first.addNegative.count, 2)
        XCTAssertTrue(first.dropPositive.isEmpty && first.dropNegative.isEmpty)
    }

    /// Add mode never adds a sample that raises J: with only "glasses" rare positives (which
    /// would make the positive class more biased), nothing enters the positive class.
    func testAddModeUsesOnlyHelpfulSamples() {
        let plan = RefitBalance.addPlan(densePositive: rows(8, 2), denseNegative: rows(2, 8),
                                        rarePositive: rows(5, 0), rareNegative: rows(0, 5), cap: 10)
        XCTAssertTrue(plan.addPositive.isEmpty && plan.addNegative.isEmpty)
        XCTAssertEqual(plan.imbalanceAfter, 0.36, accuracy: 1e-12)
    }
}

/// Quantiles as numpy computes them (`np.quantile(x, q)`, linear interpolation).
final class QuantileTests: XCTestCase {
    func testMatchesNumpysLinearRule() {
        // np.quantile([3, 1, 4, 1, 5], [0, 0.1, 0.5, 0.9, 1]) = [1, 1, 3, 4.6, 5]
        let q = Statistics.quantiles([3, 1, 4, 1, 5], [0, 0.1, 0.5, 0.9, 1])
        for (a, b) in zip(q, [1, 1, 3, 4.6, 5]) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        XCTAssertTrue(Statistics.quantiles([], [0.5])[0].isNaN)
        XCTAssertEqual(Statistics.quantiles([7], [0.9])[0], 7)
    }
}
