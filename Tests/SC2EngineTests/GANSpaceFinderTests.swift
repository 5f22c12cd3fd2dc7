import XCTest
@testable import SC2Engine

/// GANSpace picks the principal component that tracks the labels, not the largest one.
final class GANSpaceFinderTests: XCTestCase {
    /// Codes with most of their variance along axis 0 (unrelated to the label) and the label
    /// carried by axis 2 (variance 4 vs 25): the direction is +e2, the validation accuracy high.
    func testPicksTheComponentThatTracksTheAttribute() {
        var rng = Xoshiro(seed: 3)
        func gauss() -> Float { Float(rng.normal()) }
        func sample() -> ([Float], Bool) {
            let label = rng.next() % 2 == 0
            let x: [Float] = [5 * gauss(), gauss(), (label ? 2 : -2) + 0.3 * gauss(), 0.5 * gauss()]
            return (x, label)
        }
        let train = (0..<400).map { _ in sample() }, val = (0..<200).map { _ in sample() }
        let (normal, acc) = GANSpaceFinder(components: 4).fit(train: train.map(\.0), trainLabels: train.map(\.1),
                                                              validation: val.map(\.0), validationLabels: val.map(\.1))
        let unit = normal.map { $0 / LinearAlgebra.norm(normal) }
        XCTAssertGreaterThan(unit[2], 0.99, "\(unit)")
        XCTAssertLessThan(abs(unit[0]), 0.05, "\(unit)")
        XCTAssertGreaterThan(acc, 0.97)
        // Restricted to the top component only, it must return the unrelated axis 0.
        let (top, _) = GANSpaceFinder(components: 1).fit(train: train.map(\.0), trainLabels: train.map(\.1),
                                                         validation: val.map(\.0), validationLabels: val.map(\.1))
        XCTAssertGreaterThan(abs(top[0]) / LinearAlgebra.norm(top), 0.99)
    }
}
